import { KILL_AT_ENV } from './kill-point.js';
import type { JobRunOptions } from './job-processes.js';

/** One planned kill: at an injected {@link killPoint} of the job, or by the parent after a delay. */
export type KillPlanStep =
  | { readonly kind: 'point'; readonly point: string; readonly occurrence: number }
  | { readonly kind: 'timer'; readonly afterMs: number };

/** Options of {@link drawKill}. */
export interface DrawKillOptions {
  /** A timer kill lands this many ms after the start (or after `killAfterOutput`), uniformly. */
  readonly timerWindowMs: readonly [number, number];
  /**
   * The injected points to draw from; with none, every kill is a timer kill.
   * @defaultValue `[]`
   */
  readonly points?: readonly string[];
  /**
   * An injected kill fires at the n-th reach of its point, n uniform in 1..maxOccurrence.
   * @defaultValue 3
   */
  readonly maxOccurrence?: number;
}

/** Draws the next kill from `random`: half injected points (when there are any), half timers. */
export function drawKill(random: () => number, options: DrawKillOptions): KillPlanStep {
  const points = options.points ?? [];
  if (points.length === 0 || random() < 0.5) {
    const [from, to] = options.timerWindowMs;
    return { kind: 'timer', afterMs: Math.round(from + random() * (to - from)) };
  }
  const point = points[Math.floor(random() * points.length)] as string;
  const occurrence = 1 + Math.floor(random() * (options.maxOccurrence ?? 3));
  return { kind: 'point', point, occurrence };
}

/** Describes a plan step for logs and failure messages. */
export function describeKill(step: KillPlanStep | undefined): string {
  if (step === undefined) return 'no kill';
  return step.kind === 'timer'
    ? `parent SIGKILL after ${step.afterMs} ms`
    : `${step.point}:${step.occurrence}`;
}

/** The {@link JobRunOptions} part that carries out `step` (the kill-at variable, or the timer). */
export function killStepRunOptions(
  step: KillPlanStep | undefined,
): Pick<JobRunOptions, 'env' | 'killAfterMs'> {
  if (step?.kind === 'timer') return { env: { [KILL_AT_ENV]: '' }, killAfterMs: step.afterMs };
  return { env: { [KILL_AT_ENV]: step === undefined ? '' : `${step.point}:${step.occurrence}` } };
}
