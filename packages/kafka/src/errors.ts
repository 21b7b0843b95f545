/**
 * Errors of `@sluice/kafka`: {@link KafkaError} with a stable code from {@link KafkaErrorCode}, the
 * topic/partition/offset or option at fault, the wrapped kafkajs error as `cause` and its
 * `retriable` flag. Invalid options are core `ConfigError`s with code `KAFKA_CONFIG_INVALID`, so
 * `instanceof ConfigError` holds for them too.
 */
import { ConfigError, SluiceError, isSluiceError } from '@sluice/core';
import type { ErrorPlace, SluiceErrorOptions } from '@sluice/core';

/**
 * Error codes of this package. Codes are stable: renaming or removing one is a breaking change.
 */
export const KafkaErrorCode = {
  /** An option of a builder or of the client has a bad value; `option` names it. Not retriable. */
  KAFKA_CONFIG_INVALID: 'KAFKA_CONFIG_INVALID',
  /** No partition was found for the subscribed topics or pattern. */
  KAFKA_NO_PARTITIONS: 'KAFKA_NO_PARTITIONS',
  /** A topic or partition does not exist on the cluster. */
  KAFKA_UNKNOWN_TOPIC: 'KAFKA_UNKNOWN_TOPIC',
  /** No broker could be reached (connection refused, timed out, DNS). Retriable. */
  KAFKA_BROKER_UNREACHABLE: 'KAFKA_BROKER_UNREACHABLE',
  /** SASL authentication or TLS handshake failed. Not retriable. */
  KAFKA_AUTHENTICATION_FAILED: 'KAFKA_AUTHENTICATION_FAILED',
  /** The broker refused a record larger than its `message.max.bytes` / the topic's `max.message.bytes`. */
  KAFKA_RECORD_TOO_LARGE: 'KAFKA_RECORD_TOO_LARGE',
  /** Sending records failed (after the client's own retries). */
  KAFKA_SEND_FAILED: 'KAFKA_SEND_FAILED',
  /** Committing consumer offsets to Kafka failed (counted, never fatal for the job). */
  KAFKA_OFFSET_COMMIT_FAILED: 'KAFKA_OFFSET_COMMIT_FAILED',
  /** Another producer with the same transactional id (a newer epoch) fenced this one. */
  KAFKA_TRANSACTION_FENCED: 'KAFKA_TRANSACTION_FENCED',
  /** Committing or aborting a recovered transaction failed in a way that is not "already done". */
  KAFKA_TRANSACTION_RECOVERY_FAILED: 'KAFKA_TRANSACTION_RECOVERY_FAILED',
  /**
   * A recovered pre-committed transaction could not be committed and is older than
   * `transactionTimeoutMs`: the broker aborted it at its timeout, its records are lost. Not
   * retriable; see `ignoreFailuresAfterTransactionTimeout`.
   */
  KAFKA_TRANSACTION_TIMED_OUT: 'KAFKA_TRANSACTION_TIMED_OUT',
  /** `transaction.timeout.ms` exceeds the broker's `transaction.max.timeout.ms`. */
  KAFKA_TRANSACTION_TIMEOUT_TOO_LARGE: 'KAFKA_TRANSACTION_TIMEOUT_TOO_LARGE',
  /** Every transactional id of the sink's pool is in use (too many concurrent checkpoints). */
  KAFKA_PRODUCERS_POOL_EMPTY: 'KAFKA_PRODUCERS_POOL_EMPTY',
  /** The installed kafkajs is not the exact version whose internals this package relies on. */
  KAFKA_CLIENT_UNSUPPORTED: 'KAFKA_CLIENT_UNSUPPORTED',
  /** The source's timestamp assigner or watermark generator threw (`topic`/`partition`/`offset` of the record when known). */
  KAFKA_WATERMARK_FAILED: 'KAFKA_WATERMARK_FAILED',
  /** The broker answered something this package does not understand. */
  KAFKA_PROTOCOL: 'KAFKA_PROTOCOL',
  /** Any other client failure; `cause` holds the kafkajs error. */
  KAFKA_CLIENT_ERROR: 'KAFKA_CLIENT_ERROR',
} as const;

/** A code from {@link KafkaErrorCode}. */
export type KafkaErrorCode = (typeof KafkaErrorCode)[keyof typeof KafkaErrorCode];

/** Options of a {@link KafkaError}. */
export interface KafkaErrorOptions extends Omit<SluiceErrorOptions, 'code'> {
  /** The code from {@link KafkaErrorCode}. */
  readonly code: KafkaErrorCode;
}

