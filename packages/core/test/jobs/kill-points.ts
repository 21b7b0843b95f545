/**
 * Injected SIGKILL points for the fault-test jobs. `SLUICE_KILL_AT=<point>:<n>` makes the job
 * process SIGKILL itself the n-th time it reaches `<point>` (counted in this process only).
 * The parent test reads the point from stderr to report where the process died.
 */

/** Every point a fault-test job can be killed at. */
export const KILL_POINTS = [
  /** The source's snapshotState, before it updates its position state. */
  'source.snapshot',
  /** The source, right after emitting a record. */
  'source.emit',
  /** The sink wrote a record into its open transaction. */
  'sink.invoke',
  /** Inside preCommit: the transaction file is written but not yet fsynced (during a snapshot). */
  'sink.precommit',
  /** The sink's snapshotState finished: state is in memory, the checkpoint files are not written. */
  'sink.snapshot-done',
  /** A checkpoint's metadata is durable; the sink has not handled the notification yet. */
  'sink.notify',
  /** Inside commit, before the transaction file is renamed. */
  'sink.commit',
  /** Inside commit, after the rename (committed, but still pending in memory). */
  'sink.commit-renamed',
  /** Inside recoverAndCommit during restore, before the rename. */
  'sink.recover-commit',
  /** Checkpoint storage: a state file of a checkpoint was written. */
  'storage.state-written',
  /** Checkpoint storage: `_metadata` is durable, before the runtime learns it. */
  'storage.metadata-committed',
] as const;

/** A kill point name. */
export type KillPoint = (typeof KILL_POINTS)[number];

interface KillPlan {
  readonly point: string;
  readonly occurrence: number;
}

function parsePlan(spec: string | undefined): KillPlan | undefined {
  if (spec === undefined || spec === '') return undefined;
  const at = spec.lastIndexOf(':');
  const point = spec.slice(0, at);
  const occurrence = Number(spec.slice(at + 1));
  if (at <= 0 || !Number.isInteger(occurrence) || occurrence < 1) {
    throw new Error(`SLUICE_KILL_AT must be <point>:<n ≥ 1>, got "${spec}"`);
  }
  return { point, occurrence };
}

const plan = parsePlan(process.env['SLUICE_KILL_AT']);
let seen = 0;

/** SIGKILLs this process if `point` is the planned one and this is its planned occurrence. */
export function killPoint(point: KillPoint): void {
  if (plan === undefined || plan.point !== point) return;
  seen += 1;
  if (seen === plan.occurrence) {
    process.stderr.write(`KILL_POINT ${point}:${seen}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
