/** The JSON shapes of the REST API, derived from a job's {@link JobStatus}. */
import type { JobStatus, MetricSample } from '@sluice/core';

/** A job in the `/jobs` list. */
export interface JobSummary {
  readonly jobId: string;
  readonly jobName: string;
  readonly state: JobStatus['state'];
  readonly startTime: number;
  readonly endTime?: number;
  readonly durationMs: number;
}

/** Per-operator aggregates over its subtasks (sums; the watermark is the minimum). */
export interface VertexMetrics {
  readonly numRecordsIn: number;
  readonly numRecordsOut: number;
  readonly numRecordsInPerSecond: number;
  readonly numRecordsOutPerSecond: number;
  readonly backPressuredTimeMsPerSecond: number;
  readonly currentInputWatermark: number | null;
  /** Bytes read, where the operator counts them (the Kafka source); `null` otherwise. */
  readonly numBytesIn: number | null;
  /** Bytes written, where the operator counts them (Kafka and file sinks); `null` otherwise. */
  readonly numBytesOut: number | null;
}

/** Part files of one file sink operator, summed over its subtasks. */
export interface FileSinkStatus {
  readonly operator: string;
  /** Subtasks that report part metrics. */
  readonly subtasks: number;
  /** Parts open for writing (`partsInProgress`). */
  readonly partsInProgress: number;
  /** Parts closed and waiting for their checkpoint to complete (`partsPending`). */
  readonly partsPending: number;
  /** Parts committed to their final name (`partsFinished`). */
  readonly partsFinished: number;
  /** Bytes written (`numBytesOut`); `null` when the sink does not count them. */
  readonly bytesWritten: number | null;
}

/** Lag of one Kafka partition read by a source subtask. */
export interface KafkaPartitionLag {
  readonly operator: string;
  readonly subtask: number;
  readonly topic: string;
  readonly partition: number;
  readonly currentOffset: number | null;
  readonly committedOffset: number | null;
  readonly lag: number | null;
}

/** `{ jobId, jobName, state, … }` of a job. */
export function summary(status: JobStatus): JobSummary {
  return {
    jobId: status.jobId,
    jobName: status.jobName,
    state: status.state,
    startTime: status.startTime,
    ...(status.endTime === undefined ? {} : { endTime: status.endTime }),
    durationMs: status.durationMs,
  };
}

const RECORDS = [
  'numRecordsIn',
  'numRecordsOut',
  'numRecordsInPerSecond',
  'numRecordsOutPerSecond',
  'backPressuredTimeMsPerSecond',
] as const;
const BYTES = ['numBytesIn', 'numBytesOut'] as const;
const PARTS = ['partsInProgress', 'partsPending', 'partsFinished'] as const;

interface OperatorSums {
  /** Sum over subtasks per metric name; absent when no subtask reports a number. */
  readonly sums: Map<string, number>;
  readonly subtasks: Map<string, Set<string>>;
  minWatermark: number | null;
}

/**
 * Sums the operator-level metrics named in `names` (not those in user groups) over each
 * operator's subtasks, by uid; also keeps the minimum `currentInputWatermark`.
 */
function operatorSums(
  metrics: readonly MetricSample[],
  names: readonly string[],
): Map<string, OperatorSums> {
  const out = new Map<string, OperatorSums>();
  for (const sample of metrics) {
    const uid = sample.labels['operator_id'];
    if (uid === undefined || sample.groups.length > 0) continue;
    const entry = out.get(uid) ?? { sums: new Map(), subtasks: new Map(), minWatermark: null };
    out.set(uid, entry);
    const value = typeof sample.value === 'number' ? sample.value : null;
    if (names.includes(sample.name)) {
      entry.sums.set(sample.name, (entry.sums.get(sample.name) ?? 0) + (value ?? 0));
      const subtasks = entry.subtasks.get(sample.name) ?? new Set<string>();
      subtasks.add(sample.labels['subtask_index'] ?? '');
      entry.subtasks.set(sample.name, subtasks);
    } else if (sample.name === 'currentInputWatermark' && value !== null) {
      entry.minWatermark =
        entry.minWatermark === null ? value : Math.min(entry.minWatermark, value);
    }
  }
  return out;
}

