// KafkaSource inside a real Sluice job (core runtime): parallel subtasks, checkpoints to a local
// directory, end of stream, and a second run of the same job resuming from the last checkpoint.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, Types } from '@sluice/core';
import type { DeserializationSchema } from '@sluice/core';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KafkaSource } from '../src/source/kafka-source.js';
import { StartingOffsets } from '../src/source/starting-offsets.js';
import { brokers, createTopic, kafkaClient, produceExactly, uniqueName } from './helpers.js';

let admin: Admin;
let kafka: Kafka;
let checkpointDir: string;

beforeAll(async () => {
  kafka = kafkaClient();
  admin = kafka.admin();
  await admin.connect();
  checkpointDir = await mkdtemp(join(tmpdir(), 'sluice-kafka-job-'));
});
afterAll(async () => {
  await admin.disconnect();
  await rm(checkpointDir, { recursive: true, force: true });
});

/** Ends the stream at `END-<run>`; other END markers are skipped (null). */
function schemaForRun(run: number): DeserializationSchema<string> {
  return {
    deserialize: (bytes) => {
      const value = Buffer.from(bytes).toString('utf8');
      if (value.startsWith('END-') && value !== `END-${run}`) return null;
      return value;
    },
    isEndOfStream: (next) => next === `END-${run}`,
    producedType: Types.string(),
  };
}

async function produceRound(topic: string, prefix: string, run: number): Promise<string[]> {
  const values = Array.from({ length: 20 }, (_, i) => `${prefix}${i}`);
  await produceExactly(kafka, topic, [
    ...values.map((value, i) => ({ value, partition: i % 2 })),
    ...[0, 1].map((partition) => ({ value: `END-${run}`, partition })),
  ]);
  return values;
}

async function runJob(options: { topic: string; groupId: string; run: number; jobName: string }): Promise<string[]> {
  const out: string[] = [];
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.enableCheckpointing(200);
  env.getCheckpointConfig().setCheckpointStorage(join(checkpointDir, 'checkpoints'));
  const source = KafkaSource.builder<string>()
    .setBootstrapServers(brokers())
    .setTopics(options.topic)
    .setGroupId(options.groupId)
    .setValueOnlyDeserializer(schemaForRun(options.run))
    .setStartingOffsets(StartingOffsets.earliest())
    .build();
  env
    .addSource(source)
    .uid('kafka-source')
    .addSink({ invoke: (value: string) => void out.push(value) })
    .uid('collect');
  const result = await env.execute(options.jobName);
  expect(result.status).toBe('finished');
  return out;
}

it('reads a 2-partition topic with parallelism 2 (one partition per subtask, since end of stream stops the whole subtask) to its end markers, then a second run resumes after the checkpoint', async () => {
  const topic = await createTopic(admin, { partitions: 2 });
  const groupId = uniqueName('group');
  const jobName = uniqueName('job');
  const first = await produceRound(topic, 'a', 1);
  const out1 = await runJob({ topic, groupId, run: 1, jobName });
  expect(out1.sort()).toEqual([...first].sort());

  const second = await produceRound(topic, 'b', 2);
  const out2 = await runJob({ topic, groupId, run: 2, jobName });
  // exactly the new records: the restored offsets win over StartingOffsets.earliest()
  expect(out2.sort()).toEqual([...second].sort());
});
