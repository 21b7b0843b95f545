// EXACTLY_ONCE Kafka → Kafka in a real job (in process): read_committed sees every record once.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveKafkaJars } from '@sluice/testkit';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DeliveryGuarantee } from '../src/sink/kafka-sink.js';
import { brokers, createTopic, readCommittedUntilMarkers, uniqueName, useKafkaAdminAndDir } from './helpers.js';
import { runKafkaToKafkaJob } from './jobs/kafka-to-kafka-job.js';

const execFileAsync = promisify(execFile);

const setup = useKafkaAdminAndDir('sluice-kafka-eo-');

it('EXACTLY_ONCE job: every input record appears once for a read_committed reader, kafkajs and Java console consumer (checklist 21)', async () => {
  const { kafka, admin, dir } = setup;
  const input = await createTopic(admin, { partitions: 2 });
  const output = await createTopic(admin, { partitions: 2 });
  const values = Array.from({ length: 200 }, (_, i) => `r${i}`);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: input,
    messages: [...values.map((value, i) => ({ value, partition: i % 2 })), { value: 'END', partition: 0 }, { value: 'END', partition: 1 }],
  });
  await producer.disconnect();
  const result = await runKafkaToKafkaJob({
    brokers: brokers(),
    input,
    output,
    groupId: uniqueName('group'),
    jobName: uniqueName('job'),
    checkpointDir: join(dir, 'checkpoints'),
    parallelism: 2,
    deliveryGuarantee: DeliveryGuarantee.EXACTLY_ONCE,
    transactionalIdPrefix: uniqueName('eo'),
    checkpointIntervalMs: 100,
  });
  expect(result.status).toBe('finished');
  // a committed marker per partition after the job: everything before it is decided, duplicates included
  const read = await readCommittedUntilMarkers(kafka, admin, output);
  expect(read.sort()).toEqual(values.map((v) => v.toUpperCase()).sort());

  // and once with Kafka's own Java console consumer, read_committed (200 records + 2 markers)
  const lib = await resolveKafkaJars();
  const { stdout } = await execFileAsync(
    'java',
    [
      '-cp',
      `${lib}/*`,
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      '--bootstrap-server',
      brokers().join(','),
      '--topic',
      output,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--max-messages',
      String(values.length + 2),
      '--timeout-ms',
      '60000',
    ],
    { timeout: 120_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
  );
  const javaRead = stdout.split('\n').filter((line) => /^R\d+$/.test(line));
  expect(javaRead.sort()).toEqual(values.map((v) => v.toUpperCase()).sort());
});
