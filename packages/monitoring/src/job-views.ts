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

const SUMMED = [
  'numRecordsIn',
  'numRecordsOut',
  'numRecordsInPerSecond',
  'numRecordsOutPerSecond',
  'backPressuredTimeMsPerSecond',
] as const;

/** Aggregates the standard metrics of every operator, by uid. */
export function vertexMetrics(metrics: readonly MetricSample[]): Map<string, VertexMetrics> {
  const out = new Map<string, Record<string, number | null>>();
  for (const sample of metrics) {
    const uid = sample.labels['operator_id'];
    if (uid === undefined || sample.groups.length > 0) continue;
    const entry: Record<string, number | null> = out.get(uid) ?? {
      ...Object.fromEntries(SUMMED.map((k) => [k, 0])),
      currentInputWatermark: null,
    };
    out.set(uid, entry);
    const value = typeof sample.value === 'number' ? sample.value : null;
    if ((SUMMED as readonly string[]).includes(sample.name)) {
      entry[sample.name] = (entry[sample.name] ?? 0) + (value ?? 0);
    } else if (sample.name === 'currentInputWatermark' && value !== null) {
      const before = entry['currentInputWatermark'] ?? null;
      entry['currentInputWatermark'] = before === null ? value : Math.min(before, value);
    }
  }
  return out as unknown as Map<string, VertexMetrics>;
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
