/**
 * The metric registry of one job run: counters, gauges, meters and histograms in nested scopes
 * (job → operator → subtask → user groups), plus the job's status tracker (graph, checkpoint
 * history, exceptions). {@link MetricRegistry.snapshot} reads every metric by its dotted name;
 * {@link MetricRegistry.collect} gives exporters the structured view with labels.
 */
import type {
  Counter,
  Histogram,
  HistogramOptions,
  Meter,
  MeterOptions,
  MetricGroup,
} from '../api/metric-group.js';
import { JobStatusTracker } from '../metrics/job-status.js';
import type { JobGraphView, JobStatus } from '../metrics/job-status.js';
import { MeterView } from '../metrics/meter-view.js';
import type { MetricKind, MetricSample, MetricValue } from '../metrics/metric-sample.js';
import { ReservoirHistogram } from '../metrics/reservoir-histogram.js';
import { SimpleCounter } from '../metrics/simple-counter.js';
import type { OperatorNode } from './job-graph.js';

export type { MetricValue } from '../metrics/metric-sample.js';

/** Where a group sits: its scope and the labels exporters attach. */
interface GroupPlace {
  readonly scope: readonly string[];
  readonly level: 'job' | 'operator';
  readonly groups: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

type Entry =
  | {
      readonly kind: 'counter';
      readonly place: GroupPlace;
      readonly name: string;
      readonly metric: SimpleCounter;
    }
  | {
      readonly kind: 'gauge';
      readonly place: GroupPlace;
      readonly name: string;
      readonly read: () => MetricValue;
    }
  | {
      readonly kind: 'meter';
      readonly place: GroupPlace;
      readonly name: string;
      readonly metric: MeterView;
    }
  | {
      readonly kind: 'histogram';
      readonly place: GroupPlace;
      readonly name: string;
      readonly metric: ReservoirHistogram;
    };

/** Holds the metrics of one job run (no global state: one registry per run). */
export class MetricRegistry {
  /** Job-level facts of the run (graph, checkpoints, exceptions) that monitoring reads. */
  readonly tracker = new JobStatusTracker();
  private readonly entries = new Map<string, Entry>();
  private remote: (() => readonly MetricSample[]) | undefined;

  /** Adds the samples `read` returns (metrics of subtasks on task threads) to every collection. */
  setRemoteSamples(read: (() => readonly MetricSample[]) | undefined): void {
    this.remote = read;
  }

  /**
   * A group with the given system scope: `[job]` for job metrics, `[job, operatorUid, subtask]`
   * for the metrics of one operator subtask. The components become the labels `job_name`,
   * `operator_id` and `subtask_index`.
   */
  group(scope: readonly string[]): MetricGroup {
    const labels: Record<string, string> = {};
    const names = ['job_name', 'operator_id', 'subtask_index'];
    scope.forEach((component, i) => {
      labels[names[i] ?? `scope_${i}`] = component;
    });
    return new SimpleMetricGroup(this, {
      scope: [...scope],
      level: scope.length <= 1 ? 'job' : 'operator',
      groups: [],
      labels,
    });
  }

  /**
   * Records the job's identity and graph and registers the job metrics `uptime` (ms),
   * `numRestarts` and `lastCheckpointAlignmentTime` (ms).
   */
  describeJob(job: { jobId: string; jobName: string; nodes: readonly OperatorNode[] }): void {
    const byId = new Map(job.nodes.map((node) => [node.id, node]));
    const graph: JobGraphView = {
      vertices: job.nodes.map((node) => ({
        uid: node.uid,
        name: node.name,
        kind: node.kind,
        parallelism: node.parallelism,
      })),
      edges: job.nodes.flatMap((node) => {
        const input = node.inputId === undefined ? undefined : byId.get(node.inputId);
        return input === undefined
          ? []
          : [{ source: input.uid, target: node.uid, partitioning: node.inputPartitioning }];
      }),
    };
    this.tracker.describe({ jobId: job.jobId, jobName: job.jobName, graph });
    const group = this.group([job.jobName]);
    group.gauge('uptime', () => this.tracker.uptimeMs);
    group.gauge('numRestarts', () => this.tracker.restartCount);
    group.gauge('lastCheckpointAlignmentTime', () => this.tracker.lastAlignmentMs);
  }

  /** @internal */
  counterAt(place: GroupPlace, name: string): Counter {
    const key = keyOf(place, name);
    const entry = this.entries.get(key);
    if (entry?.kind === 'counter') return entry.metric;
    const metric = new SimpleCounter();
    this.entries.set(key, { kind: 'counter', place, name, metric });
    return metric;
  }

