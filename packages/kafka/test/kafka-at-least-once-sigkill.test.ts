// AT_LEAST_ONCE Kafka → Kafka job SIGKILLed at seeded random points and restarted: nothing is
// lost; duplicates are allowed and reported.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DeliveryGuarantee } from '../src/sink/kafka-sink.js';
import { brokers, createTopic, produceToTwoPartitionsWithEndMarkers, uniqueName, useKafkaAdminAndDir } from './helpers.js';
import { killAllChildren, killAndRestartUntilDone } from './sigkill-runner.js';

const KILLS = Number(process.env['SLUICE_KAFKA_ALO_KILLS'] ?? '4');
const SEED = Number(process.env['SLUICE_KAFKA_SEED'] ?? '20261127');
const RECORDS = 40_000;

const setup = useKafkaAdminAndDir('sluice-kafka-alo-', killAllChildren);

it(`AT_LEAST_ONCE survives ${KILLS} SIGKILLs (seed ${SEED}): nothing lost, duplicates counted`, async () => {
  const { kafka, admin, dir } = setup;
  const input = await createTopic(admin, { partitions: 2 });
  const output = await createTopic(admin, { partitions: 2 });
  const values = Array.from({ length: RECORDS }, (_, i) => `a${i}`);
  await produceToTwoPartitionsWithEndMarkers(kafka, input, values);
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
