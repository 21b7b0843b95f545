// Per-partition watermarks generated inside the KafkaSource (Flink's assignTimestampsAndWatermarks
// on the consumer), against the real broker: the subtask emits the minimum over its partitions.
import { join } from 'node:path';
import { StreamExecutionEnvironment, Types, WatermarkStrategies } from '@sluice/core';
import type { DeserializationSchema } from '@sluice/core';
import { createKafkaTopic } from '@sluice/testkit';
import { expect, it } from 'vitest';
import { KafkaSource } from '../src/source/kafka-source.js';
import { assignPartition } from '../src/source/partition-state/partition-assigner.js';
import { StartingOffsets } from '../src/source/starting-offsets.js';
import { brokers, produceExactly, uniqueName, useKafkaAdminAndDir, waitUntil } from './helpers.js';
import { SourceHarness } from './source-harness.js';

const setup = useKafkaAdminAndDir('sluice-kafka-watermarks-');

const utf8: DeserializationSchema<string> = {
  deserialize: (bytes) => Buffer.from(bytes).toString('utf8'),
  isEndOfStream: () => false,
  producedType: { name: 'string', createSerializer: () => { throw new Error('unused'); } },
};

async function produce(topic: string, messages: { value: string; partition: number; timestamp: string }[]): Promise<void> {
  await produceExactly(setup.kafka, topic, messages);
}

function source(topic: string): KafkaSource<string> {
  return KafkaSource.builder<string>()
    .setBootstrapServers(brokers())
    .setTopics(topic)
    .setGroupId(uniqueName('group'))
    .setValueOnlyDeserializer(utf8)
    .setStartingOffsets(StartingOffsets.earliest())
    .setWatermarkStrategy(WatermarkStrategies.forMonotonousTimestamps<string>())
    .setAutoWatermarkIntervalMs(20)
    .build();
}

it('emits the minimum of the per-partition watermarks, never a watermark that makes a slower partition late; a subtask without partitions is idle', async () => {
  const topic = uniqueName('event-time');
  await createKafkaTopic({ brokers: brokers(), topic, partitions: 2 });
  // partition 0 runs ahead (3000), partition 1 behind (1500): the combined watermark is 1499
  await produce(topic, [
    { value: 'a', partition: 0, timestamp: '1000' },
    { value: 'b', partition: 0, timestamp: '2000' },
    { value: 'c', partition: 0, timestamp: '3000' },
    { value: 'x', partition: 1, timestamp: '1500' },
  ]);
  const h = new SourceHarness(source(topic));
  // parallelism 3 over 2 partitions: one subtask owns nothing
  const owners = new Set([0, 1].map((p) => assignPartition(topic, p, 3)));
  const emptyIndex = [0, 1, 2].find((i) => !owners.has(i))!;
  const empty = new SourceHarness(source(topic), { subtaskIndex: emptyIndex, parallelism: 3 });
  try {
    await Promise.all([h.start(), empty.start()]);
    await h.waitForRecords(4);
    await waitUntil('the watermark of both partitions', () => h.watermarks.includes(1499));
    // records carry their Kafka timestamps
    expect(h.records.map((r) => r.timestamp).sort()).toEqual([1000, 1500, 2000, 3000]);
    expect(Math.max(...h.watermarks)).toBe(1499);
    await produce(topic, [{ value: 'y', partition: 1, timestamp: '5000' }]);
    await waitUntil('the slower partition to pass the faster one', () => h.watermarks.includes(2999));
    expect(Math.max(...h.watermarks)).toBe(2999);
    // strictly increasing
    expect(h.watermarks).toEqual([...h.watermarks].sort((a, b) => a - b));
    expect(new Set(h.watermarks).size).toBe(h.watermarks.length);
    expect(empty.idle).toBe(true);
    expect(empty.watermarks).toEqual([]);
  } finally {
    await Promise.all([h.stop(), empty.stop()]);
  }
});

it('in a real job: records carry their event time, none is late for an event-time keyed function, and its timers fire', async () => {
  const topic = uniqueName('event-time-job');
  await createKafkaTopic({ brokers: brokers(), topic, partitions: 2 });
  await produce(topic, [
    { value: 'a', partition: 0, timestamp: '1000' },
    { value: 'b', partition: 0, timestamp: '3000' },
    { value: 'END', partition: 0, timestamp: '9000' },
    { value: 'x', partition: 1, timestamp: '1500' },
    { value: 'y', partition: 1, timestamp: '5000' },
    { value: 'END', partition: 1, timestamp: '9000' },
  ]);
  // one subtask reads both partitions; the stream ends at the second END marker
  let ends = 0;
  const untilBothEnds: DeserializationSchema<string> = {
    deserialize: (bytes) => {
      const value = Buffer.from(bytes).toString('utf8');
      if (value !== 'END') return value;
      ends += 1;
      return ends === 2 ? value : null;
    },
    isEndOfStream: (next) => next === 'END',
    producedType: Types.string(),
  };
  const env = StreamExecutionEnvironment.create({ parallelism: 1 });
  env.enableCheckpointing(200);
  env.getCheckpointConfig().setCheckpointStorage(join(setup.dir, `checkpoints-${topic}`));
  const source = KafkaSource.builder<string>()
    .setBootstrapServers(brokers())
    .setTopics(topic)
    .setGroupId(uniqueName('group'))
    .setValueOnlyDeserializer(untilBothEnds)
    .setStartingOffsets(StartingOffsets.earliest())
    .setWatermarkStrategy(WatermarkStrategies.forMonotonousTimestamps<string>())
    .setAutoWatermarkIntervalMs(20)
    .build();
  const out: string[] = [];
  env
    .addSource(source)
    .uid('kafka-source')
    .keyBy(() => 'all', Types.string())
    .process<string>({
      processElement: (value, ctx, collector) => {
        const timestamp = ctx.timestamp() ?? Number.NaN;
        const late = timestamp <= ctx.timerService.currentWatermark();
        collector.collect(`${value}@${timestamp}${late ? ' LATE' : ''}`);
        ctx.timerService.registerEventTimeTimer(timestamp);
      },
      onTimer: (timestamp, _ctx, collector) => {
        collector.collect(`timer@${timestamp}`);
      },
    })
    .uid('event-time')
    .addSink({ invoke: (value: string) => void out.push(value) })
    .uid('collect');
  const result = await env.execute(uniqueName('job'));
  expect(result.status).toBe('finished');
  expect(out.filter((v) => !v.startsWith('timer')).sort()).toEqual(['a@1000', 'b@3000', 'x@1500', 'y@5000']);
  expect(out.filter((v) => v.startsWith('timer'))).toEqual(['timer@1000', 'timer@1500', 'timer@3000', 'timer@5000']);
});
