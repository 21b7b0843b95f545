/**
 * Runs an async task every `intervalMs`, never two runs at once: the next run is scheduled only
 * after the previous one settled. `stop()` cancels the next run and waits for a running one.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  /**
   * @param intervalMs - pause between the end of one run and the start of the next, ms (> 0)
   * @param task - the work; a rejection is handed to `onError` and the task keeps its schedule
   * @param onError - receives the errors of `task`
   */
  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Schedules the first run `intervalMs` from now. */
  start(): void {
    this.schedule();
  }

  /** Cancels the schedule and waits for a run in progress. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.task()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }
}