/** Aggregates the standard metrics of every operator, by uid. */
export function vertexMetrics(metrics: readonly MetricSample[]): Map<string, VertexMetrics> {
  const out = new Map<string, VertexMetrics>();
  for (const [uid, { sums, minWatermark }] of operatorSums(metrics, [...RECORDS, ...BYTES])) {
    out.set(uid, {
      numRecordsIn: sums.get('numRecordsIn') ?? 0,
      numRecordsOut: sums.get('numRecordsOut') ?? 0,
      numRecordsInPerSecond: sums.get('numRecordsInPerSecond') ?? 0,
      numRecordsOutPerSecond: sums.get('numRecordsOutPerSecond') ?? 0,
      backPressuredTimeMsPerSecond: sums.get('backPressuredTimeMsPerSecond') ?? 0,
      currentInputWatermark: minWatermark,
      numBytesIn: sums.get('numBytesIn') ?? null,
      numBytesOut: sums.get('numBytesOut') ?? null,
    });
  }
  return out;
}

/**
 * The file sinks of a job: every operator that reports `partsInProgress`, `partsPending` or
 * `partsFinished`, with its bytes written, ordered by uid.
 */
export function fileSinkStatus(metrics: readonly MetricSample[]): FileSinkStatus[] {
  const out: FileSinkStatus[] = [];
  for (const [operator, { sums, subtasks }] of operatorSums(metrics, [...PARTS, 'numBytesOut'])) {
    if (!PARTS.some((name) => sums.has(name))) continue;
    const reporting = new Set(PARTS.flatMap((name) => [...(subtasks.get(name) ?? [])]));
    out.push({
      operator,
      subtasks: reporting.size,
      partsInProgress: sums.get('partsInProgress') ?? 0,
      partsPending: sums.get('partsPending') ?? 0,
      partsFinished: sums.get('partsFinished') ?? 0,
      bytesWritten: sums.get('numBytesOut') ?? null,
    });
  }
  return out.sort((a, b) => (a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0));
}

/** The job with its graph, per-operator aggregates and checkpoint counts (no raw metrics). */
export function jobDetail(status: JobStatus): Record<string, unknown> {
  const aggregates = vertexMetrics(status.metrics);
  return {
    ...summary(status),
    restarts: status.restarts,
    vertices: status.graph.vertices.map((vertex) => ({
      ...vertex,
      metrics: aggregates.get(vertex.uid) ?? null,
    })),
    edges: status.graph.edges,
    checkpoints: {
      completed: status.checkpoints.completed,
      failed: status.checkpoints.failed,
      latest: status.checkpoints.history[0] ?? null,
    },
    lastException: status.exceptions[0] ?? null,
  };
}

/**
 * Kafka lag per partition, from the gauges the Kafka source registers under
 * `KafkaConsumer.topic.<t>.partition.<p>` (`currentOffsets`, `committedOffsets`, `recordsLag`).
 */
export function kafkaLag(metrics: readonly MetricSample[]): KafkaPartitionLag[] {
  const rows = new Map<
    string,
    { -readonly [K in keyof KafkaPartitionLag]: KafkaPartitionLag[K] }
  >();
  for (const sample of metrics) {
    const { topic, partition, operator_id: operator, subtask_index: subtask } = sample.labels;
    if (sample.groups[0] !== 'KafkaConsumer' || topic === undefined || partition === undefined)
      continue;
    if (operator === undefined || subtask === undefined) continue;
    const key = `${operator}/${subtask}/${topic}/${partition}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        operator,
        subtask: Number(subtask),
        topic,
        partition: Number(partition),
        currentOffset: null,
        committedOffset: null,
        lag: null,
      };
      rows.set(key, row);
    }
    const value = typeof sample.value === 'number' ? sample.value : null;
    if (sample.name === 'currentOffsets') row.currentOffset = value;
    else if (sample.name === 'committedOffsets') row.committedOffset = value;
    else if (sample.name === 'recordsLag') row.lag = value;
  }
  return [...rows.values()].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
}
