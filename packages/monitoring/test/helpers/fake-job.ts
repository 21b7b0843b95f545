// Hand-made metric samples, job statuses and job handles for unit tests (no job runs).
import type { JobHandle, JobStatus, MetricSample } from '@sluice/core';

/** An operator gauge of subtask 0 of operator `op` in job `j`, with `partial` on top. */
export function sample(
  partial: Partial<MetricSample> & Pick<MetricSample, 'name' | 'value'>,
): MetricSample {
  return {
    id: partial.name,
    kind: 'gauge',
    level: 'operator',
    scope: [],
    groups: [],
    labels: { job_name: 'j', operator_id: 'op', subtask_index: '0' },
    ...partial,
  };
}

/** A running job `j` (id `id-1`) without graph, checkpoints or exceptions. */
export function jobStatus(partial: Partial<JobStatus> = {}): JobStatus {
  return {
    jobId: 'id-1',
    jobName: 'j',
    state: 'running',
    startTime: 0,
    durationMs: 1,
    graph: { vertices: [], edges: [] },
    checkpoints: { completed: 0, failed: 0, history: [] },
    exceptions: [],
    restarts: 0,
    metrics: [],
    ...partial,
  };
}

/** A handle whose `status()` is `status` (the same object every time); nothing else works. */
export function fakeJob(status: JobStatus): JobHandle {
  return { jobId: status.jobId, status: () => status } as unknown as JobHandle;
}
