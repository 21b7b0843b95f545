/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** What is awaited, for the timeout message. */
  description: string;
  timeoutMs: number;
  /** @defaultValue 200 */
  intervalMs?: number;
  /** Checked before each attempt; a thrown error stops waiting at once (e.g. the server exited). */
  abortCheck?: () => void;
}

/** Thrown by {@link waitFor} when the deadline passes; callers turn it into their own error. */
export class WaitTimeoutError extends Error {
  readonly lastError: unknown;
  constructor(message: string, lastError: unknown) {
    super(message, lastError === undefined ? undefined : { cause: lastError });
    this.name = 'WaitTimeoutError';
    this.lastError = lastError;
  }
}

/**
 * Calls `attempt` until it returns a value other than `undefined`/`false` or the deadline passes.
 * An attempt that throws counts as "not yet" (the last error is kept for the timeout message).
 */
export async function waitFor<T>(
  attempt: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 200;
  let lastError: unknown;
  for (;;) {
    options.abortCheck?.();
    try {
      const value = await attempt();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    options.abortCheck?.();
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new WaitTimeoutError(
        `timed out after ${options.timeoutMs} ms waiting for ${options.description}${reason}`,
        lastError,
      );
    }
    await new Promise((done) =>
      setTimeout(done, Math.min(interval, Math.max(0, deadline - Date.now()))),
    );
  }
}
