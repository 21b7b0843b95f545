// Live progress from the job's metrics: records in/out per second, lag, checkpoints, files.
import type { JobHandle, MetricValue } from '@sluice/core';
import type { JobCounters } from './job.js';

/** A snapshot of the numbers the progress line shows. */
export interface ProgressSample {
  readonly at: number;
  readonly recordsIn: number;
  readonly kafkaOut: number;
  readonly filesOut: number;
  readonly lag: number | undefined;
  readonly checkpointId: number | undefined;
  readonly checkpointDurationMs: number | undefined;
  readonly filesCommitted: number;
}

function sum(metrics: Record<string, MetricValue>, pattern: RegExp): number {
  let total = 0;
  for (const [name, value] of Object.entries(metrics)) {
    if (pattern.test(name) && typeof value === 'number') total += value;
  }
  return total;
}

function single(metrics: Record<string, MetricValue>, suffix: string): number | undefined {
  for (const [name, value] of Object.entries(metrics)) {
    if (name.endsWith(suffix) && typeof value === 'number') return value;
  }
  return undefined;
}

/** Reads one sample from the job's metrics. */
export function sample(metrics: Record<string, MetricValue>, counters: JobCounters): ProgressSample {
  const lags = Object.entries(metrics).filter(([name, v]) => name.endsWith('.recordsLag') && typeof v === 'number');
  return {
    at: Date.now(),
    recordsIn: sum(metrics, /\.kafka-source\.\d+\.numRecordsOut$/),
    kafkaOut: sum(metrics, /\.kafka-sink\.\d+\.numRecordsIn$/),
    filesOut: sum(metrics, /\.file-sink\.\d+\.numRecordsIn$/),
    lag: lags.length === 0 ? undefined : lags.reduce((total, [, v]) => total + (v as number), 0),
    checkpointId: single(metrics, '.lastCompletedCheckpointId'),
    checkpointDurationMs: single(metrics, '.lastCheckpointDuration'),
    filesCommitted: counters.filesCommitted,
  };
}

const rate = (now: number, before: number, ms: number): string =>
  `${Math.round(((now - before) * 1000) / Math.max(ms, 1))}/s`.padStart(7);

/** Formats the progress line between two samples. */
export function formatProgress(previous: ProgressSample, current: ProgressSample, startedAt: number): string {
  const ms = current.at - previous.at;
  const parts = [
    `[${((current.at - startedAt) / 1000).toFixed(1).padStart(5)}s] in ${rate(current.recordsIn, previous.recordsIn, ms)} (${current.recordsIn} total, lag ${current.lag ?? '-'})`,
    `out kafka ${rate(current.kafkaOut, previous.kafkaOut, ms)}`,
    `files ${rate(current.filesOut, previous.filesOut, ms)}`,
    current.checkpointId === undefined
      ? 'no checkpoint yet'
      : `checkpoint #${current.checkpointId} (${current.checkpointDurationMs ?? '?'} ms)`,
    `files finished ${current.filesCommitted}`,
  ];
  return parts.join(' | ');
}

/** Prints a progress line every `intervalMs` until the returned function is called. */
export function watchProgress(
  handle: JobHandle,
  counters: JobCounters,
  print: (line: string) => void,
): () => void {
  const startedAt = Date.now();
  let previous = sample(handle.metrics(), counters);
  const timer = setInterval(() => {
    const current = sample(handle.metrics(), counters);
    print(formatProgress(previous, current, startedAt));
    previous = current;
  }, 1000);
  return () => clearInterval(timer);
}
