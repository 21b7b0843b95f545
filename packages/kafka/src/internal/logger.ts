/**
 * The logger this package writes warnings to. It has the shape of core's `TwoPhaseCommitLogger`,
 * so one object serves both. Messages never contain credentials.
 */
export interface KafkaLogger {
  /** Something the user should know about: a fallback taken, a slow commit, a failed commit. */
  warn(message: string, details?: Readonly<Record<string, unknown>>): void;
  /** Routine events (recovered transactions, resolved start offsets). Optional. */
  info?(message: string, details?: Readonly<Record<string, unknown>>): void;
}

/** Drops everything. */
export const SILENT_LOGGER: KafkaLogger = { warn: () => undefined };
