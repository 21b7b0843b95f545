// The EXACTLY_ONCE sink's transaction hooks against the real broker, called in the order of the
// two-phase-commit base class (reference §3): begin → write → preCommit → (checkpoint) → commit,
// and after a crash: recoverAndCommit the pending ones, recoverAndAbort the open one, abort the
// restored context's ids and reuse them.
import { SimpleStringSchema } from '@sluice/core';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { valueOnlySerializer } from '../src/sink/kafka-serialization-schema.js';
import { FixedPartitioner } from '../src/sink/partitioners/fixed-partitioner.js';
import { KafkaTransactionManager } from '../src/sink/transactions/kafka-transaction-manager.js';
import { RecordWriter } from '../src/sink/writer/record-writer.js';
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

function manager(options: { kafka: Kafka; topic: string; prefix: string; transactionTimeoutMs?: number; warnings?: string[] }) {
  const partitioner = new FixedPartitioner<string>();
  partitioner.open(0, 1);
  const logger = { warn: (m: string) => void options.warnings?.push(m) };
  const writer = new RecordWriter<string>({
    serializer: valueOnlySerializer(new SimpleStringSchema()),
    defaultTopic: options.topic,
    partitioner,
    admin,
    logFailuresOnly: false,
    writeTimestamp: false,
    logger,
  });
  return new KafkaTransactionManager<string>({
    kafka: options.kafka,
    admin,
    writer,
    prefix: options.prefix,
    operatorUid: 'sink',
    subtaskIndex: 0,
    parallelism: 1,
    poolSize: 3,
    transactionTimeoutMs: options.transactionTimeoutMs ?? 60_000,
    logger,
  });
}

async function writeAll(m: KafkaTransactionManager<string>, values: string[]): Promise<void> {
  for (const v of values) {
    const p = m.write(v, undefined);
    if (p !== undefined) await p;
  }
}

