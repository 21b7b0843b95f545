// Partition and topic discovery while the source runs (Flink's flink.partition-discovery.interval-millis),
// against the real broker: new partitions and new matching topics are read from EARLIEST by the
// subtask the formula names, and partitions already read keep their subtask.
import type { DeserializationSchema } from '@sluice/core';
import { createKafkaTopic } from '@sluice/testkit';
import { expect, it } from 'vitest';
import { KafkaSource } from '../src/source/kafka-source.js';
import { assignPartition } from '../src/source/partition-state/partition-assigner.js';
import { StartingOffsets } from '../src/source/starting-offsets.js';
import { brokers, produceExactly, uniqueName, useKafkaAdminAndDir, waitUntil } from './helpers.js';
import { SourceHarness } from './source-harness.js';

const setup = useKafkaAdminAndDir('sluice-kafka-discovery-');

const utf8: DeserializationSchema<string> = {
  deserialize: (bytes) => Buffer.from(bytes).toString('utf8'),
  isEndOfStream: () => false,
  producedType: { name: 'string', createSerializer: () => { throw new Error('unused'); } },
};

async function produce(topic: string, messages: { value: string; partition: number }[]): Promise<void> {
  await produceExactly(setup.kafka, topic, messages);
}

function discovering(subscribe: (b: ReturnType<typeof KafkaSource.builder<string>>) => void, groupId: string): KafkaSource<string> {
  const builder = KafkaSource.builder<string>()
    .setBootstrapServers(brokers())
    .setGroupId(groupId)
    .setValueOnlyDeserializer(utf8)
    .setStartingOffsets(StartingOffsets.latest())
    .setProperty('flink.partition-discovery.interval-millis', '300');
  subscribe(builder);
  return builder.build();
}

const total = (harnesses: readonly SourceHarness<string>[]): number => harnesses.reduce((n, h) => n + h.records.length, 0);

it('a partition added while the job runs is discovered by the subtask the formula names and read from EARLIEST; nothing is lost', async () => {
  const topic = uniqueName('grow');
  await createKafkaTopic({ brokers: brokers(), topic, partitions: 2 });
  const groupId = uniqueName('group');
  const harnesses = [0, 1].map((subtaskIndex) => new SourceHarness(discovering((b) => b.setTopics(topic), groupId), { subtaskIndex, parallelism: 2 }));
  try {
    await Promise.all(harnesses.map((h) => h.start()));
    // the start position is LATEST: only records written after open count
    const before = [0, 1].map((partition) => ({ value: `old-${partition}`, partition }));
    await produce(topic, before);
    await waitUntil('the records of the first two partitions', () => total(harnesses) >= 2);
    await setup.admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    // written before any subtask can have discovered the new partitions: EARLIEST must still see them
    const after = [0, 1, 2, 3].map((partition) => ({ value: `new-${partition}`, partition }));
    await produce(topic, after);
    await waitUntil('every record', () => total(harnesses) >= 6, 60_000);
    for (const [subtaskIndex, h] of harnesses.entries()) {
      const expected = [...before, ...after].filter((m) => assignPartition(topic, m.partition, 2) === subtaskIndex).map((m) => m.value);
      expect(h.records.map((r) => r.value).sort()).toEqual(expected.sort());
      // the new partitions are in the checkpoint and in the offset metrics
      const state = await h.checkpoint(1);
      expect(state.get('topic-partition-offset-states')).toHaveLength(2);
      const owned = [0, 1, 2, 3].filter((p) => assignPartition(topic, p, 2) === subtaskIndex);
      // old partitions hold two records (last emitted offset 1), the new ones one (offset 0)
      for (const p of owned) expect(h.metrics.gauges.get(`KafkaConsumer.topic.${topic}.partition.${p}.currentOffsets`)?.()).toBe(p < 2 ? 1 : 0);
    }
  } finally {
    await Promise.all(harnesses.map((h) => h.stop()));
  }
});

it('a new topic matching the pattern is discovered and read from EARLIEST; a subtask that had nothing starts reading', async () => {
  const prefix = uniqueName('pattern');
  const first = `${prefix}-a`;
  await createKafkaTopic({ brokers: brokers(), topic: first, partitions: 1 });
  const groupId = uniqueName('group');
  const pattern = new RegExp(`${prefix}-.*`);
  const harnesses = [0, 1].map((subtaskIndex) => new SourceHarness(discovering((b) => b.setTopicPattern(pattern), groupId), { subtaskIndex, parallelism: 2 }));
  try {
    await Promise.all(harnesses.map((h) => h.start()));
    // one partition, two subtasks: one of them owns nothing and is idle
    expect(harnesses.filter((h) => h.idle)).toHaveLength(1);
    const second = `${prefix}-b`;
    await createKafkaTopic({ brokers: brokers(), topic: second, partitions: 2 });
    await produce(second, [0, 1].map((partition) => ({ value: `b-${partition}`, partition })));
    // not matched as a whole name: never read
    await createKafkaTopic({ brokers: brokers(), topic: `x${prefix}-c`, partitions: 1 });
    await produce(`x${prefix}-c`, [{ value: 'unmatched', partition: 0 }]);
    await waitUntil('the records of the new topic', () => total(harnesses) >= 2, 60_000);
    await produce(first, [{ value: 'a-0', partition: 0 }]);
    await waitUntil('the record of the first topic', () => total(harnesses) >= 3, 60_000);
    for (const [subtaskIndex, h] of harnesses.entries()) {
      const expected = [
        ...[0, 1].filter((p) => assignPartition(second, p, 2) === subtaskIndex).map((p) => `b-${p}`),
        ...(assignPartition(first, 0, 2) === subtaskIndex ? ['a-0'] : []),
      ];
      expect(h.records.map((r) => r.value).sort()).toEqual(expected.sort());
    }
  } finally {
    await Promise.all(harnesses.map((h) => h.stop()));
  }
});
