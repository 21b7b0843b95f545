/**
 * The measuring side of a benchmark job process (connectors-job, files-job): counts records,
 * prints `progress <records>` every 100 ms (the driver kills on it in the recovery scenario),
 * collects checkpoint durations and prints one JSON {@link RunReport} line at the end.
 */
import { latencySummary } from './bench-lib.js';
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

  /** @param totalInput input records of the whole run; the first fifth is the warm-up. */
  constructor(totalInput: number) {
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
