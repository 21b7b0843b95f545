/**
 * The Kafka side of the EXACTLY_ONCE sink (Flink's `FlinkKafkaProducer011` two-phase-commit
 * hooks), independent of the base class that orders the calls: one Kafka transaction per
 * checkpoint per subtask, transactional ids from a per-subtask pool, recover-commit of
 * checkpointed transactions through {@link TransactionRecovery}, and the abort sweeps on start.
 */
import type { Admin, Kafka, Transaction } from 'kafkajs';
import { kafkajs } from '../../internal/kafkajs.js';
import { KafkaError, KafkaErrorCode, wrapKafkaJsError } from '../../errors.js';
import type { KafkaLogger } from '../../internal/logger.js';
import type { RecordWriter } from '../writer/record-writer.js';
import { createTransactionalConnection } from './kafkajs-internals.js';
import type { TransactionalConnection } from './kafkajs-internals.js';
import type { KafkaTransactionContext, KafkaTransactionState, NextTransactionalIdHint } from './transaction-state.js';
import { TransactionRecovery } from './transaction-recovery.js';
import { trace } from '../../internal/trace.js';
import { TransactionalIdPool, TransactionalIdsGenerator, transactionalIdPrefix } from './transactional-ids.js';

const { ConfigResourceTypes } = kafkajs;

/** Options of {@link KafkaTransactionManager}. */
export interface KafkaTransactionManagerOptions<TRecord> {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly writer: RecordWriter<TRecord>;
  readonly prefix: string;
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly poolSize: number;
  readonly transactionTimeoutMs: number;
  readonly logger: KafkaLogger;
}

/** The kept connection of one transactional id and its running transaction, if any. */
interface LiveProducer {
  readonly connection: TransactionalConnection;
  transaction: Transaction | undefined;
}

/** The broker's `transaction.max.timeout.ms` default. */
export const BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT_MS = 900_000;

/** Runs the transactions of one EXACTLY_ONCE sink subtask. */
export class KafkaTransactionManager<TRecord> {
  private readonly ids: TransactionalIdsGenerator;
  private pool = new TransactionalIdPool([]);
  private readonly producers = new Map<string, LiveProducer>();
  private readonly recovery: TransactionRecovery;

  constructor(private readonly options: KafkaTransactionManagerOptions<TRecord>) {
    this.ids = new TransactionalIdsGenerator({
      prefix: transactionalIdPrefix(options.prefix, options.operatorUid),
      subtaskIndex: options.subtaskIndex,
      parallelism: options.parallelism,
      poolSize: options.poolSize,
    });
    this.recovery = new TransactionRecovery(options.kafka, { logger: options.logger });
  }

