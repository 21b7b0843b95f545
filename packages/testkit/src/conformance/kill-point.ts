// The job side of injected kill points. Imported by job scripts (child processes), so it has no
// dependencies.
import { writeSync } from 'node:fs';

/** The environment variable that plans an injected kill: `<point>:<n>`. */
export const KILL_AT_ENV = 'SLUICE_KILL_AT';

/** The stderr line a job writes just before it kills itself at an injected point. */
export const KILL_POINT_MARKER = 'KILL_POINT';

interface KillAt {
  readonly point: string;
  readonly occurrence: number;
}

/** Parses a `<point>:<n>` plan (`undefined` for an empty one); throws on a malformed one. */
function parseKillAt(spec: string | undefined): KillAt | undefined {
  if (spec === undefined || spec === '') return undefined;
  const at = spec.lastIndexOf(':');
  const point = spec.slice(0, at);
  const occurrence = Number(spec.slice(at + 1));
  if (at <= 0 || !Number.isInteger(occurrence) || occurrence < 1) {
    throw new Error(`${KILL_AT_ENV} must be <point>:<n ≥ 1>, got "${spec}"`);
  }
  return { point, occurrence };
}

let plan: KillAt | undefined | null = null;
let seen = 0;

/**
 * Counts a pass of `point` and says whether this is the pass `SLUICE_KILL_AT=<point>:<n>` plans
 * to die at. For a death that needs work first (e.g. write half a record, flush, then die): check
 * this, do the work, then call {@link killNow}. Use {@link killPoint} when nothing comes between.
 *
 * @param point - the point's name, as used in kill plans
 */
export function isKillDue(point: string): boolean {
  if (plan === null) plan = parseKillAt(process.env[KILL_AT_ENV]);
  if (plan === undefined || plan.point !== point) return false;
  seen += 1;
  return seen === plan.occurrence;
}

/**
 * Writes `KILL_POINT <point>:<n>` to stderr and SIGKILLs this process. The line is written to
 * file descriptor 2 directly: a worker thread's `process.stderr` goes through the main thread,
 * and the SIGKILL would often come first.
 */
export function killNow(point: string): never {
  writeSync(2, `${KILL_POINT_MARKER} ${point}:${seen}\n`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL was sent');
}

/**
 * Call in a job under test where a crash matters (inside a snapshot, between a commit's steps...).
 * When `SLUICE_KILL_AT=<point>:<n>` names this point, the n-th call (counted in this process)
 * writes `KILL_POINT <point>:<n>` to stderr and SIGKILLs the process; otherwise it does nothing.
 *
 * @param point - the point's name, as used in kill plans
 */
export function killPoint(point: string): void {
  if (isKillDue(point)) killNow(point);
}
