// The per-partition emit guard of KafkaSource, driven without a broker: whatever batches the
// fetcher hands over (overlapping, re-delivered after a seek, interleaved with an asynchronous
// deserializer and back-pressure), no offset ≤ the partition's last emitted offset is emitted.
import type { DeserializationSchema, SourceContext } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { TopicPartitionOffset } from '../internal/topic-partition.js';
import type { BatchControl, FetchedBatch } from './fetcher/kafka-fetcher.js';
import type { KafkaConsumerRecord } from './kafka-deserialization-schema.js';
import { KafkaSource } from './kafka-source.js';

/** The private members the fetcher path goes through. */
interface SourceInternals {
  running: boolean;
  addPartition(entry: TopicPartitionOffset): void;
  processBatch(context: SourceContext<string>, input: { batch: FetchedBatch; control: BatchControl }): Promise<void>;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Asynchronous on purpose: every record yields to other batches between the two guard checks.
const slowUtf8: DeserializationSchema<string> = {
  deserialize: async (bytes) => {
    await nextTurn();
    return Buffer.from(bytes).toString('utf8');
  },
  isEndOfStream: () => false,
  producedType: { name: 'string', createSerializer: () => { throw new Error('unused'); } },
};

function batch(partition: number, offsets: { from: number; to: number }): FetchedBatch {
  const records: KafkaConsumerRecord[] = [];
  for (let offset = offsets.from; offset <= offsets.to; offset++) {
    records.push({ key: null, value: Buffer.from(`p${partition}-${offset}`), topic: 't', partition, offset, timestamp: 0, headers: {} });
  }
  return { topic: 't', partition, size: records.length, record: (index) => records[index]!, highWatermark: offsets.to + 1 };
}

describe('KafkaSource emit guard', () => {
  it('emits every offset of a partition once when the fetcher hands over overlapping and repeated batches at once', async () => {
    const source = KafkaSource.builder<string>()
      .setBootstrapServers('127.0.0.1:9092')
      .setTopics('t')
      .setGroupId('g')
      .setValueOnlyDeserializer(slowUtf8)
      .build();
    const internals = source as unknown as SourceInternals;
    internals.running = true;
    internals.addPartition({ topic: 't', partition: 0, offset: -1 });
    internals.addPartition({ topic: 't', partition: 1, offset: 2 });
    const emitted: string[] = [];
    let collected = 0;
    const context: SourceContext<string> = {
      collect: () => undefined,
      // back-pressure on every third record: one more await inside the batch loop
      collectWithTimestamp: (value) => {
        emitted.push(value);
        collected += 1;
        return collected % 3 === 0 ? nextTurn() : undefined;
      },
      emitWatermark: () => undefined,
      markAsTemporarilyIdle: () => undefined,
      signal: new AbortController().signal,
    };
    const control: BatchControl = { isRunning: () => true, heartbeat: () => Promise.resolve() };
    // what a seek and a re-fetch can produce: the same batch twice, an overlapping one, a stale one
    const deliveries = [
      batch(0, { from: 0, to: 9 }),
      batch(1, { from: 0, to: 6 }),
      batch(0, { from: 5, to: 14 }),
      batch(0, { from: 0, to: 9 }),
      batch(1, { from: 3, to: 8 }),
      batch(0, { from: 12, to: 19 }),
    ];
    await Promise.all(deliveries.map((b) => internals.processBatch(context, { batch: b, control })));
    const expected = [
      ...Array.from({ length: 20 }, (_, offset) => `p0-${offset}`),
      ...Array.from({ length: 6 }, (_, i) => `p1-${i + 3}`),
    ];
    expect([...emitted].sort()).toEqual(expected.sort());
    // and in offset order per partition
    const order = (partition: number) => emitted.filter((v) => v.startsWith(`p${partition}-`)).map((v) => Number(v.split('-')[1]));
    expect(order(0)).toEqual([...order(0)].sort((a, b) => a - b));
    expect(order(1)).toEqual([3, 4, 5, 6, 7, 8]);
  });
});
