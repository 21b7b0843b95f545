/**
 * Commits or aborts a pre-committed Kafka transaction from a new process, given the
 * `{ transactionalId, producerId, epoch }` stored in a checkpoint (Flink's
 * `recoverAndCommit` / `resumeTransaction`). It sends FindCoordinator (key type TRANSACTION) and
 * EndTxn with the stored producer id and epoch, through kafkajs's own connection code (TLS and
 * SASL included; see kafkajs-internals.ts for what is relied on).
 *
 * Ordering rule: commit a recovered transaction **before** any producer is initialized with the
 * same transactional id. InitProducerId fences the old epoch and aborts its open transaction, after
 * which EndTxn with the old epoch fails (INVALID_PRODUCER_EPOCH / PRODUCER_FENCED).
 */
import type { Kafka } from 'kafkajs';
import { KafkaError, KafkaErrorCode, kafkaJsErrorType } from '../../errors.js';
import { SILENT_LOGGER } from '../../internal/logger.js';
import type { KafkaLogger } from '../../internal/logger.js';
import { TRANSACTION_COORDINATOR_TYPE, checkBroker, connectInternalCluster, createInternalCluster, toProducerId } from './kafkajs-internals.js';
import type { InternalCluster, ProducerIdentity } from './kafkajs-internals.js';

/** A transaction to finish, as stored in a checkpoint. */
export interface RecoverableTransaction {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly epoch: number;
}

/**
 * How a recovery call ended.
 * - `committed` / `aborted`: the broker accepted EndTxn (also when it had already been done with
 *   the same result: EndTxn is idempotent for the same epoch).
 * - `already-ended`: the broker refused because the transaction is no longer open under that
 *   epoch: it was ended the other way, a newer producer fenced it (which aborts an open
 *   transaction), or the transaction timed out and was aborted. `reason` is the broker's error.
 */
export type RecoveryOutcome =
  | { readonly kind: 'committed' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'already-ended'; readonly reason: string };

/** Options of {@link TransactionRecovery}. */
export interface TransactionRecoveryOptions {
  /** @defaultValue drops everything */
  readonly logger?: KafkaLogger;
  /** How long to retry retriable broker errors (coordinator loading or moving, concurrent transactions). @defaultValue 60000 */
  readonly retryTimeoutMs?: number;
}

/** Broker errors that mean the transaction is not open under that epoch any more. */
const ALREADY_ENDED = new Set([
  'INVALID_TXN_STATE',
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_ID_MAPPING',
  'TRANSACTIONAL_ID_NOT_FOUND',
]);

/** Broker errors worth another try after finding the coordinator again. */
const RETRIABLE = new Set([
  'CONCURRENT_TRANSACTIONS',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_LOAD_IN_PROGRESS',
  'REQUEST_TIMED_OUT',
]);

function isRetriable(error: unknown): boolean {
  const type = kafkaJsErrorType(error);
  if (type !== undefined) return RETRIABLE.has(type);
  return (error as { retriable?: unknown } | null)?.retriable === true;
}

/** First delay before retrying a retriable broker error, ms; doubled per attempt up to 1 s. */
const FIRST_RETRY_DELAY_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Finishes transactions of earlier processes. One instance holds one connection pool; `close()` it. */
export class TransactionRecovery {
  private cluster: InternalCluster | undefined;
  private readonly logger: KafkaLogger;
  private readonly retryTimeoutMs: number;

