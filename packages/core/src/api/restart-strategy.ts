/**
 * Restart strategies (Flink's `RestartStrategies`): what the runtime does when a task fails.
 * A restart cancels every task, restores the latest completed checkpoint inside the same process
 * (or starts from scratch / the originally restored checkpoint when none completed yet) and runs
 * again with `RuntimeContext.attemptNumber` + 1. The job fails only when the strategy gives up.
 */

/** Never restart: the first task failure fails the job. */
export interface NoRestartStrategy {
  readonly type: 'none';
}

/** Restart up to `attempts` times, waiting `delayMs` before each restart. */
export interface FixedDelayRestartStrategy {
  readonly type: 'fixed-delay';
  /** Restarts allowed, ≥ 0. */
  readonly attempts: number;
  /**
   * Wait before a restart, ms.
   * @defaultValue 1000
   */
  readonly delayMs?: number;
}

/**
 * Restart with a delay that grows by `multiplier` after every failure up to `maxDelayMs`, with
 * random jitter; the delay goes back to `initialDelayMs` after the job ran `resetAfterMs` without
 * failing. Restarts forever unless `maxAttempts` is set.
 */
export interface ExponentialDelayRestartStrategy {
  readonly type: 'exponential-delay';
  /** @defaultValue 1000 */
  readonly initialDelayMs?: number;
  /** @defaultValue 300000 (5 min) */
  readonly maxDelayMs?: number;
  /** @defaultValue 2 */
  readonly multiplier?: number;
  /** Fraction of the delay added or removed at random, in [0, 1]. @defaultValue 0.1 */
  readonly jitter?: number;
  /** A run this long without failure resets the delay. @defaultValue 3600000 (1 h) */
  readonly resetAfterMs?: number;
  /** Restarts allowed in total. @defaultValue unlimited */
  readonly maxAttempts?: number;
}

/** Restart unless more than `maxFailures` failures happened within `intervalMs`. */
export interface FailureRateRestartStrategy {
  readonly type: 'failure-rate';
  /** Failures tolerated in the interval, ≥ 1. */
  readonly maxFailures: number;
  /** Measuring window, ms. */
  readonly intervalMs: number;
  /** @defaultValue 1000 */
  readonly delayMs?: number;
}

/** A restart strategy configuration. */
export type RestartStrategyConfig =
  | NoRestartStrategy
  | FixedDelayRestartStrategy
  | ExponentialDelayRestartStrategy
  | FailureRateRestartStrategy;

/** Factories for {@link RestartStrategyConfig}s (Flink's `RestartStrategies`). */
export const RestartStrategies = {
  /** No restarts (the default). */
  noRestart: (): NoRestartStrategy => ({ type: 'none' }),
  /** Up to `attempts` restarts, `delayMs` apart. */
  fixedDelayRestart: (attempts: number, delayMs = 1000): FixedDelayRestartStrategy => ({
    type: 'fixed-delay',
    attempts,
    delayMs,
  }),
  /** Exponentially growing delays with jitter and reset; see {@link ExponentialDelayRestartStrategy}. */
  exponentialDelayRestart: (
    options: Omit<ExponentialDelayRestartStrategy, 'type'> = {},
  ): ExponentialDelayRestartStrategy => ({ type: 'exponential-delay', ...options }),
  /** At most `maxFailures` failures per `intervalMs`. */
  failureRateRestart: (options: Omit<FailureRateRestartStrategy, 'type'>): FailureRateRestartStrategy => ({
    type: 'failure-rate',
    ...options,
  }),
} as const;

/** One task failure the job went through. */
export interface FailureRecord {
  /** When it happened, ms since the epoch. */
  readonly timestamp: number;
  /** Attempt that failed (0 = first run). */
  readonly attempt: number;
  readonly error: Error;
}
