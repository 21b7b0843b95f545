/**
 * The kafkajs internals this package relies on, in one place, checked before first use.
 *
 * kafkajs 2.2.4 keeps a transactional producer's producer id and epoch in a closure (its EOS
 * manager) and has no public call to commit a transaction of an earlier process. What we use:
 *
 * 1. `Kafka[Symbol('private:Kafka:createCluster')]` (src/index.js): the per-client factory of
 *    `Cluster` objects; every `kafka.producer()` calls it once, synchronously.
 * 2. `Cluster#connect()`, `#refreshMetadata()`, `#disconnect()`, `#findGroupCoordinator({ groupId, coordinatorType })`
 *    (src/cluster/index.js). `coordinatorType` 1 = TRANSACTION (FindCoordinator key type 1).
 * 3. `Broker#endTxn({ transactionalId, producerId, producerEpoch, transactionResult })` and
 *    `Broker#initProducerId({ transactionalId, transactionTimeout })` (src/broker/index.js), which
 *    send EndTxn and InitProducerId at the highest version both sides support (v1 of each with
 *    kafkajs 2.2.4), and `Broker#addPartitionsToTxn(...)`, which the EOS manager calls with the
 *    producer id and epoch of the running transaction.
 * 4. The EOS manager (src/producer/eosManager/index.js) obtains its coordinator with
 *    `cluster.findGroupCoordinator(...)` and then calls `broker.initProducerId` (once per producer,
 *    the result holds `producerId` and `producerEpoch`) and `broker.addPartitionsToTxn` on it.
 *    Capturing those two calls on the producer's own cluster gives the ids without touching any
 *    other client.
 * 5. `Broker#fetch(request)` (src/broker/index.js), which a consumer group calls once per fetch
 *    with the whole request (`maxBytes`, and `topics[].partitions[].maxBytes` per partition) and
 *    which resolves to the decoded response before kafkajs builds its batches: wrapped on a
 *    consumer's own cluster to size its fetches and to filter aborted records.
 *
 * `assertKafkaJsInternals` checks the exact version and the presence of each of these before use,
 * and fails with `KAFKA_CLIENT_UNSUPPORTED` otherwise.
 */
import type { Consumer, ConsumerConfig, Kafka, Producer, ProducerConfig } from 'kafkajs';
import { KafkaError, KafkaErrorCode } from '../../errors.js';
import { installedKafkaJsVersion, SUPPORTED_KAFKAJS_VERSION } from '../../internal/kafkajs-version.js';
import { filterFetchResponse } from '../../internal/read-committed.js';

export { installedKafkaJsVersion, SUPPORTED_KAFKAJS_VERSION };

const CREATE_CLUSTER_DESCRIPTION = 'private:Kafka:createCluster';
/** FindCoordinator key type of transaction coordinators. */
export const TRANSACTION_COORDINATOR_TYPE = 1;

/** The subset of kafkajs's internal `Broker` this package calls. */
export interface InternalBroker {
  endTxn(request: {
    transactionalId: string;
    producerId: number;
    producerEpoch: number;
    transactionResult: boolean;
  }): Promise<unknown>;
  initProducerId(request: {
    transactionalId?: string;
    transactionTimeout: number;
  }): Promise<{ producerId: number | string; producerEpoch: number }>;
  addPartitionsToTxn(request: {
    transactionalId: string;
    producerId: number | string;
    producerEpoch: number;
    topics: unknown;
  }): Promise<unknown>;
}

/** The subset of kafkajs's internal `Broker` the source calls to commit offsets. */
export interface InternalGroupBroker {
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    retentionTime?: number;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
}

/** Group coordinators (FindCoordinator key type 0). */
export const GROUP_COORDINATOR_TYPE = 0;

/**
 * Commits offsets for a group that has no members (what Java's `KafkaConsumer.commitAsync` does
 * after `assign()`): OffsetCommit with generation -1 and an empty member id, sent to the group's
 * coordinator through `Broker#offsetCommit` (kafkajs internal).
 */