  constructor(
    private readonly kafka: Kafka,
    options: TransactionRecoveryOptions = {},
  ) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.retryTimeoutMs = options.retryTimeoutMs ?? 60_000;
  }

  /** Commits the transaction (EndTxn commit with the stored producer id and epoch). */
  commit(txn: RecoverableTransaction): Promise<RecoveryOutcome> {
    return this.endTransaction(txn, true);
  }

  /** Aborts the transaction (EndTxn abort with the stored producer id and epoch). */
  abort(txn: RecoverableTransaction): Promise<RecoveryOutcome> {
    return this.endTransaction(txn, false);
  }

  /**
   * Fences every earlier producer of `transactionalId` and aborts its open transaction, if any,
   * by sending InitProducerId (what a new producer does). Returns the new producer id and epoch.
   */
  async fenceAndAbort(transactionalId: string, transactionTimeoutMs: number): Promise<ProducerIdentity> {
    return this.withRetries(`fencing transactional id ${transactionalId}`, async () => {
      const broker = await this.coordinator(transactionalId);
      const result = await broker.initProducerId({ transactionalId, transactionTimeout: transactionTimeoutMs });
      return { producerId: toProducerId(result.producerId), epoch: result.producerEpoch };
    }).then((outcome) => {
      if ('reason' in outcome) {
        throw new KafkaError(`Fencing transactional id ${transactionalId} failed: ${outcome.reason}.`, {
          code: KafkaErrorCode.KAFKA_TRANSACTION_RECOVERY_FAILED,
        });
      }
      return outcome.value;
    });
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    if (cluster !== undefined) await cluster.disconnect();
  }

  private async endTransaction(txn: RecoverableTransaction, commit: boolean): Promise<RecoveryOutcome> {
    const verb = commit ? 'committing' : 'aborting';
    const outcome = await this.withRetries(
      `${verb} transaction ${txn.transactionalId} (producer id ${txn.producerId}, epoch ${txn.epoch})`,
      async () => {
        const broker = await this.coordinator(txn.transactionalId);
        await broker.endTxn({
          transactionalId: txn.transactionalId,
          producerId: txn.producerId,
          producerEpoch: txn.epoch,
          transactionResult: commit,
        });
        return undefined;
      },
    );
    if ('reason' in outcome) return { kind: 'already-ended', reason: outcome.reason };
    return commit ? { kind: 'committed' } : { kind: 'aborted' };
  }

  private async coordinator(transactionalId: string) {
    if (this.cluster === undefined) {
      const cluster = createInternalCluster(this.kafka);
      await connectInternalCluster(cluster);
      this.cluster = cluster;
    }
    const broker = await this.cluster.findGroupCoordinator({
      groupId: transactionalId,
      coordinatorType: TRANSACTION_COORDINATOR_TYPE,
    });
    return checkBroker(broker);
  }

  private async withRetries<TValue>(
    what: string,
    attempt: () => Promise<TValue>,
  ): Promise<{ readonly value: TValue } | { readonly reason: string }> {
    const deadline = Date.now() + this.retryTimeoutMs;
    // The common retry is CONCURRENT_TRANSACTIONS while the broker writes the abort markers of the
    // transaction an InitProducerId just fenced (milliseconds): start short, as Java's producer does
    // for its AddPartitionsToTxn retries (20 ms), and back off to 1 s.
    let delay = FIRST_RETRY_DELAY_MS;
    for (let tries = 1; ; tries += 1) {
      try {
        return { value: await attempt() };
      } catch (error) {
        if (error instanceof KafkaError) throw error;
        const type = kafkaJsErrorType(error);
        if (type !== undefined && ALREADY_ENDED.has(type)) return { reason: type };
        if (!isRetriable(error) || Date.now() + delay > deadline) {
          throw new KafkaError(
            `Kafka refused ${what} after ${tries} attempt(s): ${error instanceof Error ? error.message : String(error)}. ` +
              'If the broker is unreachable, the job fails over and tries again on restart; the transaction stays open until transaction.timeout.ms.',
            { code: KafkaErrorCode.KAFKA_TRANSACTION_RECOVERY_FAILED, cause: error },
          );
        }
        this.logger.info?.(`Retrying ${what} after a retriable error`, { error: type ?? String(error), tries });
        await sleep(delay);
        delay = Math.min(delay * 2, 1000);
      }
    }
  }
}
