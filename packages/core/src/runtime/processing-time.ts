/**
 * Processing time on the per-record paths: `Date.now()` read once and shared until the event loop
 * turns (the next check phase) or {@link READS_PER_CLOCK_READ} readings later, whichever comes
 * first. On virtual machines whose clock source has no fast user-space path a `Date.now()` call is
 * a system call (70–90 ns measured on the project's 2-core VM), more than a record's whole trip
 * through a chain of operators. A reading is behind the wall clock by at most the CPU time of one
 * event-loop turn's synchronous work and microtasks (bounded by the read count), never ahead of
 * it: how far Flink's `ProcessingTimeService` readings lag within one mailbox action.
 */

/** Readings served from one `Date.now()` call at most. */
export const READS_PER_CLOCK_READ = 1024;

let cached = 0;
let reads = READS_PER_CLOCK_READ;
let expiryScheduled = false;

const expire = (): void => {
  expiryScheduled = false;
  reads = READS_PER_CLOCK_READ;
};

/** Milliseconds since the epoch: `Date.now()` as read earlier in this event-loop turn. */
export function processingTime(): number {
  if (reads >= READS_PER_CLOCK_READ) {
    cached = Date.now();
    reads = 0;
    if (!expiryScheduled) {
      expiryScheduled = true;
      setImmediate(expire).unref();
    }
  }
  reads += 1;
  return cached;
}