export async function commitGroupOffsets(
  cluster: InternalCluster,
  request: { groupId: string; offsets: readonly { topic: string; partition: number; offset: number }[] },
): Promise<void> {
  const broker = (await cluster.findGroupCoordinator({
    groupId: request.groupId,
    coordinatorType: GROUP_COORDINATOR_TYPE,
  })) as unknown as Record<string, unknown>;
  if (typeof broker['offsetCommit'] !== 'function') throw unsupported('its Broker has no offsetCommit()');
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const o of request.offsets) {
    const list = byTopic.get(o.topic) ?? [];
    list.push({ partition: o.partition, offset: String(o.offset) });
    byTopic.set(o.topic, list);
  }
  await (broker as unknown as InternalGroupBroker).offsetCommit({
    groupId: request.groupId,
    groupGenerationId: -1,
    memberId: '',
    topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
  });
}

/** The subset of kafkajs's internal `Cluster` this package calls. */
export interface InternalCluster {
  connect(): Promise<void>;
  /** Loads the broker list (a Metadata request for no topics). */
  refreshMetadata(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string; coordinatorType: number }): Promise<InternalBroker>;
}

/** A request kafkajs does not have, as bytes: {@link sendRawRequest} sends it over a kafkajs broker connection. */
export interface RawRequest<TResponse> {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly apiName: string;
  /** The request after kafkajs's header v1 (apiKey, apiVersion, correlationId, clientId). */
  readonly body: Buffer;
  /** Decodes the response after its correlation id; throws on an error code it cannot accept. */
  readonly decode: (payload: Buffer) => TResponse;
}

interface RawBroker {
  readonly versions?: Record<number, { minVersion: number; maxVersion: number }> | null;
  readonly connectionPool?: {
    send(protocol: {
      request: { apiKey: number; apiVersion: number; apiName: string; encode: () => Promise<{ buf: Buffer; buffer: Buffer }> };
      response: { decode: (payload: Buffer) => Promise<unknown>; parse: (data: unknown) => Promise<unknown> };
    }): Promise<unknown>;
  };
}

/**
 * Whether `broker` (a kafkajs internal `Broker`, connected) supports `apiVersion` of `apiKey`,
 * from its ApiVersions answer (`Broker#versions`).
 */
export function brokerSupports(broker: unknown, apiKey: number, apiVersion: number): boolean {
  const range = (broker as RawBroker).versions?.[apiKey];
  return range !== undefined && range.minVersion <= apiVersion && apiVersion <= range.maxVersion;
}

/**
 * Sends `request` over the connection of a kafkajs internal `Broker` (`Broker#connectionPool.send`,
 * the call every kafkajs request goes through: authentication, correlation ids and timeouts are
 * kafkajs's) and returns its decoded response.
 */
export async function sendRawRequest<TResponse>(broker: unknown, request: RawRequest<TResponse>): Promise<TResponse> {
  const pool = (broker as RawBroker).connectionPool;
  if (pool === undefined || typeof pool.send !== 'function') throw unsupported('its Broker has no connectionPool.send()');
  const { body, decode, ...header } = request;
  const result = await pool.send({
    request: { ...header, encode: () => Promise.resolve({ buf: body, buffer: body }) },
    response: { decode: (payload) => Promise.resolve(decode(payload)), parse: (data) => Promise.resolve(data) },
  });
  return result as TResponse;
}

type CreateCluster = (options: Record<string, unknown>) => InternalCluster;

let versionChecked = false;

function unsupported(detail: string): KafkaError {
  return new KafkaError(
    `@sluice/kafka needs kafkajs ${SUPPORTED_KAFKAJS_VERSION} exactly for transaction recovery (it uses kafkajs internals), but ${detail}. ` +
      `Install kafkajs@${SUPPORTED_KAFKAJS_VERSION} (the version @sluice/kafka pins), and make sure only one copy is installed.`,
    { code: KafkaErrorCode.KAFKA_CLIENT_UNSUPPORTED },
  );
}

function checkVersion(): void {
  if (versionChecked) return;
  const version = installedKafkaJsVersion();
  if (version !== SUPPORTED_KAFKAJS_VERSION) throw unsupported(`kafkajs ${version} is installed`);
  versionChecked = true;
}

