// KafkaSink (NONE / AT_LEAST_ONCE) against the real broker.
import { SimpleStringSchema } from '@sluice/core';
import type { SinkContext } from '@sluice/core';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { frameRequest, installFastProduceEncoding } from '../src/internal/kafkajs-produce-encoding.js';
import { groupMessagesPerPartition } from '../src/internal/kafkajs-send-grouping.js';
import { DeliveryGuarantee } from '../src/sink/kafka-sink.js';
import { KafkaSink } from '../src/sink/kafka-sink.js';
import type { KafkaSinkFunction } from '../src/sink/kafka-sink-builder.js';
import { loadJavaReference } from './fixtures/java-reference.js';
import { brokers, createTopic, kafkaClient, readAll } from './helpers.js';
import { sinkRuntime } from './sink-harness.js';
import { TestMetrics } from './source-harness.js';

let admin: Admin;
let kafka: Kafka;
beforeAll(async () => {
  kafka = kafkaClient();
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

const sinkContext: SinkContext = { timestamp: undefined, currentWatermark: -Infinity, currentProcessingTime: () => Date.now() };

async function writeAll(sink: KafkaSinkFunction<string>, values: readonly string[]): Promise<void> {
  for (const value of values) {
    const pending = sink.invoke(value, sinkContext);
    if (pending !== undefined) await pending;
  }
}

const base = (topic: string) =>
  KafkaSink.builder<string>().setBootstrapServers(brokers()).setTopic(topic).setValueSerializer(new SimpleStringSchema());

describe('KafkaSink on a real broker', () => {
  it("sends through the package's linear per-partition grouping, not kafkajs's quadratic one", () => {
    // The sink's modules loaded kafkajs (through internal/kafkajs.ts) before this file's helpers did.
    expect(createRequire(import.meta.url)('kafkajs/src/producer/groupMessagesPerPartition.js')).toBe(groupMessagesPerPartition);
  });

  it("frames requests with the package's encoder (and so encodes Produce requests with it: every send in this file goes through it)", () => {
    expect(createRequire(import.meta.url)('kafkajs/src/protocol/request.js')).toBe(frameRequest);
  });

  it('a worker thread (a task thread of a job) that loads @sluice/kafka sends through the linear grouping too', async () => {
    // A worker has its own CommonJS module cache: the package's dist replaces kafkajs's grouping
    // there again when it loads. kafkajs's own function is an anonymous arrow.
    const kafkaEntry = pathToFileURL(createRequire(import.meta.url).resolve('@sluice/kafka')).href;
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
      import(workerData).then(() =>
        parentPort.postMessage(require('node:module').createRequire(workerData)('kafkajs/src/producer/groupMessagesPerPartition.js').name));`,
      { eval: true, workerData: kafkaEntry },
    );
    try {
      expect(await once(worker, 'message')).toEqual([groupMessagesPerPartition.name]);
    } finally {
      await worker.terminate();
    }
  });

  it('AT_LEAST_ONCE with the default FixedPartitioner: subtask i writes partitions[i % n]; snapshot waits for acks (checklist 16, 19)', async () => {
    const topic = await createTopic(admin, { partitions: 3 });
    const sinks = [0, 1].map(() => base(topic).build());
    const metrics = [new TestMetrics(), new TestMetrics()];
    for (const [i, sink] of sinks.entries()) {
      await sink.initializeState({ isRestored: false, restoredCheckpointId: undefined, operatorStateStore: undefined as never });
      await sink.open!(sinkRuntime(i, 2, metrics[i]));
    }
    await writeAll(sinks[0]!, Array.from({ length: 30 }, (_, i) => `s0-${i}`));
    await writeAll(sinks[1]!, Array.from({ length: 30 }, (_, i) => `s1-${i}`));
    for (const sink of sinks) await sink.snapshotState({ checkpointId: 1, checkpointTimestamp: Date.now() });
    // everything is acknowledged once the snapshot returned: read it before closing
    const read = await readAll(kafka, { topic, isolation: 'read_uncommitted', expected: 60 });
    for (const sink of sinks) await sink.close!();
    expect(read.filter((r) => r.value.startsWith('s0-')).every((r) => r.partition === 0)).toBe(true);
    expect(read.filter((r) => r.value.startsWith('s1-')).every((r) => r.partition === 1)).toBe(true);
    expect(read).toHaveLength(60);
    // numBytesOut: key + value bytes of the acknowledged records ("s0-0".."s0-29": 10 × 4 + 20 × 5 bytes, null keys)
    expect(metrics.map((m) => m.counters.get('numBytesOut')?.count)).toEqual([140, 140]);
  });

  it('a null partitioner puts keys where the Java client does (murmur2) (checklist 16)', async () => {
    const reference = loadJavaReference();
    const n = 4;
    const column = reference.murmur2PartitionCounts.indexOf(n);
    const topic = await createTopic(admin, { partitions: n });
    const keys = reference.murmur2.map(([key]) => key).filter((k) => k !== '');
    const sink = KafkaSink.builder<string>()
      .setBootstrapServers(brokers())
      .setTopic(topic)
      .setPartitioner(null)
      .setSerializer({
        serializeKey: (v) => Buffer.from(v, 'utf8'),
        serializeValue: (v) => Buffer.from(v, 'utf8'),
        getTargetTopic: () => null,
      })
      .build();
    await sink.open!(sinkRuntime(0, 1));
    await writeAll(sink, keys);
    await sink.close!();
    const read = await readAll(kafka, { topic, isolation: 'read_uncommitted', expected: keys.length });
    const javaPartition = new Map(reference.murmur2.map(([key, , partitions]) => [key, partitions[column]]));
    for (const record of read) expect([record.key, record.partition]).toEqual([record.key, javaPartition.get(record.key!)]);
  });

  it.each([
    ['600 records of 10 KB: batches stay under the broker`s 1 MiB record-batch limit', 600, 10 * 1024],
    ['6,000 records of 100 B: many batches, each behind the one before', 6000, 100],
  ])('keeps one partition in order: %s', async (_name, count, size) => {
    // Several kafkajs sends in flight at once reached the broker out of order (a send can overtake
    // an earlier one before the socket), and 500 records of 2 KB or more made a batch the broker refused.
    const topic = await createTopic(admin, { partitions: 1 });
    const values = Array.from({ length: count }, (_, i) => `${String(i).padStart(6, '0')}${'v'.repeat(size)}`);
    const sink = base(topic).setRetries(0).build();
    await sink.open!(sinkRuntime(0, 1));
    await writeAll(sink, values);
    await sink.snapshotState({ checkpointId: 1, checkpointTimestamp: 0 });
    await sink.close!();
    const read = await readAll(kafka, { topic, isolation: 'read_uncommitted', expected: values.length });
    expect(read.map((r) => r.value.slice(0, 6))).toEqual(values.map((v) => v.slice(0, 6)));
  });

  it('logFailuresOnly=false rethrows the first async send error on the next snapshot; true only logs and counts (checklist 18)', async () => {
    const topic = await createTopic(admin);
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const failing = base(topic).setRetries(0).build();
    await failing.open!(sinkRuntime(0, 1));
    await writeAll(failing, ['ok', huge]);
    await expect(failing.snapshotState({ checkpointId: 1, checkpointTimestamp: 0 })).rejects.toMatchObject({
      code: 'KAFKA_RECORD_TOO_LARGE',
      topic,
    });
    await failing.close!();

    const warnings: string[] = [];
    const metrics = new TestMetrics();
    const logging = base(topic).setRetries(0).setLogFailuresOnly(true).setLogger({ warn: (m) => warnings.push(m) }).build();
    await logging.open!(sinkRuntime(0, 1, metrics));
    await writeAll(logging, [huge, 'after']);
    await logging.snapshotState({ checkpointId: 1, checkpointTimestamp: 0 });
    await logging.close!();
    expect(warnings.some((w) => w.includes('Failed to send data to Kafka'))).toBe(true);
    expect(metrics.counters.get('sendErrors')?.count).toBeGreaterThan(0);
  });

  it('a keyed serializer may route records to another topic; null topic → default topic (checklist 17)', async () => {
    const main = await createTopic(admin);
    const other = await createTopic(admin);
    const sink = KafkaSink.builder<string>()
      .setBootstrapServers(brokers())
      .setTopic(main)
      .setDeliveryGuarantee(DeliveryGuarantee.NONE)
      .setSerializer({
        serializeKey: () => null,
        serializeValue: (v) => Buffer.from(v),
        getTargetTopic: (v) => (v.startsWith('o') ? other : null),
      })
      .build();
    await sink.open!(sinkRuntime(0, 1));
    await writeAll(sink, ['m1', 'o1', 'm2']);
    await sink.close!();
    expect((await readAll(kafka, { topic: main, isolation: 'read_uncommitted', expected: 2 })).map((r) => r.value)).toEqual(['m1', 'm2']);
    expect((await readAll(kafka, { topic: other, isolation: 'read_uncommitted', expected: 1 })).map((r) => r.value)).toEqual(['o1']);
  });

  it('an unknown target topic fails with KAFKA_UNKNOWN_TOPIC naming it', async () => {
    const sink = base('no-such-topic-' + Date.now()).build();
    await sink.open!(sinkRuntime(0, 1));
    await expect(Promise.resolve().then(() => sink.invoke('x', sinkContext))).rejects.toMatchObject({ code: 'KAFKA_UNKNOWN_TOPIC' });
    await sink.close!();
  });

  it("after the sends above, kafkajs still encodes Produce requests with the package's encoder", () => {
    // kafkajs's Produce v4–v7 modules, loaded by those sends, took v3's module as it was then.
    expect(installFastProduceEncoding()).toEqual({ produce: true, frame: true });
  });
});