  /** @internal */
  gaugeAt(place: GroupPlace, name: string, read: () => MetricValue): void {
    this.entries.set(keyOf(place, name), { kind: 'gauge', place, name, read });
  }

  /** @internal */
  meterAt(place: GroupPlace, name: string, options: MeterOptions = {}): Meter {
    const key = keyOf(place, name);
    const entry = this.entries.get(key);
    // A meter over an external count is re-created (like a gauge): after an in-process restart
    // it must follow the new operator instance's count.
    if (entry?.kind === 'meter' && options.count === undefined) return entry.metric;
    const metric = new MeterView(options);
    this.entries.set(key, { kind: 'meter', place, name, metric });
    return metric;
  }

  /** @internal */
  histogramAt(place: GroupPlace, name: string, options: HistogramOptions = {}): Histogram {
    const key = keyOf(place, name);
    const entry = this.entries.get(key);
    if (entry?.kind === 'histogram') return entry.metric;
    const metric = new ReservoirHistogram(options);
    this.entries.set(key, { kind: 'histogram', place, name, metric });
    return metric;
  }

  /**
   * Every metric by its dotted name (`job.operator.subtask.name`); a throwing gauge reads `null`.
   * A meter reads its rate per second; a histogram adds `.count`, `.min`, `.max`, `.mean`,
   * `.p50`, `.p95` and `.p99` to its name.
   */
  snapshot(): Record<string, MetricValue> {
    const out: Record<string, MetricValue> = {};
    for (const sample of this.collect()) {
      if (sample.histogram === undefined) {
        out[sample.id] = sample.value;
        continue;
      }
      for (const [stat, value] of Object.entries(sample.histogram))
        out[`${sample.id}.${stat}`] = value;
    }
    return out;
  }

  /** Every metric with its scope, labels and current value. */
  collect(): MetricSample[] {
    const out: MetricSample[] = [];
    for (const [id, entry] of this.entries) {
      const base = {
        id,
        name: entry.name,
        kind: entry.kind as MetricKind,
        level: entry.place.level,
        scope: entry.place.scope,
        groups: entry.place.groups,
        labels: entry.place.labels,
      };
      switch (entry.kind) {
        case 'counter':
          out.push({ ...base, value: entry.metric.count });
          break;
        case 'gauge':
          out.push({ ...base, value: readGauge(entry.read) });
          break;
        case 'meter':
          out.push({
            ...base,
            value: safeNumber(() => entry.metric.rate),
            count: safeNumber(() => entry.metric.count),
          });
          break;
        case 'histogram': {
          const histogram = entry.metric.statistics();
          out.push({ ...base, value: histogram.count, histogram });
          break;
        }
      }
    }
    if (this.remote !== undefined) out.push(...this.remote());
    return out;
  }

  /** The job's status with every metric. */
  status(): JobStatus {
    return this.tracker.view(this.collect());
  }
}

function keyOf(place: GroupPlace, name: string): string {
  return [...place.scope, name].join('.');
}

function readGauge(read: () => MetricValue): MetricValue {
  try {
    const value = read();
    if (typeof value === 'number' && !Number.isFinite(value)) return null;
    return value;
  } catch {
    return null;
  }
}

function safeNumber(read: () => number): number {
  try {
    return read();
  } catch {
    return 0;
  }
}

class SimpleMetricGroup implements MetricGroup {
  constructor(
    private readonly registry: MetricRegistry,
    private readonly place: GroupPlace,
  ) {}

  get scope(): readonly string[] {
    return this.place.scope;
  }

  counter(name: string): Counter {
    return this.registry.counterAt(this.place, name);
  }

  gauge(name: string, read: () => MetricValue): void {
    this.registry.gaugeAt(this.place, name, read);
  }

  meter(name: string, options?: MeterOptions): Meter {
    return this.registry.meterAt(this.place, name, options);
  }

  histogram(name: string, options?: HistogramOptions): Histogram {
    return this.registry.histogramAt(this.place, name, options);
  }

  addGroup(name: string, value?: string): MetricGroup {
    const place = this.place;
    return new SimpleMetricGroup(this.registry, {
      scope: value === undefined ? [...place.scope, name] : [...place.scope, name, value],
      level: place.level,
      groups: value === undefined ? [...place.groups, name] : place.groups,
      labels: value === undefined ? place.labels : { ...place.labels, [name]: value },
    });
  }
}
