// Transaction recovery against the real broker: a transaction pre-committed (flushed) by one
// client that then goes away without EndTxn is committed or aborted from a fresh client with the
// stored { transactionalId, producerId, epoch }.
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapturingProducer } from '../src/sink/transactions/kafkajs-internals.js';
import type { ProducerIdentity } from '../src/sink/transactions/kafkajs-internals.js';
import { TransactionRecovery } from '../src/sink/transactions/transaction-recovery.js';
import { createTopic, kafkaClient, readAll, readCommittedUntilMarkers, uniqueName } from './helpers.js';

let admin: Admin;

beforeAll(async () => {
  admin = kafkaClient().admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
});

/**
 * Begins a transaction with kafkajs, sends `values`, waits for the acks (pre-commit), captures the
 * ids and drops the client without ending the transaction (the broker sees the connection close,
 * as after a crash).
 */
async function preCommitAndCrash(options: { topic: string; transactionalId: string; values: string[] }): Promise<ProducerIdentity> {
  const kafka = kafkaClient();
  const { producer, identity } = createCapturingProducer(kafka, {
    transactionalId: options.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic: options.topic, messages: options.values.map((value) => ({ value })) });
  const ids = identity();
  await producer.disconnect();
  if (ids === undefined) throw new Error('producer id and epoch were not captured');
  return ids;
}

describe('transaction recovery against a real broker', () => {
  it('commits a pre-committed transaction from a fresh client; read_committed sees it exactly once; a second commit is tolerated', async () => {
    const topic = await createTopic(admin, { partitions: 2 });
    const transactionalId = uniqueName('txn');
    const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
    const ids = await preCommitAndCrash({ topic, transactionalId, values });
    expect(ids.producerId).toBeGreaterThanOrEqual(0);
    expect(ids.epoch).toBeGreaterThanOrEqual(0);

    const fresh = kafkaClient();
    const recovery = new TransactionRecovery(fresh);
    try {
      const started = performance.now();
      expect(await recovery.commit({ transactionalId, ...ids })).toEqual({ kind: 'committed' });
      const commitMs = performance.now() - started;
      expect(await recovery.commit({ transactionalId, ...ids })).toEqual({ kind: 'committed' });
      // an abort after the commit is refused: the transaction is not open any more
      expect(await recovery.abort({ transactionalId, ...ids })).toEqual({ kind: 'already-ended', reason: 'INVALID_TXN_STATE' });
      const read = await readAll(fresh, { topic, isolation: 'read_committed', expected: values.length });
      expect(read.map((r) => r.value).sort()).toEqual([...values].sort());
      const afterMarker = await readCommittedUntilMarkers(fresh, admin, topic);
      expect(afterMarker.sort()).toEqual([...values].sort());
      expect(commitMs).toBeGreaterThan(0);
    } finally {
      await recovery.close();
    }
  });

  it('aborts a pre-committed transaction from a fresh client; read_committed never sees its records', async () => {
    const topic = await createTopic(admin);
    const transactionalId = uniqueName('txn');
    const ids = await preCommitAndCrash({ topic, transactionalId, values: ['a1', 'a2', 'a3'] });
    const fresh = kafkaClient();
    const recovery = new TransactionRecovery(fresh);
    try {
      expect(await recovery.abort({ transactionalId, ...ids })).toEqual({ kind: 'aborted' });
      expect(await recovery.abort({ transactionalId, ...ids })).toEqual({ kind: 'aborted' });
      expect(await recovery.commit({ transactionalId, ...ids })).toEqual({ kind: 'already-ended', reason: 'INVALID_TXN_STATE' });
      expect(await readCommittedUntilMarkers(fresh, admin, topic)).toEqual([]);
      // the aborted records are in the log: a read_uncommitted reader sees them (and the marker)
      const uncommitted = await readAll(fresh, { topic, isolation: 'read_uncommitted', expected: 4 });
      expect(uncommitted.map((r) => r.value)).toEqual(expect.arrayContaining(['a1', 'a2', 'a3']));
    } finally {
      await recovery.close();
    }
  });

  it('ordering rule: a new producer with the same transactional id aborts the pending transaction, after which the stored ids cannot commit it', async () => {
    const topic = await createTopic(admin);
    const transactionalId = uniqueName('txn');
    const ids = await preCommitAndCrash({ topic, transactionalId, values: ['lost1', 'lost2'] });
    const fresh = kafkaClient();
    const recovery = new TransactionRecovery(fresh);
    try {
      // what a new producer does first: InitProducerId for the same id (fences, aborts, bumps the epoch)
      const fenced = await recovery.fenceAndAbort(transactionalId, 60_000);
      expect(fenced.producerId).toBe(ids.producerId);
      expect(fenced.epoch).toBeGreaterThan(ids.epoch);
      const outcome = await recovery.commit({ transactionalId, ...ids });
      expect(outcome.kind).toBe('already-ended');
      expect(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']).toContain((outcome as { reason: string }).reason);
      expect(await readCommittedUntilMarkers(fresh, admin, topic)).toEqual([]);
    } finally {
      await recovery.close();
    }
  });

  it('a kafkajs producer initialized for the id after the recovery commit works normally (recover first, then initialize)', async () => {
    const topic = await createTopic(admin);
    const transactionalId = uniqueName('txn');
    const ids = await preCommitAndCrash({ topic, transactionalId, values: ['r1'] });
    const fresh = kafkaClient();
    const recovery = new TransactionRecovery(fresh);
    try {
      expect(await recovery.commit({ transactionalId, ...ids })).toEqual({ kind: 'committed' });
    } finally {
      await recovery.close();
    }
    const { producer, identity } = createCapturingProducer(fresh, { transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ value: 'r2' }] });
    expect(identity()?.epoch).toBeGreaterThan(ids.epoch);
    await txn.commit();
    await producer.disconnect();
    expect((await readCommittedUntilMarkers(fresh, admin, topic)).sort()).toEqual(['r1', 'r2']);
  });
});
