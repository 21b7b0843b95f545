// AT_LEAST_ONCE Kafka → Kafka job SIGKILLed at seeded random points and restarted: nothing is
// lost; duplicates are allowed and reported.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeliveryGuarantee } from '../src/sink/kafka-sink.js';
import { brokers, createTopic, kafkaClient, uniqueName } from './helpers.js';
import { killAllChildren, killAndRestartUntilDone } from './sigkill-runner.js';

const KILLS = Number(process.env['SLUICE_KAFKA_ALO_KILLS'] ?? '4');
const SEED = Number(process.env['SLUICE_KAFKA_SEED'] ?? '20261127');
const RECORDS = 40_000;

let admin: Admin;
let kafka: Kafka;
let dir: string;
beforeAll(async () => {
  kafka = kafkaClient();
  admin = kafka.admin();
  await admin.connect();
  dir = await mkdtemp(join(tmpdir(), 'sluice-kafka-alo-'));
});
afterAll(async () => {
  killAllChildren();
  await admin.disconnect();
  await rm(dir, { recursive: true, force: true });
});

it(`AT_LEAST_ONCE survives ${KILLS} SIGKILLs (seed ${SEED}): nothing lost, duplicates counted`, async () => {
  const input = await createTopic(admin, { partitions: 2 });
  const output = await createTopic(admin, { partitions: 2 });
  const values = Array.from({ length: RECORDS }, (_, i) => `a${i}`);
  const producer = kafka.producer();
  await producer.connect();
  for (let start = 0; start < values.length; start += 5000) {
    await producer.send({
      topic: input,
      messages: values.slice(start, start + 5000).map((value, i) => ({ value, partition: (start + i) % 2 })),
    });
  }
  await producer.send({ topic: input, messages: [{ value: 'END', partition: 0 }, { value: 'END', partition: 1 }] });
  await producer.disconnect();
  const report = await killAndRestartUntilDone({
    job: {
      brokers: brokers(),
      input,
      output,
      groupId: uniqueName('group'),
      jobName: uniqueName('job'),
      checkpointDir: join(dir, 'checkpoints'),
      parallelism: 2,
      deliveryGuarantee: DeliveryGuarantee.AT_LEAST_ONCE,
      transactionalIdPrefix: uniqueName('alo'),
      checkpointIntervalMs: 150,
      throttle: { everyRecords: 250, sleepMs: 50 },
      announceFirstRecord: true,
    },
    kills: KILLS,
    seed: SEED,
    expected: values.map((v) => v.toUpperCase()),
    kafka,
    admin,
  });
  console.info(`[sigkill at-least-once] seed ${SEED}: ${report.log.join(' | ')}; duplicates ${report.duplicates}`);
  expect(report.finished, report.log.join(' | ')).toBe(true);
  expect(report.kills).toBe(KILLS);
  expect(report.missing, report.log.join(' | ')).toBe(0);
}, 600_000);