function createClusterSymbol(kafka: Kafka): symbol {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER_DESCRIPTION);
  if (symbol === undefined || typeof (kafka as unknown as Record<symbol, unknown>)[symbol] !== 'function') {
    throw unsupported(`the Kafka client has no "${CREATE_CLUSTER_DESCRIPTION}" factory`);
  }
  return symbol;
}

function checkCluster(cluster: unknown): InternalCluster {
  for (const method of ['connect', 'refreshMetadata', 'disconnect', 'findGroupCoordinator'] as const) {
    if (typeof (cluster as Record<string, unknown>)[method] !== 'function') {
      throw unsupported(`its Cluster has no ${method}()`);
    }
  }
  return cluster as InternalCluster;
}

/** Checks a broker object returned by `findGroupCoordinator`. */
export function checkBroker(broker: unknown): InternalBroker {
  for (const method of ['endTxn', 'initProducerId', 'addPartitionsToTxn'] as const) {
    if (typeof (broker as Record<string, unknown>)[method] !== 'function') {
      throw unsupported(`its Broker has no ${method}()`);
    }
  }
  return broker as InternalBroker;
}

/**
 * Checks the version and the `createCluster` factory of `kafka`. Call before anything else here;
 * it is cheap after the first call.
 */
export function assertKafkaJsInternals(kafka: Kafka): void {
  checkVersion();
  createClusterSymbol(kafka);
}

/** A new (unconnected) internal cluster of `kafka`, with the client's brokers, TLS and SASL. */
export function createInternalCluster(kafka: Kafka): InternalCluster {
  assertKafkaJsInternals(kafka);
  const factory = (kafka as unknown as Record<symbol, CreateCluster>)[createClusterSymbol(kafka)]!;
  return checkCluster(factory.call(kafka, { allowAutoTopicCreation: false }));
}

/**
 * Connects an internal cluster and loads its broker list. kafkajs's `Cluster.connect()` only
 * reaches a seed broker; the first `findGroupCoordinator` then finds no broker in its pool,
 * refreshes the metadata and tries again after kafkajs's retry delay (300 ms by default), which
 * is what a restarted sink waited per subtask before committing its recovered transactions.
 */
export async function connectInternalCluster(cluster: InternalCluster): Promise<void> {
  await cluster.connect();
  await cluster.refreshMetadata();
}

/** The producer id and epoch of a transactional producer. */
export interface ProducerIdentity {
  readonly producerId: number;
  readonly epoch: number;
}

/** A kafkajs producer together with a way to read its producer id and epoch. */
export interface CapturingProducer {
  readonly producer: Producer;
  /**
   * The producer id and epoch of the producer's current transactional session: set once the
   * first `transaction()` has initialized it (InitProducerId), updated if kafkajs re-initializes.
   */
  identity(): ProducerIdentity | undefined;
}

/**
 * The connections of one transactional id, kept across its transactions: every
 * {@link TransactionalConnection.newProducer} is a new kafkajs producer (a new EOS manager, so
 * its first `transaction()` sends InitProducerId and gets a new epoch) on the same, already
 * connected kafkajs cluster (no new TCP/TLS/SASL handshakes, no metadata reload).
 */
export interface TransactionalConnection {
  /** A new producer on the shared cluster; {@link identity} is reset until its InitProducerId answers. */
  newProducer(): Producer;
  /** The producer id and epoch of the newest producer (see {@link CapturingProducer.identity}). */
  identity(): ProducerIdentity | undefined;
  /** Disconnects the shared cluster (each producer's `disconnect()` does the same). */
  close(): Promise<void>;
}

/**
 * kafkajs decodes the INT64 producer id as a decimal string. Producer ids are allocated from 0 in
 * blocks, far below 2^53; a larger one is refused rather than rounded.
 */
export function toProducerId(value: number | string): number {
  const id = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(id)) {
    throw new KafkaError(`The broker returned producer id ${String(value)}, which is not a safe integer.`, {
      code: KafkaErrorCode.KAFKA_PROTOCOL,
    });
  }
  return id;
}

const INSTRUMENTED = Symbol('sluice:kafka:captures-producer-identity');

