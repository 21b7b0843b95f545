/**
 * Injected SIGKILL points of the fault-test jobs. `SLUICE_KILL_AT=<point>:<n>` makes the job
 * process SIGKILL itself the n-th time it reaches `<point>` (counted in this process only), with
 * the testkit's `killPoint`; the parent reads the point from stderr to report where it died.
 */
import { killPoint as testkitKillPoint } from '@sluice/testkit/kill-point';

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

/** SIGKILLs this process if `point` is the planned one and this is its planned occurrence. */
export function killPoint(point: KillPoint): void {
  testkitKillPoint(point);
}
