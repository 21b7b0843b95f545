/**
 * Where a Node job's peak RSS comes from: with `SLUICE_BENCH_HEAP_LOG=<file>` in its environment,
 * a job samples V8's heap spaces and Node's external memory every 25 ms and, at its end, appends
 * one JSON line to the file: the breakdown at the moment RSS was highest, each space's own peak,
 * and the garbage collections by kind (count and milliseconds). A diagnostic, off by default.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const MiB = 2 ** 20;

interface Sample {
  readonly rss: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly spaces: Record<string, number>;
}

function sample(): Sample {
  const memory = process.memoryUsage();
  const spaces: Record<string, number> = {};
  for (const space of getHeapSpaceStatistics()) spaces[space.space_name] = space.space_size;
  return { rss: memory.rss, external: memory.external, arrayBuffers: memory.arrayBuffers, spaces };
}

function inMiB(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Math.round((v / MiB) * 10) / 10]));
}

/**
 * With `SLUICE_BENCH_HEAP_PROFILE=<file prefix>`, V8's sampling heap profiler runs for the whole job
 * and keeps the samples of objects that a full collection freed (objects that were promoted to the
 * old generation and died there: what makes its peak); the profile is written to
 * `<prefix>-<pid>.heapprofile` (open it in Chrome's DevTools, or sum it with heap-profile-top.js).
 */
function startHeapProfile(): () => void {
  const prefix = process.env['SLUICE_BENCH_HEAP_PROFILE'];
  if (prefix === undefined || prefix === '') return () => {};
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true });
  return () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error === null) writeFileSync(`${prefix}-${process.pid}.heapprofile`, JSON.stringify(result.profile));
    });
    session.disconnect();
  };
}

/** Starts sampling when `SLUICE_BENCH_HEAP_LOG` is set; returns the function that writes the summary. */
export function startHeapSampler(label: string): () => void {
  const stopProfile = startHeapProfile();
  const file = process.env['SLUICE_BENCH_HEAP_LOG'];
  if (file === undefined || file === '') return stopProfile;
  let atPeak = sample();
  const peaks: Record<string, number> = { ...atPeak.spaces, external: atPeak.external, arrayBuffers: atPeak.arrayBuffers };
  const gcs: Record<string, { count: number; ms: number }> = {};
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[(entry as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
      const g = (gcs[kind] ??= { count: 0, ms: 0 });
      g.count += 1;
      g.ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const timer = setInterval(() => {
    const s = sample();
    if (s.rss > atPeak.rss) atPeak = s;
    for (const [name, size] of Object.entries(s.spaces)) peaks[name] = Math.max(peaks[name] ?? 0, size);
    peaks['external'] = Math.max(peaks['external'] ?? 0, s.external);
    peaks['arrayBuffers'] = Math.max(peaks['arrayBuffers'] ?? 0, s.arrayBuffers);
  }, 25);
  timer.unref();
  return () => {
    stopProfile();
    clearInterval(timer);
    observer.disconnect();
    const line = {
      label,
      maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      atPeak: inMiB({ rss: atPeak.rss, external: atPeak.external, arrayBuffers: atPeak.arrayBuffers, ...atPeak.spaces }),
      peaks: inMiB(peaks),
      gc: Object.fromEntries(Object.entries(gcs).map(([k, v]) => [k, { count: v.count, ms: Math.round(v.ms) }])),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
}
