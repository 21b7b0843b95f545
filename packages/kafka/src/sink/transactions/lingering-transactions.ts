/**
 * Operator tools for transactions an EXACTLY_ONCE sink left open (a job that crashed and is not
 * restored, a renamed job, a changed prefix): {@link listLingeringTransactions} finds the open
 * transactions whose transactional id starts with `<prefix>-` (ListTransactions on every broker,
 * then DescribeTransactions at each id's coordinator), and {@link abortLingering} aborts them by
 * sending InitProducerId for each id, which fences the old producer and makes the coordinator
 * abort its transaction. A `read_committed` reader stuck behind such a transaction (its last
 * stable offset cannot pass the transaction's first record) then moves on.
 *
 * Needs brokers with ListTransactions and DescribeTransactions (Kafka ≥ 3.0, KIP-664).
 */
import type { Kafka } from 'kafkajs';
import { KafkaError, KafkaErrorCode, invalidOption, wrapKafkaJsError } from '../../errors.js';
import { createKafkaJsClient, validateConnectionOptions } from '../../internal/kafka-client.js';
import type { KafkaConnectionOptions } from '../../internal/kafka-client.js';
import { SILENT_LOGGER } from '../../internal/logger.js';
import type { KafkaLogger } from '../../internal/logger.js';
import { TRANSACTION_COORDINATOR_TYPE, brokerSupports, connectInternalCluster, createInternalCluster, sendRawRequest } from './kafkajs-internals.js';
import type { InternalCluster } from './kafkajs-internals.js';
import {
  DESCRIBE_TRANSACTIONS_API_KEY,
  LIST_TRANSACTIONS_API_KEY,
  decodeDescribeTransactionsV0,
  decodeListTransactionsV0,
  encodeDescribeTransactionsV0,
  encodeListTransactionsV0,
} from './transaction-admin-protocol.js';
import type { DescribedTransaction } from './transaction-admin-protocol.js';
import { TransactionRecovery } from './transaction-recovery.js';

/** Options of {@link listLingeringTransactions} and {@link abortLingering}. */
export interface LingeringTransactionsOptions extends KafkaConnectionOptions {
  /**
   * The sink's `transactionalIdPrefix`: transactions whose id starts with `<prefix>-` are listed
   * (the sink's ids are `<prefix>-<operator uid>-<n>`). Required.
   */
  readonly prefix: string;
  /** Warnings and progress. @defaultValue drops everything */
  readonly logger?: KafkaLogger;
}

/** An open transaction, as the transaction coordinator describes it. */
export interface LingeringTransaction {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  /** `Ongoing` for a lingering transaction. */
  readonly state: string;
  /** When the transaction began (broker clock, ms since the epoch). */
  readonly startTimeMs: number;
  /** Its `transaction.timeout.ms`: the broker aborts it by itself this long after `startTimeMs`. */
  readonly transactionTimeoutMs: number;
  /** The partitions it wrote to, sorted by topic and partition. */
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly number[] }[];
}

const LINGERING_STATE = 'Ongoing';

/** One admin connection (kafkajs admin for the broker list, kafkajs internals for the raw requests). */
async function withAdminClients<T>(
  options: LingeringTransactionsOptions,
  action: string,
  use: (clients: { kafka: Kafka; cluster: InternalCluster; nodeIds: number[] }) => Promise<T>,
): Promise<T> {
  validateConnectionOptions(options);
  if (!/^[a-zA-Z0-9._-]+$/.test(options.prefix)) {
    throw invalidOption('prefix', `prefix "${options.prefix}" is not a transactional id prefix ([a-zA-Z0-9._-]+, as the sink requires).`);
  }
  const kafka = createKafkaJsClient(options, options.logger ?? SILENT_LOGGER);
  const admin = kafka.admin();
  const cluster = createInternalCluster(kafka);
  try {
    await admin.connect();
    const nodeIds = (await admin.describeCluster()).brokers.map((b) => b.nodeId);
    await connectInternalCluster(cluster);
    return await use({ kafka, cluster, nodeIds });
  } catch (error) {
    throw wrapKafkaJsError(error, { action, hint: 'Check bootstrapServers, TLS and SASL settings.' });
  } finally {
    await admin.disconnect().catch(() => undefined);
    await cluster.disconnect().catch(() => undefined);
  }
}

function requireApi(broker: unknown, apiKey: number, name: string): void {
  if (!brokerSupports(broker, apiKey, 0)) {
    throw new KafkaError(
      `The broker does not support ${name} (Kafka ≥ 3.0 does), so lingering transactions cannot be listed. ` +
        'A restarted EXACTLY_ONCE sink still aborts every id of its own range on start; ' +
        'to abort ids by hand, run a transactional producer with each id (its InitProducerId aborts the open transaction).',
      { code: KafkaErrorCode.KAFKA_CLIENT_UNSUPPORTED },
    );
  }
}

