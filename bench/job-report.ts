/**
 * The measuring side of a benchmark job process (connectors-job, files-job): counts records,
 * prints `progress <records>` every 100 ms (the driver kills on it in the recovery scenario),
 * collects checkpoint durations and prints one JSON {@link RunReport} line at the end.
 *
 * Records are counted either in this thread ({@link JobRecorder.count}, once per record) or from
 * samples of counts kept elsewhere ({@link JobRecorder.sample}: a Sluice job's map on task threads,
 * read through its metrics). Both give the same figures: first-record time, the moment the count
 * reached the end of the warm-up fifth, and the moment it reached the whole input.
 */
import { latencySummary } from './bench-lib.js';
import { startHeapSampler } from './heap-sampler.js';
import type { RunReport } from './bench-lib.js';

export class JobRecorder {
  /** Durations of the checkpoints (or the raw loops' commits) completed so far, ms. */
  readonly checkpointMs: number[] = [];
  /** End-to-end latencies measured inside the job (the raw C loop in latency mode), ms. */
  readonly latencyMs: number[] = [];
  private counted = 0;
  private firstAt = 0;
  private warmMark = 0;
  private lastAt = 0;
  private readonly warmAt: number;
  private readonly total: number;
  private lastCheckpoint = -1;
  private readonly progress: NodeJS.Timeout;
  /** Sampled counts by counter (e.g. subtask): its first record's time and (time, count) points. */
  private readonly sampled = new Map<string, { firstAt: number; points: [number, number][] }>();
  /** Writes the heap summary (a no-op unless `SLUICE_BENCH_HEAP_LOG` is set; see heap-sampler.ts). */
  private readonly heapLog: () => void;

  /**
   * @param totalInput input records of the whole run; the first fifth is the warm-up.
   * @param label names the run in the heap summary
   */
  constructor(totalInput: number, label: string) {
    this.heapLog = startHeapSampler(label);
    this.total = totalInput;
    this.warmAt = Math.max(1, Math.floor(totalInput / 5));
    this.progress = setInterval(() => process.stdout.write(`progress ${this.counted}\n`), 100);
  }

  /** Input records counted so far. */
  get seen(): number {
    return this.counted;
  }

  /** Counts one input record. */
  count(): void {
    this.counted += 1;
    if (this.counted === 1) this.firstAt = performance.now();
    else if (this.counted === this.warmAt) this.warmMark = performance.now();
    if (this.counted === this.total) this.lastAt = performance.now();
  }

  /**
   * Takes a sample of a count kept elsewhere, instead of {@link count}: `records` counted by
   * `counter` when it was read at `sampledAt`, its first record at `firstRecordAt` (both ms on this
   * thread's `performance.now()` clock). The warm-up mark and the last record's time are then
   * interpolated between samples (linearly per counter), the first record's time is exact.
   */
  sample(
    counter: string,
    {
      records,
      sampledAt,
      firstRecordAt,
    }: { records: number; sampledAt: number; firstRecordAt: number },
  ): void {
    const history = this.sampled.get(counter) ?? { firstAt: firstRecordAt, points: [] };
    this.sampled.set(counter, history);
    const last = history.points.at(-1);
    if (records === 0 || (last !== undefined && last[0] >= sampledAt)) return;
    history.points.push([sampledAt, records]);
    let counted = 0;
    let firstAt = Number.POSITIVE_INFINITY;
    for (const h of this.sampled.values()) {
      counted += h.points.at(-1)?.[1] ?? 0;
      firstAt = Math.min(firstAt, h.firstAt);
    }
    this.counted = counted;
    this.firstAt = firstAt;
  }

  /** When the sampled counts' sum reached `n` (each counter's count linear between its samples). */
  private timeOfCount(n: number): number {
    const histories = [...this.sampled.values()].map((h) => [[h.firstAt, 1], ...h.points]);
    const countAt = (points: number[][], t: number): number => {
      let before: number[] | undefined;
      for (const point of points) {
        const [at = 0, count = 0] = point;
        if (at >= t) {
          if (before === undefined) return at === t ? count : 0;
          const [at0 = 0, count0 = 0] = before;
          return count0 + ((count - count0) * (t - at0)) / (at - at0);
        }
        before = point;
      }
      return before?.[1] ?? 0;
    };
    const total = (t: number): number => histories.reduce((sum, h) => sum + countAt(h, t), 0);
    const times = [...new Set(histories.flatMap((h) => h.map(([at = 0]) => at)))].sort(
      (a, b) => a - b,
    );
    let previous: number | undefined;
    for (const t of times) {
      const reached = total(t);
      if (reached >= n) {
        if (previous === undefined) return t;
        const start = total(previous);
        return previous + ((n - start) * (t - previous)) / (reached - start);
      }
      previous = t;
    }
    return times.at(-1) ?? 0;
  }

  /**
   * Picks a newly completed checkpoint's duration out of a Sluice job's metrics
   * (`…lastCompletedCheckpointId`, `…lastCheckpointDuration`); call it often (every 50 ms).
   */
  observe(metrics: Readonly<Record<string, unknown>>): void {
    let id: unknown;
    let duration: unknown;
    for (const [name, value] of Object.entries(metrics)) {
      if (name.endsWith('lastCompletedCheckpointId')) id = value;
      else if (name.endsWith('lastCheckpointDuration')) duration = value;
    }
    if (typeof id === 'number' && id !== this.lastCheckpoint && typeof duration === 'number') {
      this.lastCheckpoint = id;
      this.checkpointMs.push(duration);
    }
  }

  /** Stops the progress lines and prints the final progress and the JSON report. */
  finish(): void {
    const end = performance.now();
    clearInterval(this.progress);
    if (this.sampled.size > 0) {
      // Only now: a later sample of one counter can move the moment the sum crossed a mark.
      if (this.counted >= this.warmAt) this.warmMark = this.timeOfCount(this.warmAt);
      if (this.counted === this.total) this.lastAt = this.timeOfCount(this.total);
    }
    const cpu = process.cpuUsage();
    const warm = this.warmMark === 0 ? this.firstAt : this.warmMark;
    const report: RunReport = {
      records: this.counted,
      seconds: (end - this.firstAt) / 1000,
      steadyRecords: this.warmMark === 0 ? this.counted : this.counted - this.warmAt,
      steadySeconds: (warm === 0 ? 0 : end - warm) / 1000,
      startupMs: this.firstAt,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      checkpointMs: this.checkpointMs,
      ...(this.lastAt === 0 ? {} : { tailMs: end - this.lastAt }),
      ...(this.latencyMs.length === 0 ? {} : { latency: latencySummary(this.latencyMs) }),
    };
    this.heapLog();
    process.stdout.write(`progress ${this.counted}\n${JSON.stringify(report)}\n`);
  }
}

/** Runs a job body, prints its report and exits 0; on an error prints it and exits 1. */
export async function runJob(recorder: JobRecorder, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    recorder.finish();
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