describe('EXACTLY_ONCE transaction hooks on a real broker (checklist 21-25)', () => {
  it('fails fast when transactionTimeoutMs exceeds the broker cap, naming the option', async () => {
    const m = manager({ kafka: kafkaClient(), topic: 'unused', prefix: uniqueName('p'), transactionTimeoutMs: 3_600_000 });
    await expect(m.checkTransactionTimeout()).rejects.toMatchObject({ code: 'KAFKA_TRANSACTION_TIMEOUT_TOO_LARGE', option: 'transactionTimeoutMs' });
    await manager({ kafka: kafkaClient(), topic: 'unused', prefix: uniqueName('p') }).checkTransactionTimeout();
  });

  it('one transaction per checkpoint: records become visible to read_committed only at commit', async () => {
    const topic = await createTopic(admin);
    const m = manager({ kafka: kafkaClient(), topic, prefix: uniqueName('p') });
    const context = m.initializeUserContext({ lastParallelism: 0, nextFreeTransactionalId: 0 });
    expect(context.transactionalIds).toHaveLength(3);
    try {
      const t1 = await m.beginTransaction();
      await writeAll(m, ['a', 'b']);
      await m.preCommit(t1);
      const t2 = await m.beginTransaction();
      expect(t2.transactionalId).not.toBe(t1.transactionalId);
      await writeAll(m, ['c']);
      await m.commit(t1);
      const committed = await readAll(kafkaClient(), { topic, isolation: 'read_committed', expected: 2 });
      expect(committed.map((r) => r.value)).toEqual(['a', 'b']);
      await m.preCommit(t2);
      await m.commit(t2);
      const all = await readAll(kafkaClient(), { topic, isolation: 'read_committed', expected: 3 });
      expect(all.map((r) => r.value)).toEqual(['a', 'b', 'c']);
      // ids return to the pool; a reused id gets a new producer and a higher epoch
      const t3 = await m.beginTransaction();
      expect(context.transactionalIds).toContain(t3.transactionalId);
      await m.abort(t3);
      const t4 = await m.beginTransaction();
      expect(t4.transactionalId).toBe(t1.transactionalId);
      expect(t4.epoch).toBeGreaterThan(t1.epoch);
      await m.abort(t4);
    } finally {
      await m.disconnect();
    }
  });

  it('after a crash: recover-commit the pre-committed transaction, recover-abort the open one; read_committed sees each record once', async () => {
    const topic = await createTopic(admin);
    const prefix = uniqueName('p');
    const first = manager({ kafka: kafkaClient(), topic, prefix });
    const context = first.initializeUserContext({ lastParallelism: 0, nextFreeTransactionalId: 0 });
    const pending = await first.beginTransaction();
    await writeAll(first, ['x1', 'x2', 'x3']);
    await first.preCommit(pending);
    const open = await first.beginTransaction();
    await writeAll(first, ['lost']);
    await first.preCommit(open);
    // checkpoint state now: { pendingTransaction: open, pendingCommitTransactions: [pending], context }
    await first.disconnect(); // crash: no EndTxn

    const warnings: string[] = [];
    const second = manager({ kafka: kafkaClient(), topic, prefix, warnings });
    try {
      await second.recoverAndCommit(pending);
      await second.recoverAndCommit(pending); // a repeated recovery is tolerated ("already committed")
      await second.recoverAndAbort(open);
      await second.finishRecoveringContext(context);
      const next = await second.beginTransaction();
      await writeAll(second, ['y1']);
      await second.preCommit(next);
      await second.commit(next);
      const read = await readAll(kafkaClient(), { topic, isolation: 'read_committed', expected: 4 });
      expect(read.map((r) => r.value)).toEqual(['x1', 'x2', 'x3', 'y1']);
      expect(warnings.filter((w) => w.includes('not open any more'))).toHaveLength(0);
    } finally {
      await second.disconnect();
    }
  });

  it('issue: the stored handle of a committed transaction can never commit a later transaction of the same id', async () => {
    const topic = await createTopic(admin);
    const m = manager({ kafka: kafkaClient(), topic, prefix: uniqueName('p') });
    m.initializeUserContext({ lastParallelism: 0, nextFreeTransactionalId: 0 });
    const recovery = new TransactionRecovery(kafkaClient());
    try {
      const old = await m.beginTransaction();
      await writeAll(m, ['committed-once']);
      await m.preCommit(old);
      await m.commit(old);
      // cycle the pool until the same id is open again, with a record after "the checkpoint"
      let later = await m.beginTransaction();
      while (later.transactionalId !== old.transactionalId) {
        await m.abort(later);
        later = await m.beginTransaction();
      }
      await writeAll(m, ['after-checkpoint']);
      await m.preCommit(later);
      // a restore from the checkpoint that listed `old` as pending re-commits it: must not touch `later`
      const outcome = await recovery.commit({ transactionalId: old.transactionalId!, producerId: old.producerId, epoch: old.epoch });
      expect(outcome.kind).toBe('already-ended');
      await m.abort(later);
      expect(await readCommittedUntilMarkers(kafkaClient(), admin, topic)).toEqual(['committed-once']);
    } finally {
      await recovery.close();
      await m.disconnect();
    }
  });

  it('no hint in state: aborts lingering transactions on every id of the safe scale-down range (checklist 23)', async () => {
    const topic = await createTopic(admin);
    const prefix = uniqueName('p');
    const earlier = manager({ kafka: kafkaClient(), topic, prefix });
    earlier.initializeUserContext({ lastParallelism: 0, nextFreeTransactionalId: 0 });
    const lingering = await earlier.beginTransaction();
    await writeAll(earlier, ['never']);
    await earlier.preCommit(lingering);
    await earlier.disconnect();
    const fresh = manager({ kafka: kafkaClient(), topic, prefix });
    try {
      await fresh.abortSafeScaleDownRange();
      fresh.initializeUserContext({ lastParallelism: 0, nextFreeTransactionalId: 0 });
      const t = await fresh.beginTransaction();
      await writeAll(fresh, ['visible']);
      await fresh.preCommit(t);
      await fresh.commit(t);
      // the lingering transaction no longer blocks read_committed readers: the new record shows up
      const read = await readAll(kafkaClient(), { topic, isolation: 'read_committed', expected: 1 });
      expect(read.map((r) => r.value)).toEqual(['visible']);
    } finally {
      await fresh.disconnect();
    }
  });
});
