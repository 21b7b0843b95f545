import { KILL_AT_ENV } from './kill-point.js';
import type { JobRunOptions } from './job-processes.js';

/** One planned kill: at an injected {@link killPoint} of the job, or by the parent after a delay. */
export type KillPlanStep =
  | { readonly kind: 'point'; readonly point: string; readonly occurrence: number }
  | {
      readonly kind: 'timer';
      readonly afterMs: number;
      /** Count `afterMs` from the first time stdout contains this text (see {@link JobRunOptions.killAfterOutput}). */
      readonly afterOutput?: string;
    };

/** Options of {@link drawKill}. */
export interface DrawKillOptions {
  /** A timer kill lands this many ms after the start (or after `killAfterOutput`), uniformly. */
  readonly timerWindowMs: readonly [number, number];
  /**
   * The injected points to draw from: names (each fires at a pass in 1..maxOccurrence), or a map
   * from name to its own maximum pass (for points reached at very different rates). With none,
   * every kill is a timer kill.
   * @defaultValue `[]`
   */
  readonly points?: readonly string[] | Readonly<Record<string, number>>;
  /**
   * An injected kill fires at the n-th pass of its point, n uniform in 1..maxOccurrence.
   * @defaultValue 3
   */
  readonly maxOccurrence?: number;
  /**
   * The share of timer kills when there are points.
   * @defaultValue 0.5
   */
  readonly timerShare?: number;
}

/** Draws the next kill from `random`: timers (`timerShare`) or injected points. */
export function drawKill(random: () => number, options: DrawKillOptions): KillPlanStep {
  const points = options.points ?? [];
  const names = Array.isArray(points) ? (points as readonly string[]) : Object.keys(points);
  if (names.length === 0 || random() < (options.timerShare ?? 0.5)) {
    const [from, to] = options.timerWindowMs;
    return { kind: 'timer', afterMs: Math.round(from + random() * (to - from)) };
  }
  const point = names[Math.floor(random() * names.length)] as string;
  const max = Array.isArray(points)
    ? (options.maxOccurrence ?? 3)
    : ((points as Readonly<Record<string, number>>)[point] ?? 1);
  return { kind: 'point', point, occurrence: 1 + Math.floor(random() * max) };
}

/** Describes a plan step for logs and failure messages. */
export function describeKill(step: KillPlanStep | undefined): string {
  if (step === undefined) return 'no kill';
  if (step.kind === 'point') return `${step.point}:${step.occurrence}`;
  const from = step.afterOutput === undefined ? '' : ` from "${step.afterOutput}"`;
  return `parent SIGKILL after ${step.afterMs} ms${from}`;
}

/** The {@link JobRunOptions} part that carries out `step` (the kill-at variable, or the timer). */
export function killStepRunOptions(
  step: KillPlanStep | undefined,
): Pick<JobRunOptions, 'env' | 'killAfterMs' | 'killAfterOutput'> {
  if (step?.kind === 'timer') {
    const after = step.afterOutput === undefined ? {} : { killAfterOutput: step.afterOutput };
    return { env: { [KILL_AT_ENV]: '' }, killAfterMs: step.afterMs, ...after };
  }
  return { env: { [KILL_AT_ENV]: step === undefined ? '' : `${step.point}:${step.occurrence}` } };
}