/**
 * Creates `kafka.producer(config)` whose own cluster reports the producer id and epoch the EOS
 * manager obtains (InitProducerId result) and uses (AddPartitionsToTxn arguments). Only this
 * producer's cluster and brokers are instrumented; `kafka` is restored before returning.
 */
export function createCapturingProducer(kafka: Kafka, config: ProducerConfig): CapturingProducer {
  const connection = createTransactionalConnection(kafka, config);
  return { producer: connection.newProducer(), identity: () => connection.identity() };
}

/**
 * A {@link TransactionalConnection} for `config.transactionalId`: its cluster is created by the
 * first producer and handed to every later one; the cluster's transaction coordinators report
 * the producer id and epoch (as {@link createCapturingProducer} describes). `kafka` is restored
 * after each `newProducer()`.
 */
export function createTransactionalConnection(kafka: Kafka, config: ProducerConfig): TransactionalConnection {
  assertKafkaJsInternals(kafka);
  const symbol = createClusterSymbol(kafka);
  const target = kafka as unknown as Record<symbol, CreateCluster>;
  const original = target[symbol]!;
  let identity: ProducerIdentity | undefined;
  let shared: InternalCluster | undefined;
  const transactionalId = config.transactionalId;
  const instrumentBroker = (broker: InternalBroker & { [INSTRUMENTED]?: true }): void => {
    if (broker[INSTRUMENTED] === true) return;
    const initProducerId = broker.initProducerId.bind(broker);
    const addPartitionsToTxn = broker.addPartitionsToTxn.bind(broker);
    Object.defineProperties(broker, {
      [INSTRUMENTED]: { value: true },
      initProducerId: {
        configurable: true,
        writable: true,
        value: async (request: Parameters<InternalBroker['initProducerId']>[0]) => {
          const result = await initProducerId(request);
          if (request.transactionalId === transactionalId) {
            identity = { producerId: toProducerId(result.producerId), epoch: result.producerEpoch };
          }
          return result;
        },
      },
      addPartitionsToTxn: {
        configurable: true,
        writable: true,
        value: (request: Parameters<InternalBroker['addPartitionsToTxn']>[0]) => {
          if (request.transactionalId === transactionalId) {
            identity = { producerId: toProducerId(request.producerId), epoch: request.producerEpoch };
          }
          return addPartitionsToTxn(request);
        },
      },
    });
  };
  const sharedCluster: CreateCluster = (options) => {
    if (shared !== undefined) return shared;
    const cluster = checkCluster(original.call(kafka, options));
    const findGroupCoordinator = cluster.findGroupCoordinator.bind(cluster);
    cluster.findGroupCoordinator = async (request) => {
      const broker = checkBroker(await findGroupCoordinator(request));
      if (request.coordinatorType === TRANSACTION_COORDINATOR_TYPE) instrumentBroker(broker);
      return broker;
    };
    shared = cluster;
    return cluster;
  };
  return {
    newProducer: () => {
      identity = undefined;
      target[symbol] = sharedCluster;
      try {
        return kafka.producer(config);
      } finally {
        target[symbol] = original;
      }
    },
    identity: () => identity,
    close: async () => {
      await shared?.disconnect();
    },
  };
}

const FETCH_INSTRUMENTED = Symbol('sluice:kafka:instrumented-fetch');

/**
 * The request `Broker#fetch` (kafkajs internal) receives from the consumer group, as far as
 * {@link FetchHooks.request} may change it: the fetch's and each partition's byte limits.
 */
export interface InternalFetchRequest {
  readonly maxBytes: number;
  readonly topics: readonly {
    readonly topic: string;
    readonly partitions: readonly { readonly partition: number; readonly maxBytes: number }[];
  }[];
}

/** What {@link createInstrumentedConsumer} does around every fetch of the consumer. */
export interface FetchHooks {
  /** Returns the request to send instead of `request` (e.g. with other byte limits). */
  readonly request?: (request: InternalFetchRequest) => InternalFetchRequest;
  /** Sees (and may change) the decoded response before kafkajs builds its batches. */
  readonly response?: (response: unknown) => void;
  /**
   * Once aborted, a fetch in flight resolves at once with an empty response (the broker's answer
   * is dropped) and no further fetch is sent. For a consumer being stopped: kafkajs's `stop()`
   * waits for the fetch in flight, and a consumer whose partitions are all read long-polls for
   * its whole `maxWaitTime`.
   */
  readonly signal?: AbortSignal;
}

