/**
 * Sluice's error model (STYLE.md §5): every error Sluice throws is a {@link SluiceError} with a
 * stable `code`, a `retriable` flag (false unless a cause says otherwise) and the place where it
 * happened (topic/partition/offset, path, option, checkpoint, operator, subtask).
 */

/**
 * Error codes used by `@sluice/core`. Codes are stable: renaming or removing one is a breaking change.
 * Connector packages keep their own tables with their own prefix (`KAFKA_`, `HDFS_`, ...).
 */
export const CoreErrorCode = {
  /** An option has a value that breaks a rule; the message names the option, the value and the rule. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** A stateful operator has no `uid(...)`, so its state could not be matched on restore. */
  OPERATOR_UID_MISSING: 'OPERATOR_UID_MISSING',
  /** Two operators of one job share a uid. */
  OPERATOR_UID_DUPLICATE: 'OPERATOR_UID_DUPLICATE',
  /** A checkpoint holds state for an operator uid the job no longer has. */
  STATE_UNMATCHED_OPERATOR: 'STATE_UNMATCHED_OPERATOR',
  /** Restored state was written by a serializer this release cannot read (other type). */
  STATE_INCOMPATIBLE: 'STATE_INCOMPATIBLE',
  /** Restored state carries a format version this release does not know. */
  STATE_UNKNOWN_VERSION: 'STATE_UNKNOWN_VERSION',
  /** State bytes are truncated, have trailing bytes, or are otherwise unreadable. */
  STATE_CORRUPT: 'STATE_CORRUPT',
  /** A state handle was used outside the place the contract allows (e.g. before initializeState). */
  STATE_ACCESS_INVALID: 'STATE_ACCESS_INVALID',
  /** `restore` names a path that holds no complete checkpoint. */
  CHECKPOINT_NOT_FOUND: 'CHECKPOINT_NOT_FOUND',
  /** A checkpoint did not complete within its timeout. */
  CHECKPOINT_TIMEOUT: 'CHECKPOINT_TIMEOUT',
  /** A checkpoint was declined or failed (an operator's snapshot threw, storage failed). */
  CHECKPOINT_FAILED: 'CHECKPOINT_FAILED',
  /** Writing or reading checkpoint storage failed. */
  CHECKPOINT_STORAGE: 'CHECKPOINT_STORAGE',
  /** A record could not be deserialized. */
  SERDE_CORRUPT_RECORD: 'SERDE_CORRUPT_RECORD',
  /** A record could not be serialized. */
  SERDE_SERIALIZE_FAILED: 'SERDE_SERIALIZE_FAILED',
  /** A user function or operator threw while the job ran. */
  JOB_TASK_FAILED: 'JOB_TASK_FAILED',
  /** The job was cancelled. */
  JOB_CANCELLED: 'JOB_CANCELLED',
  /** A retried operation ran out of attempts; `cause` is the last failure. */
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  /** A job's restart strategy gave up after task failures; `cause` is the last error, `failureHistory` lists all. */
  JOB_RESTARTS_EXHAUSTED: 'JOB_RESTARTS_EXHAUSTED',
} as const;

/** A code from {@link CoreErrorCode}. */
export type CoreErrorCode = (typeof CoreErrorCode)[keyof typeof CoreErrorCode];

/** Where an error happened. Every field is optional; set those that apply. */
export interface ErrorPlace {
  /** Kafka topic. */
  readonly topic?: string;
  /** Kafka partition. */
  readonly partition?: number;
  /** Kafka offset, or a byte offset in a file. */
  readonly offset?: number | bigint;
  /** File or directory path. */
  readonly path?: string;
  /** Name of the option at fault. */
  readonly option?: string;
  /** Checkpoint id. */
  readonly checkpointId?: number;
  /** Operator uid or name. */
  readonly operator?: string;
  /** Subtask index. */
  readonly subtask?: number;
}

/** Options of a {@link SluiceError}. */
export interface SluiceErrorOptions extends ErrorPlace {
  /** Stable code, e.g. `CONFIG_INVALID`; a package's own table lists its codes. */
  readonly code: string;
  /**
   * Whether the same operation may succeed if tried again.
   * @defaultValue `false`, or the `retriable` flag of `cause` when it has one (kafkajs errors do)
   */
  readonly retriable?: boolean;
  /** The error this one wraps. */
  readonly cause?: unknown;
}

const BRAND = Symbol.for('@sluice/core.SluiceError');

/**
 * Base class of every error Sluice throws. `name` is the subclass name, set here once.
 * Use {@link isSluiceError} rather than `instanceof` across package copies.
 */
export class SluiceError extends Error implements ErrorPlace {
  /** Stable error code. */
  readonly code: string;
  /** Whether retrying the same operation may succeed. */
  readonly retriable: boolean;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number | bigint;
  readonly path?: string;
  readonly option?: string;
  readonly checkpointId?: number;
  readonly operator?: string;
  readonly subtask?: number;

  constructor(message: string, options: SluiceErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable ?? causeRetriable(options.cause);
    for (const key of PLACE_KEYS) {
      if (options[key] !== undefined) Object.assign(this, { [key]: options[key] });
    }
    Object.defineProperty(this, BRAND, { value: true });
  }
}

const PLACE_KEYS = [
  'topic',
  'partition',
  'offset',
  'path',
  'option',
  'checkpointId',
  'operator',
  'subtask',
] as const satisfies readonly (keyof ErrorPlace)[];

function causeRetriable(cause: unknown): boolean {
  return typeof cause === 'object' && cause !== null && (cause as { retriable?: unknown }).retriable === true;
}

/** True for any {@link SluiceError}, also one thrown by another copy of `@sluice/core`. */
export function isSluiceError(error: unknown): error is SluiceError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** A bad option or job configuration; `option` names it. Code `CONFIG_INVALID`. */
export class ConfigError extends SluiceError {
  constructor(message: string, options: Omit<SluiceErrorOptions, 'code'> & { code?: string }) {
    super(message, { ...options, code: options.code ?? CoreErrorCode.CONFIG_INVALID });
  }
}

/** Checkpointed state that cannot be read or matched (codes `STATE_*`, `OPERATOR_UID_*`). */
export class StateError extends SluiceError {}

/** A checkpoint that timed out, failed, or could not be stored or found (codes `CHECKPOINT_*`). */
export class CheckpointError extends SluiceError {}

/** A record that could not be (de)serialized (codes `SERDE_*`); carries topic/partition/offset where known. */
export class SerdeError extends SluiceError {}

/** A job that failed or was cancelled (codes `JOB_*`); `cause` holds the task's error. */
export class JobExecutionError extends SluiceError {}