async function brokerOf(cluster: InternalCluster, nodeId: number): Promise<unknown> {
  const find = (cluster as unknown as { findBroker?: (request: { nodeId: number }) => Promise<unknown> }).findBroker;
  if (typeof find !== 'function') {
    throw new KafkaError('@sluice/kafka needs kafkajs 2.2.4 exactly: its Cluster has no findBroker().', {
      code: KafkaErrorCode.KAFKA_CLIENT_UNSUPPORTED,
    });
  }
  // a first miss refreshes the metadata (kafkajs), the second call finds the broker
  return find.call(cluster, { nodeId }).catch(() => find.call(cluster, { nodeId }));
}

function failIfError(errorCode: number, what: string): void {
  if (errorCode !== 0) {
    throw new KafkaError(`The broker answered ${what} with Kafka error code ${errorCode}.`, {
      code: KafkaErrorCode.KAFKA_CLIENT_ERROR,
      retriable: true,
    });
  }
}

async function describe(cluster: InternalCluster, transactionalId: string): Promise<DescribedTransaction | undefined> {
  const coordinator = await cluster.findGroupCoordinator({ groupId: transactionalId, coordinatorType: TRANSACTION_COORDINATOR_TYPE });
  requireApi(coordinator, DESCRIBE_TRANSACTIONS_API_KEY, 'DescribeTransactions');
  const [described] = await sendRawRequest(coordinator, {
    apiKey: DESCRIBE_TRANSACTIONS_API_KEY,
    apiVersion: 0,
    apiName: 'DescribeTransactions',
    body: encodeDescribeTransactionsV0([transactionalId]),
    decode: decodeDescribeTransactionsV0,
  });
  if (described === undefined) return undefined;
  failIfError(described.errorCode, `DescribeTransactions for ${transactionalId}`);
  return described;
}

async function listOpen(clients: { cluster: InternalCluster; nodeIds: number[] }, prefix: string): Promise<LingeringTransaction[]> {
  const ids = new Set<string>();
  for (const nodeId of clients.nodeIds) {
    const broker = await brokerOf(clients.cluster, nodeId);
    requireApi(broker, LIST_TRANSACTIONS_API_KEY, 'ListTransactions');
    const listed = await sendRawRequest(broker, {
      apiKey: LIST_TRANSACTIONS_API_KEY,
      apiVersion: 0,
      apiName: 'ListTransactions',
      body: encodeListTransactionsV0({ states: [LINGERING_STATE], producerIds: [] }),
      decode: decodeListTransactionsV0,
    });
    failIfError(listed.errorCode, `ListTransactions (broker ${nodeId})`);
    for (const t of listed.transactions) if (t.transactionalId.startsWith(`${prefix}-`)) ids.add(t.transactionalId);
  }
  const open: LingeringTransaction[] = [];
  for (const id of [...ids].sort()) {
    const d = await describe(clients.cluster, id);
    // it may have ended between the two requests
    if (d === undefined || d.state !== LINGERING_STATE) continue;
    open.push({
      transactionalId: d.transactionalId,
      producerId: d.producerId,
      producerEpoch: d.producerEpoch,
      state: d.state,
      startTimeMs: d.transactionStartTimeMs,
      transactionTimeoutMs: d.transactionTimeoutMs,
      topics: d.topics
        .map((t) => ({ topic: t.topic, partitions: [...t.partitions].sort((a, b) => a - b) }))
        .sort((a, b) => a.topic.localeCompare(b.topic)),
    });
  }
  return open;
}

/**
 * The open (`Ongoing`) transactions whose transactional id starts with `<prefix>-`, sorted by id.
 *
 * ```ts
 * const open = await listLingeringTransactions({ bootstrapServers: ['kafka:9092'], prefix: 'orders-job' });
 * ```
 */
export function listLingeringTransactions(options: LingeringTransactionsOptions): Promise<LingeringTransaction[]> {
  return withAdminClients(options, 'listing lingering transactions', (clients) => listOpen(clients, options.prefix));
}

/**
 * Aborts every open transaction of `<prefix>-…` (InitProducerId for each id: fences its producer,
 * the coordinator aborts the transaction; resolves once the abort is complete) and returns what
 * was aborted.
 *
 * Only for transactions no job will commit: a job restored from a checkpoint commits the
 * pre-committed transactions that checkpoint holds, and one aborted here is lost to it (its
 * records are gone; the restored job warns and goes on). Stop or cancel the job first.
 */
export function abortLingering(options: LingeringTransactionsOptions): Promise<LingeringTransaction[]> {
  return withAdminClients(options, 'aborting lingering transactions', async (clients) => {
    const open = await listOpen(clients, options.prefix);
    const recovery = new TransactionRecovery(clients.kafka, options.logger === undefined ? {} : { logger: options.logger });
    try {
      for (const txn of open) {
        await recovery.fenceAndAbort(txn.transactionalId, txn.transactionTimeoutMs);
        options.logger?.info?.(`Aborted transaction ${txn.transactionalId}`, { producerId: txn.producerId, epoch: txn.producerEpoch });
      }
    } finally {
      await recovery.close().catch(() => undefined);
    }
    return open;
  });
}