/** What `Broker#fetch` resolves to when no partition returned anything. */
function emptyFetchResponse(): { responses: never[] } {
  return { responses: [] };
}

const ABORTED = Symbol('aborted');

/** `promise`, or {@link ABORTED} as soon as `signal` aborts (a later rejection of `promise` is ignored). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      resolve(ABORTED);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Wraps `broker.fetch` (kafkajs internal) once with `hooks`; a broker already wrapped is left as it
 * is. Throws `KAFKA_CLIENT_UNSUPPORTED` when the broker has no `fetch`.
 */
export function instrumentBrokerFetch(broker: unknown, hooks: FetchHooks): void {
  const b = broker as { fetch?: (request: unknown) => Promise<unknown>; [FETCH_INSTRUMENTED]?: true };
  if (b[FETCH_INSTRUMENTED] === true) return;
  if (typeof b.fetch !== 'function') throw unsupported('its Broker has no fetch()');
  const fetch = b.fetch.bind(broker);
  Object.defineProperties(broker, {
    [FETCH_INSTRUMENTED]: { value: true },
    fetch: {
      configurable: true,
      writable: true,
      value: async (request: InternalFetchRequest) => {
        const { signal } = hooks;
        if (signal?.aborted === true) return emptyFetchResponse();
        const sent = fetch(hooks.request === undefined ? request : hooks.request(request));
        const response = signal === undefined ? await sent : await untilAborted(sent, signal);
        if (response === ABORTED) return emptyFetchResponse();
        hooks.response?.(response);
        return response;
      },
    },
  });
}

/**
 * Creates `kafka.consumer(config)` on a cluster of its own whose brokers' `fetch` (kafkajs
 * internal, called with the whole request once per fetch) runs `hooks` around each fetch. Other
 * clients of `kafka` are not affected. Requires kafkajs 2.2.4 exactly (checked).
 */
export function createInstrumentedConsumer(kafka: Kafka, config: ConsumerConfig, hooks: FetchHooks): Consumer {
  assertKafkaJsInternals(kafka);
  const symbol = createClusterSymbol(kafka);
  const target = kafka as unknown as Record<symbol, CreateCluster>;
  const original = target[symbol]!;
  target[symbol] = (options) => {
    const cluster = checkCluster(original.call(kafka, options)) as InternalCluster & { findBroker?: (request: unknown) => Promise<unknown> };
    if (typeof cluster.findBroker !== 'function') throw unsupported('its Cluster has no findBroker()');
    const findBroker = cluster.findBroker.bind(cluster);
    cluster.findBroker = async (request: unknown) => {
      const broker = await findBroker(request);
      instrumentBrokerFetch(broker, hooks);
      return broker;
    };
    return cluster;
  };
  try {
    return kafka.consumer(config);
  } finally {
    target[symbol] = original;
  }
}

/**
 * Creates `kafka.consumer(config)` whose own cluster filters aborted transactional records
 * correctly (see `internal/read-committed.ts`: kafkajs 2.2.4's own filter lets some through when
 * transactions of several producers interleave). Use it for every `read_committed` consumer,
 * e.g. to read what a `KafkaSink` with `DeliveryGuarantee.EXACTLY_ONCE` wrote:
 *
 * ```ts
 * const consumer = createReadCommittedConsumer(new Kafka({ brokers }), { groupId: 'reader' });
 * ```
 *
 * `readUncommitted` is forced to false. Requires kafkajs 2.2.4 exactly (checked; a
 * `KAFKA_CLIENT_UNSUPPORTED` error otherwise). `kafka` and `config` are kafkajs's own types,
 * passed through.
 */
export function createReadCommittedConsumer(kafka: Kafka, config: ConsumerConfig): Consumer {
  return createInstrumentedConsumer(kafka, { ...config, readUncommitted: false }, { response: filterFetchResponse });
}
