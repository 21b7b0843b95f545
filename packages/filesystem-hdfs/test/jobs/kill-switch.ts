// Injected SIGKILLs for the FileSink fault-test job: `SLUICE_KILL_AT=<point>:<n>` makes the job
// SIGKILL itself the n-th time it passes `<point>`; it first prints `KILLED_AT <point>:<n>` on
// stderr so that the parent can report where it died.

/** The points the FileSink job can die at. */
export const FILE_SINK_KILL_POINTS = [
  /** The source emitted a record (anywhere in the stream). */
  'source.emit',
  /** Half of a record's bytes were appended and made durable in the in-progress file, then death (mid-append). */
  'fs.write-partial',
  /** A new in-progress part file was created. */
  'fs.created',
  /** A part's bytes were flushed at a snapshot (valid length known, not yet in a checkpoint). */
  'fs.flushed',
  /** The sink's snapshot is done: its state is in memory, the checkpoint not yet written. */
  'sink.snapshot-done',
  /** Checkpoint storage: `_metadata` is durable (between the metadata write and the commit). */
  'storage.metadata-committed',
  /** The sink was told a checkpoint completed, before it commits anything. */
  'sink.notify',
  /** A part was renamed to its final name (a commit done; later ones of the same checkpoint not). */
  'fs.renamed',
  /** During restore: an in-progress part was truncated to its valid length, before the append reopens it. */
  'fs.truncated',
] as const;

/** A kill point name. */
export type FileSinkKillPoint = (typeof FILE_SINK_KILL_POINTS)[number];

const spec = process.env['SLUICE_KILL_AT'] ?? '';
const separator = spec.lastIndexOf(':');
const planned = separator > 0 ? { point: spec.slice(0, separator), at: Number(spec.slice(separator + 1)) } : undefined;
let passes = 0;

/** Whether passing `point` now is the planned death (counts the pass). */
export function isKillDue(point: FileSinkKillPoint): boolean {
  if (planned?.point !== point) return false;
  passes += 1;
  return passes === planned.at;
}

/** Dies now: SIGKILL to this very process. */
export function die(point: FileSinkKillPoint): never {
  process.stderr.write(`KILLED_AT ${point}:${passes}\n`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL was sent');
}

/** SIGKILLs this process when `point` is the planned one and this is its planned pass. */
export function killPoint(point: FileSinkKillPoint): void {
  if (isKillDue(point)) die(point);
}
