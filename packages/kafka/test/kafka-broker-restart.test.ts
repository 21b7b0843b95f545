// Broker restart mid-job: a Kafka → Kafka EXACTLY_ONCE job keeps running across a restart of its
// (only) broker, recovering through the job's restart strategy, and a read_committed reader sees
// every record exactly once. Uses its own broker (the shared one serves other test files).
import { createKafkaTopic, startKafka } from '@sluice/testkit';
import type { KafkaServer } from '@sluice/testkit';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin } from 'kafkajs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeliveryGuarantee } from '../src/sink/kafka-sink.js';
import { produceToTwoPartitionsWithEndMarkers, readCommittedUntilMarkers, uniqueName, useKafkaAdminAndDir, waitUntil } from './helpers.js';
import { runKafkaToKafkaJob } from './jobs/kafka-to-kafka-job.js';

const setup = useKafkaAdminAndDir('sluice-kafka-restart-');
const external = process.env['SLUICE_KAFKA_BROKERS'] !== undefined && process.env['SLUICE_KAFKA_BROKERS'] !== '';

let server: KafkaServer | undefined;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  if (external) return;
  server = await startKafka({
    useExternal: false,
    brokerConfig: { 'transaction.max.timeout.ms': '900000', 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '2000' },
  });
  kafka = new Kafka({ clientId: uniqueName('restart-test'), brokers: [...server.bootstrapServers], logLevel: logLevel.NOTHING, retry: { retries: 8 } });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await server?.stop();
});

it.skipIf(external)('EXACTLY_ONCE Kafka → Kafka survives a broker restart mid-job: every record once for read_committed readers', { timeout: 300_000 }, async () => {
  const brokers = [...server!.bootstrapServers];
  const input = uniqueName('restart-in');
  const output = uniqueName('restart-out');
  await createKafkaTopic({ brokers, topic: input, partitions: 2 });
  await createKafkaTopic({ brokers, topic: output, partitions: 2 });
  const values = Array.from({ length: 2000 }, (_, i) => `r${i}`);
  await produceToTwoPartitionsWithEndMarkers(kafka, input, values);
  const groupId = uniqueName('group');
  const job = runKafkaToKafkaJob({
    brokers,
    input,
    output,
    groupId,
    jobName: uniqueName('job'),
    checkpointDir: join(setup.dir, 'checkpoints'),
    parallelism: 2,
    deliveryGuarantee: DeliveryGuarantee.EXACTLY_ONCE,
    transactionalIdPrefix: uniqueName('restart-eo'),
    checkpointIntervalMs: 200,
    // ~1000 records/s per subtask: the job is still running when the broker goes away
    throttle: { everyRecords: 20, sleepMs: 20 },
    restartStrategy: { type: 'fixed-delay', attempts: 30, delayMs: 1000 },
  });
  const settled = job.then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  // a checkpoint completed (its offsets were committed to the group): the job is mid-way
  await waitUntil('a completed checkpoint of the job', async () => {
    // the group coordinator may still be loading right after the group's first commit
    const offsets = await admin.fetchOffsets({ groupId, topics: [input] }).catch(() => []);
    return offsets[0]?.partitions.some((p) => Number(p.offset) > 0) ?? false;
  }, 60_000);
  await server!.restart();
  const { result, error } = await settled;
  expect(error).toBeUndefined();
  expect(result?.status).toBe('finished');
  const read = await readCommittedUntilMarkers(kafka, admin, output);
  const counts = new Map<string, number>();
  for (const v of read) counts.set(v, (counts.get(v) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
  const missing = values.map((v) => v.toUpperCase()).filter((v) => !counts.has(v));
  expect({ duplicates, missing, total: read.length }).toEqual({ duplicates: [], missing: [], total: values.length });
});