/** An error of the Kafka connector; `code` is one of {@link KafkaErrorCode}. */
export class KafkaError extends SluiceError {
  declare readonly code: KafkaErrorCode;

  constructor(message: string, options: KafkaErrorOptions) {
    super(message, options);
  }
}

/** A `ConfigError` with code `KAFKA_CONFIG_INVALID` naming `option`. */
export function invalidOption(option: string, message: string): ConfigError {
  return new ConfigError(message, { option, code: KafkaErrorCode.KAFKA_CONFIG_INVALID });
}

/** The fields of a kafkajs error this package reads (kafkajs errors are plain `Error` subclasses). */
interface KafkaJsErrorLike {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
  readonly message?: unknown;
}

const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);
const UNKNOWN_TOPIC_TYPES = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'INVALID_TOPIC_EXCEPTION']);
const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** The kafkajs protocol error type (e.g. `INVALID_PRODUCER_EPOCH`) of `error` or of its causes. */
export function kafkaJsErrorType(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const like = current as KafkaJsErrorLike;
    if (typeof like.type === 'string') return like.type;
    current = like.cause;
  }
  return undefined;
}

function classify(error: unknown): KafkaErrorCode | undefined {
  const type = kafkaJsErrorType(error);
  if (type !== undefined) {
    if (FENCED_TYPES.has(type)) return KafkaErrorCode.KAFKA_TRANSACTION_FENCED;
    if (UNKNOWN_TOPIC_TYPES.has(type)) return KafkaErrorCode.KAFKA_UNKNOWN_TOPIC;
    if (TOO_LARGE_TYPES.has(type)) return KafkaErrorCode.KAFKA_RECORD_TOO_LARGE;
    if (type.startsWith('SASL_') || type === 'ILLEGAL_SASL_STATE') return KafkaErrorCode.KAFKA_AUTHENTICATION_FAILED;
  }
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const name = (current as KafkaJsErrorLike).name;
    if (name === 'KafkaJSConnectionError' || name === 'KafkaJSBrokerNotFound' || name === 'KafkaJSRequestTimeoutError') {
      return KafkaErrorCode.KAFKA_BROKER_UNREACHABLE;
    }
    if (name === 'KafkaJSSASLAuthenticationError') return KafkaErrorCode.KAFKA_AUTHENTICATION_FAILED;
    current = (current as KafkaJsErrorLike).cause;
  }
  return undefined;
}

/** What {@link wrapKafkaJsError} needs besides the error. */
export interface WrapOptions extends ErrorPlace {
  /** What was being done, e.g. `sending records`; starts the message. */
  readonly action: string;
  /** Code when the error is not one of the recognised kinds. @defaultValue `KAFKA_CLIENT_ERROR` */
  readonly fallbackCode?: KafkaErrorCode;
  /** Advice appended to the message. @defaultValue none */
  readonly hint?: string;
}

/**
 * Wraps a kafkajs (or other) error once, at the boundary: keeps it as `cause`, carries over its
 * `retriable` flag and picks a code. An error that already is a `SluiceError` is returned as is,
 * and so is a `SluiceError` in its `cause` chain: kafkajs wraps what a callback threw (the job's
 * own failure in `eachBatch`, say) in errors of its own, and that failure is the one to report.
 */
export function wrapKafkaJsError(error: unknown, options: WrapOptions): SluiceError {
  const own = sluiceErrorInChain(error);
  if (own !== undefined) return own;
  const { action, fallbackCode, hint, ...place } = options;
  const code = classify(error) ?? fallbackCode ?? KafkaErrorCode.KAFKA_CLIENT_ERROR;
  const where = describePlace(place);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `Kafka ${action} failed${where}: ${detail}${hint === undefined ? '' : ` ${hint}`}`;
  return new KafkaError(message, { ...place, code, cause: error });
}

/** The first `SluiceError` of `error` and its causes (at most 16 deep), if any. */
function sluiceErrorInChain(error: unknown): SluiceError | undefined {
  let current = error;
  for (let depth = 0; depth < 16 && current !== undefined && current !== null; depth += 1) {
    if (isSluiceError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** ` (topic t, partition p, offset o)` for the fields that are set, or an empty string. */
export function describePlace(place: ErrorPlace): string {
  const parts: string[] = [];
  if (place.topic !== undefined) parts.push(`topic ${place.topic}`);
  if (place.partition !== undefined) parts.push(`partition ${place.partition}`);
  if (place.offset !== undefined) parts.push(`offset ${place.offset}`);
  if (place.option !== undefined) parts.push(`option ${place.option}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
