/** Decides, per task failure, whether and after how long a job restarts (restart strategies). */
import type { RestartStrategyConfig } from '../api/restart-strategy.js';
import { ConfigError } from '../errors.js';

/** The decision for one failure. */
export type RestartDecision = { readonly restart: true; readonly delayMs: number } | { readonly restart: false; readonly reason: string };

/** Stateful policy of one job. */
export interface RestartPolicy {
  /** A failure happened at `now` (the current attempt started at `attemptStartedAt`). */
  onFailure(options: { now: number; attemptStartedAt: number }): RestartDecision;
}

/** Throws a `ConfigError` when the strategy has a bad value. */
export function validateRestartStrategy(config: RestartStrategyConfig): void {
  const bad = (option: string, rule: string, value: unknown): never => {
    throw new ConfigError(`restartStrategy.${option} must be ${rule}, got ${String(value)}; fix env.setRestartStrategy(...).`, {
      option: `restartStrategy.${option}`,
    });
  };
  const nonNegative = (option: string, value: number | undefined): void => {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) bad(option, '≥ 0', value);
  };
  switch (config.type) {
    case 'none':
      return;
    case 'fixed-delay':
      if (!Number.isInteger(config.attempts) || config.attempts < 0) bad('attempts', 'an integer ≥ 0', config.attempts);
      nonNegative('delayMs', config.delayMs);
      return;
    case 'exponential-delay':
      nonNegative('initialDelayMs', config.initialDelayMs);
      nonNegative('maxDelayMs', config.maxDelayMs);
      nonNegative('resetAfterMs', config.resetAfterMs);
      if (config.multiplier !== undefined && !(config.multiplier >= 1)) bad('multiplier', '≥ 1', config.multiplier);
      if (config.jitter !== undefined && !(config.jitter >= 0 && config.jitter <= 1)) bad('jitter', 'in [0, 1]', config.jitter);
      if (config.maxAttempts !== undefined && !(Number.isInteger(config.maxAttempts) && config.maxAttempts >= 0)) {
        bad('maxAttempts', 'an integer ≥ 0', config.maxAttempts);
      }
      return;
    case 'failure-rate':
      if (!Number.isInteger(config.maxFailures) || config.maxFailures < 1) bad('maxFailures', 'an integer ≥ 1', config.maxFailures);
      if (!(config.intervalMs > 0)) bad('intervalMs', '> 0', config.intervalMs);
      nonNegative('delayMs', config.delayMs);
      return;
    default:
      bad('type', "'none', 'fixed-delay', 'exponential-delay' or 'failure-rate'", (config as { type: unknown }).type);
  }
}

/** A policy for `config`; `random` in [0, 1) drives the jitter. */
export function createRestartPolicy(config: RestartStrategyConfig, random: () => number = Math.random): RestartPolicy {
  switch (config.type) {
    case 'none':
      return { onFailure: () => ({ restart: false, reason: 'the restart strategy is "none" (no restarts)' }) };
    case 'fixed-delay': {
      let used = 0;
      return {
        onFailure: () => {
          if (used >= config.attempts) {
            return { restart: false, reason: `fixed-delay restart strategy: all ${config.attempts} restart attempts used` };
          }
          used += 1;
          return { restart: true, delayMs: config.delayMs ?? 1000 };
        },
      };
    }
    case 'exponential-delay': {
      const initial = config.initialDelayMs ?? 1000;
      const max = config.maxDelayMs ?? 300_000;
      const multiplier = config.multiplier ?? 2;
      const jitter = config.jitter ?? 0.1;
      const resetAfter = config.resetAfterMs ?? 3_600_000;
      let current = initial;
      let used = 0;
      let first = true;
      return {
        onFailure: ({ now, attemptStartedAt }) => {
          if (config.maxAttempts !== undefined && used >= config.maxAttempts) {
            return { restart: false, reason: `exponential-delay restart strategy: all ${config.maxAttempts} restart attempts used` };
          }
          used += 1;
          if (!first && now - attemptStartedAt >= resetAfter) current = initial;
          else if (!first) current = Math.min(max, current * multiplier);
          first = false;
          const delayMs = Math.max(0, Math.round(current * (1 + jitter * (2 * random() - 1))));
          return { restart: true, delayMs: Math.min(delayMs, Math.round(max * (1 + jitter))) };
        },
      };
    }
    case 'failure-rate': {
      const failures: number[] = [];
      return {
        onFailure: ({ now }) => {
          failures.push(now);
          while (failures.length > 0 && (failures[0] as number) <= now - config.intervalMs) failures.shift();
          if (failures.length > config.maxFailures) {
            return {
              restart: false,
              reason:
                `failure-rate restart strategy: ${failures.length} failures within ${config.intervalMs} ms ` +
                `exceed the allowed ${config.maxFailures}`,
            };
          }
          return { restart: true, delayMs: config.delayMs ?? 1000 };
        },
      };
    }
  }
}
