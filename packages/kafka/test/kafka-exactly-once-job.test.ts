// EXACTLY_ONCE Kafka → Kafka in a real job (in process): read_committed sees every record once.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DeliveryGuarantee } from '../src/sink/kafka-sink.js';
import { brokers, createTopic, produceToTwoPartitionsWithEndMarkers, readCommittedUntilMarkers, readWithJavaConsoleConsumer, uniqueName, useKafkaAdminAndDir } from './helpers.js';
import { runKafkaToKafkaJob } from './jobs/kafka-to-kafka-job.js';

const setup = useKafkaAdminAndDir('sluice-kafka-eo-');

it('EXACTLY_ONCE job: every input record appears once for a read_committed reader, kafkajs and Java console consumer (checklist 21)', async () => {
  const { kafka, admin, dir } = setup;
  const input = await createTopic(admin, { partitions: 2 });
  const output = await createTopic(admin, { partitions: 2 });
  const values = Array.from({ length: 200 }, (_, i) => `r${i}`);
  await produceToTwoPartitionsWithEndMarkers(kafka, input, values);
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
  const javaRead = (await readWithJavaConsoleConsumer(output, values.length + 2)).filter((line) => /^R\d+$/.test(line));
  expect(javaRead.sort()).toEqual(values.map((v) => v.toUpperCase()).sort());
});