  /**
   * Fails with `KAFKA_TRANSACTION_TIMEOUT_TOO_LARGE` when the timeout exceeds the broker's
   * `transaction.max.timeout.ms` (the producer could not initialize otherwise).
   */
  async checkTransactionTimeout(): Promise<void> {
    let cap = BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT_MS;
    try {
      const cluster = await this.options.admin.describeCluster();
      const nodeId = cluster.controller ?? cluster.brokers[0]?.nodeId ?? 0;
      const described = await this.options.admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.BROKER, name: String(nodeId), configNames: ['transaction.max.timeout.ms'] }],
      });
      const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'transaction.max.timeout.ms');
      if (entry?.configValue !== undefined && entry.configValue !== null) cap = Number(entry.configValue);
    } catch (error) {
      this.options.logger.warn(
        `Could not read the broker's transaction.max.timeout.ms; assuming the default ${cap} ms: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (this.options.transactionTimeoutMs > cap) {
      throw new KafkaError(
        `transactionTimeoutMs is ${this.options.transactionTimeoutMs} ms but the broker allows at most transaction.max.timeout.ms = ${cap} ms. ` +
          'Raise transaction.max.timeout.ms on the brokers (recommended: above checkpoint interval + longest downtime), or lower transactionTimeoutMs.',
        { code: KafkaErrorCode.KAFKA_TRANSACTION_TIMEOUT_TOO_LARGE, option: 'transactionTimeoutMs' },
      );
    }
  }

  /** No hint in state (first run, or a failure before the first checkpoint): abort every id an earlier run may have used. */
  async abortSafeScaleDownRange(): Promise<void> {
    trace('manager.abortSafeScaleDownRange', { subtask: this.options.subtaskIndex, ids: this.ids.idsToAbort() });
    for (const id of this.ids.idsToAbort()) await this.recovery.fenceAndAbort(id, this.options.transactionTimeoutMs);
  }

  /** A fresh pool for a subtask without a restored context: `idsToUse(hint.next)`. */
  initializeUserContext(hint: NextTransactionalIdHint): KafkaTransactionContext {
    const transactionalIds = this.ids.idsToUse(hint.nextFreeTransactionalId);
    this.pool = new TransactionalIdPool(transactionalIds);
    return { transactionalIds };
  }

  /** After a restore: abort every id of the restored context and make them the pool. */
  async finishRecoveringContext(context: KafkaTransactionContext): Promise<void> {
    for (const id of context.transactionalIds) await this.recovery.fenceAndAbort(id, this.options.transactionTimeoutMs);
    this.pool = new TransactionalIdPool(context.transactionalIds);
  }

  /** The hint subtask 0 writes at a snapshot. */
  nextHint(current: NextTransactionalIdHint): NextTransactionalIdHint {
    return this.ids.nextHint(current);
  }

  /**
   * Takes an id from the pool and begins a Kafka transaction on a **new** kafkajs producer for it,
   * on the connections the id kept from its earlier transactions (Flink's producer pool: no new
   * TCP/TLS/SASL handshakes or metadata load per checkpoint).
   *
   * Each new producer still sends InitProducerId (as Flink's new producer per transaction does),
   * which bumps the epoch, so the stored `{ transactionalId, producerId, epoch }` names exactly one
   * transaction. Keeping one producer (one epoch) for several transactions would not be safe: a
   * recovery EndTxn for an older, already committed transaction of that id could then commit a
   * later open one (records after the checkpoint: duplicates after the replay).
   */
  async beginTransaction(): Promise<KafkaTransactionState> {
    const transactionalId = this.pool.take();
    let live = this.producers.get(transactionalId);
    let transaction: Transaction;
    try {
      if (live === undefined) {
        const connection = createTransactionalConnection(this.options.kafka, {
          transactionalId,
          idempotent: true,
          maxInFlightRequests: 1,
          transactionTimeout: this.options.transactionTimeoutMs,
          allowAutoTopicCreation: false,
        });
        live = { connection, transaction: undefined };
        this.producers.set(transactionalId, live);
      }
      // a transaction still open on this id (none is expected) is fenced and aborted by the new InitProducerId
      live.transaction = undefined;
      const producer = live.connection.newProducer();
      await producer.connect();
      transaction = await producer.transaction();
      live.transaction = transaction;
    } catch (error) {
      await this.dropConnection(transactionalId);
      this.pool.giveBack(transactionalId);
      throw wrapKafkaJsError(error, { action: `beginning a transaction with transactional id ${transactionalId}` });
    }
    const identity = live.connection.identity();
    if (identity === undefined) {
      throw new KafkaError(`The producer id of transactional id ${transactionalId} could not be captured.`, {
        code: KafkaErrorCode.KAFKA_CLIENT_UNSUPPORTED,
      });
    }
    this.options.writer.setTarget((batch) => transaction.sendBatch(batch));
    return { transactionalId, producerId: identity.producerId, epoch: identity.epoch };
  }

  /** Writes one record into the current transaction. */
  write(record: TRecord, timestamp: number | undefined): void | Promise<void> {
    return this.options.writer.write(record, timestamp);
  }

  /** Flushes: every record of the transaction is acknowledged (and its partitions added). */
  async preCommit(_handle: KafkaTransactionState): Promise<void> {
    await this.options.writer.flush();
  }

  /** Commits a transaction this process began; returns its id to the pool. */
  async commit(handle: KafkaTransactionState): Promise<void> {
    await this.end(handle, true);
  }

  /** Aborts a transaction this process began; returns its id to the pool. */
  async abort(handle: KafkaTransactionState): Promise<void> {
    await this.end(handle, false);
  }

  /**
   * Commits a checkpointed transaction of an earlier process. When the broker refuses because the
   * transaction is not open any more: older than `transactionTimeoutMs` (by `startTimeMs`, when
   * known) it timed out and its records are lost, which fails with `KAFKA_TRANSACTION_TIMED_OUT`
   * (the base class ignores that with `ignoreFailuresAfterTransactionTimeout`); younger, it was
   * committed before (or had no records), which is only warned about.
   */
  async recoverAndCommit(handle: KafkaTransactionState, startTimeMs?: number): Promise<void> {
    if (handle.transactionalId === null || handle.producerId < 0) return;
    const outcome = await this.recovery.commit({ transactionalId: handle.transactionalId, producerId: handle.producerId, epoch: handle.epoch });
    if (outcome.kind !== 'already-ended') return;
    const ids = `${handle.transactionalId} (producer id ${handle.producerId}, epoch ${handle.epoch})`;
    const ageMs = startTimeMs === undefined ? undefined : Date.now() - startTimeMs;
    const { transactionTimeoutMs } = this.options;
    if (ageMs !== undefined && ageMs > transactionTimeoutMs) {
      throw new KafkaError(
        `Recovered transaction ${ids} began ${ageMs} ms ago, longer than transactionTimeoutMs = ${transactionTimeoutMs} ms, ` +
          `and Kafka refused to commit it (${outcome.reason}): the broker aborted it at its timeout, so the records it held are not in the output. ` +
          'Data may be lost. To restart from this checkpoint anyway, set ignoreFailuresAfterTransactionTimeout(true) on the sink and replay the lost range from the source if it is still there; ' +
          "to avoid it, raise transactionTimeoutMs (and the brokers' transaction.max.timeout.ms) above the longest downtime plus recovery time.",
        { code: KafkaErrorCode.KAFKA_TRANSACTION_TIMED_OUT, option: 'transactionTimeoutMs' },
      );
    }
    this.options.logger.warn(
      `Recovered transaction ${ids} was not open any more (${outcome.reason}): it was committed before, or it had no records.`,
      { ...handle, reason: outcome.reason, ...(ageMs === undefined ? {} : { ageMs }) },
    );
  }

  /** Aborts the transaction that was open at the checkpoint (fences its id). */
  async recoverAndAbort(handle: KafkaTransactionState): Promise<void> {
    if (handle.transactionalId === null || handle.producerId < 0) return;
    await this.recovery.fenceAndAbort(handle.transactionalId, this.options.transactionTimeoutMs);
  }

  /** Disconnects every producer without ending transactions, and the recovery client. */
  async disconnect(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(producers.map((p) => p.connection.close()));
    await this.recovery.close().catch(() => undefined);
  }

  private async end(handle: KafkaTransactionState, commit: boolean): Promise<void> {
    const id = handle.transactionalId;
    if (id === null) return;
    const live = this.producers.get(id);
    const transaction = live?.transaction;
    const identity = live?.connection.identity();
    const same = identity !== undefined && identity.producerId === handle.producerId && identity.epoch === handle.epoch;
    if (live === undefined || transaction === undefined || !same) {
      // Not begun by this process (e.g. committed after a restore): finish it from its ids.
      if (commit) await this.recoverAndCommit(handle);
      else await this.recoverAndAbort(handle);
      return;
    }
    live.transaction = undefined;
    try {
      if (commit) await transaction.commit();
      else await transaction.abort();
    } catch (error) {
      // a failed end leaves the producer in an unknown state: the next transaction of this id starts on new connections
      await this.dropConnection(id);
      throw wrapKafkaJsError(error, { action: `${commit ? 'committing' : 'aborting'} transaction ${id}` });
    }
    this.pool.giveBack(id);
  }

  private async dropConnection(transactionalId: string): Promise<void> {
    const live = this.producers.get(transactionalId);
    this.producers.delete(transactionalId);
    await live?.connection.close().catch(() => undefined);
  }
}
