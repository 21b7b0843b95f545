// Operators' tools for lingering transactions on the real broker: a transaction whose producer
// went away without ending it is listed (API and CLI), blocks read_committed readers, and
// abortLingering clears it so that a read_committed reader moves past it.
import { expect, it } from 'vitest';
import { runSluiceKafkaCli } from '../src/cli/sluice-kafka-cli.js';
import { abortLingering, listLingeringTransactions } from '../src/sink/transactions/lingering-transactions.js';
import { brokers, createTopic, readCommittedUntilMarkers, uniqueName, useKafkaAdminAndDir } from './helpers.js';

const setup = useKafkaAdminAndDir('sluice-kafka-lingering-');

it('a crashed transaction is listed by prefix, abortLingering aborts it and unblocks read_committed readers', async () => {
  const { kafka, admin } = setup;
  const topic = await createTopic(admin, { partitions: 2 });
  const prefix = uniqueName('linger');
  // the shape of a sink's id, and an id of another job whose name merely starts the same way
  const lingeringId = `${prefix}-kafka-sink-3`;
  const otherJobId = `${prefix}x-kafka-sink-0`;
  for (const transactionalId of [lingeringId, otherJobId]) {
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: `lost-${transactionalId}`, partition: 0 }, { value: 'lost', partition: 1 }] });
    // the producer goes away without ending the transaction (what a SIGKILL leaves behind)
    await producer.disconnect();
  }

  const listed = await listLingeringTransactions({ bootstrapServers: brokers(), prefix });
  expect(listed.map((t) => t.transactionalId)).toEqual([lingeringId]);
  expect(listed[0]).toMatchObject({ state: 'Ongoing', transactionTimeoutMs: 60_000 });
  expect(listed[0]?.topics).toEqual([{ topic, partitions: [0, 1] }]);
  expect(listed[0]?.startTimeMs).toBeGreaterThan(0);

  const out: string[] = [];
  const code = await runSluiceKafkaCli(['transactions', 'list', '--brokers', brokers().join(','), '--prefix', prefix], {
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    env: {},
  });
  expect(code).toBe(0);
  expect(out.join('\n')).toContain(lingeringId);
  expect(out.join('\n')).not.toContain(otherJobId);

  const aborted = await abortLingering({ bootstrapServers: brokers(), prefix });
  expect(aborted.map((t) => t.transactionalId)).toEqual([lingeringId]);
  expect(await listLingeringTransactions({ bootstrapServers: brokers(), prefix })).toEqual([]);
  // the other job's transaction still blocks the topic: abort it too (through the CLI), then read
  const abortOut: string[] = [];
  expect(
    await runSluiceKafkaCli(['transactions', 'abort', '--brokers', brokers().join(','), '--prefix', `${prefix}x`], {
      out: (line) => abortOut.push(line),
      err: (line) => abortOut.push(line),
      env: {},
    }),
  ).toBe(0);
  expect(abortOut.join('\n')).toContain(otherJobId);
  // markers committed after the aborted transactions become visible: the readers are unblocked
  expect(await readCommittedUntilMarkers(kafka, admin, topic)).toEqual([]);
});
