import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobHandle } from '@sluice/core';
import { createLogger, startMonitoring } from '../src/index.js';
import type { MonitoringServer } from '../src/index.js';
import { startTestJob, stopJob, waitFor } from './helpers/running-job.js';

const TOKEN = 'test-token-0123456789abcdef';

/** A logger that keeps every JSON line. */
function captureLogger(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { lines, logger: createLogger({ destination }) };
}

let job: JobHandle | undefined;
let server: MonitoringServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await stopJob(job);
  job = undefined;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked by the assertions
type Json = any;

async function getJson(path: string, init?: RequestInit): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${server?.url}${path}`, init);
  return { status: response.status, body: await response.json() };
}

describe('startMonitoring against a running job', () => {
  it('serves /jobs, /jobs/:id with the graph and live per-operator counts', async () => {
    job = await startTestJob();
    server = await startMonitoring(job, { logger: captureLogger().logger });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const list = await getJson('/jobs');
    expect(list.status).toBe(200);
    expect(list.body.jobs).toEqual([expect.objectContaining({ jobId: job.jobId, state: 'running' })]);

    const detail = await waitFor('the sink to receive records', async () => {
      const { body } = await getJson(`/jobs/${job?.jobId}`);
      const sink = body.vertices.find((v: { uid: string }) => v.uid === 'discard');
      return sink.metrics.numRecordsIn > 0 ? body : undefined;
    });
    expect(detail.vertices.map((v: { uid: string }) => v.uid)).toEqual(['ticker', 'double', 'keep-quarters', 'discard']);
    expect(detail.vertices[3]).toMatchObject({ kind: 'sink', parallelism: 2 });
    expect(detail.edges).toEqual([
      { source: 'ticker', target: 'double', partitioning: 'forward' },
      { source: 'double', target: 'keep-quarters', partitioning: 'forward' },
      { source: 'keep-quarters', target: 'discard', partitioning: 'rebalance' },
    ]);
    await waitFor('a positive output rate of the source', async () => {
      const { body } = await getJson(`/jobs/${job?.jobId}`);
      return body.vertices[0].metrics.numRecordsOutPerSecond > 0 ? true : undefined;
    });
  });

  it('serves file sink status and bytes per operator where the operators report them', async () => {
    job = await startTestJob({ checkpointInterval: 100, fileSinkMetrics: true });
    server = await startMonitoring(job, { logger: captureLogger().logger });
    const sinks = await waitFor('finished parts in /file-sinks', async () => {
      const { body } = await getJson(`/jobs/${job?.jobId}/file-sinks`);
      return body.sinks[0]?.partsFinished > 0 ? body.sinks : undefined;
    });
    expect(sinks).toEqual([
      expect.objectContaining({ operator: 'discard', subtasks: 2, partsInProgress: 2, bytesWritten: expect.any(Number) }),
    ]);
    expect(sinks[0].bytesWritten).toBeGreaterThan(0);
    const { body } = await getJson(`/jobs/${job.jobId}`);
    expect(body.vertices[0].metrics.numBytesIn).toBeGreaterThan(0);
    expect(body.vertices[0].metrics.numBytesOut).toBeNull();
    expect(body.vertices[3].metrics.numBytesOut).toBeGreaterThan(0);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/sluice_operator_partsFinished_total\{[^}]*operator_id="discard"[^}]*\} [1-9]/);
    expect(text).toMatch(/sluice_operator_partsInProgress\{[^}]*operator_id="discard"/);
  });

  it('lists completed checkpoints with duration and size', async () => {
    job = await startTestJob({ checkpointInterval: 100 });
    server = await startMonitoring(job, { logger: captureLogger().logger });
    const checkpoints = await waitFor('two completed checkpoints', async () => {
      const { body } = await getJson(`/jobs/${job?.jobId}/checkpoints`);
      return body.completed >= 2 ? body : undefined;
    });
    expect(checkpoints.latest).toMatchObject({ status: 'completed' });
    expect(checkpoints.latest.sizeBytes).toBeGreaterThan(0);
    expect(checkpoints.latest.durationMs).toBeGreaterThanOrEqual(0);
    const ids = checkpoints.history.map((c: { id: number }) => c.id);
    expect([...ids].sort((a: number, b: number) => b - a)).toEqual(ids);
  });

  it('exposes labelled Prometheus metrics at /metrics', async () => {
    job = await startTestJob({ checkpointInterval: 100 });
    server = await startMonitoring(job, { logger: captureLogger().logger });
    const jobName = job.status().jobName;
    const text = await waitFor('a completed checkpoint in /metrics', async () => {
      const response = await fetch(`${server?.url}/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const body = await response.text();
      return /sluice_job_numberOfCompletedCheckpoints\{job_name="[^"]+"\} [1-9]/.test(body) ? body : undefined;
    });
    expect(text).toContain('# TYPE sluice_operator_numRecordsOut gauge');
    expect(text).toMatch(
      new RegExp(`sluice_operator_numRecordsOut\\{job_name="${jobName}",operator_id="ticker",subtask_index="0"\\} [1-9]`),
    );
    expect(text).toMatch(/sluice_operator_writer_written_total\{[^}]*operator_id="discard",subtask_index="1"\} 0/);
    expect(text).toMatch(/sluice_operator_numRecordsInPerSecond\{[^}]*operator_id="discard"/);
    expect(text).toMatch(/sluice_operator_backPressuredTimeMsPerSecond\{[^}]*operator_id="keep-quarters"/);
    expect(text).toMatch(/sluice_job_uptime\{job_name="[^"]+"\} \d+/);
    expect(text).toContain(`sluice_job_info{job_name="${jobName}",job_id="${job.jobId}",state="running"} 1`);
    expect(text).toContain('sluice_process_cpu_user_seconds_total');
  });

  it('serves metrics, exceptions and the dashboard files', async () => {
    job = await startTestJob({ failAfter: 50 });
    server = await startMonitoring(job, { logger: captureLogger().logger });
    const exceptions = await waitFor('the job failure in /exceptions', async () => {
      const { body } = await getJson(`/jobs/${job?.jobId}/exceptions`);
      return body.exceptions.length > 0 ? body.exceptions : undefined;
    });
    expect(exceptions[0]).toMatchObject({ code: 'JOB_TASK_FAILED' });
    expect(exceptions[0].message).toContain('map failed on record');
    await expect(job.result).rejects.toThrow('map failed');
    expect((await getJson(`/jobs/${job.jobId}`)).body).toMatchObject({ state: 'failed', lastException: { code: 'JOB_TASK_FAILED' } });

    const metrics = await getJson(`/jobs/${job.jobId}/metrics?filter=numRecordsIn`);
    expect(metrics.body.metrics.length).toBeGreaterThan(0);
    for (const m of metrics.body.metrics) expect(m.id).toContain('numRecordsIn');

    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('<script type="module" src="dashboard.js">');
    expect((await fetch(`${server.url}/dashboard.js`)).headers.get('content-type')).toContain('text/javascript');

    expect((await getJson('/jobs/no-such-job')).body.error.code).toBe('MONITORING_NOT_FOUND');
    expect((await getJson('/nothing')).status).toBe(404);
    expect((await getJson('/jobs', { method: 'DELETE' })).status).toBe(405);
  });
});

describe('control endpoints', () => {
  it('are refused (403) when allowControl is off, even with a token', async () => {
    job = await startTestJob();
    server = await startMonitoring(job, { logger: captureLogger().logger, token: TOKEN });
    for (const action of ['cancel', 'checkpoints']) {
      const { status, body } = await getJson(`/jobs/${job.jobId}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(status).toBe(403);
      expect(body.error.code).toBe('MONITORING_CONTROL_DISABLED');
    }
    expect(job.status().state).toBe('running');
    expect((await getJson('/config')).body).toEqual({ allowControl: false });
  });

  it('need the bearer token when allowControl is on; the token is never logged', async () => {
    const { lines, logger } = captureLogger();
    job = await startTestJob({ checkpointInterval: 60_000 });
    server = await startMonitoring(job, { logger, allowControl: true, token: TOKEN });
    expect((await getJson('/config')).body).toEqual({ allowControl: true });
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789abcde' },
      { authorization: TOKEN },
      { authorization: `Bearer ${TOKEN}x` },
    ];
    for (const headers of refused) {
      const { status, body } = await getJson(`/jobs/${job.jobId}/cancel`, { method: 'POST', headers });
      expect(status).toBe(401);
      expect(body.error.code).toBe('MONITORING_UNAUTHORIZED');
    }
    expect(job.status().state).toBe('running');

    const auth = { authorization: `Bearer ${TOKEN}` };
    const triggered = await getJson(`/jobs/${job.jobId}/checkpoints`, { method: 'POST', headers: auth });
    expect(triggered.status).toBe(200);
    expect(triggered.body.checkpointId).toBeGreaterThan(0);
    expect(job.status().checkpoints.history[0]).toMatchObject({ id: triggered.body.checkpointId, status: 'completed' });

    const cancelled = await getJson(`/jobs/${job.jobId}/cancel`, { method: 'POST', headers: auth });
    expect(cancelled.status).toBe(202);
    await expect(job.result).resolves.toMatchObject({ status: 'cancelled' });
    expect(job.status().state).toBe('cancelled');
    expect(lines.join('')).not.toContain(TOKEN);
    expect(lines.some((line) => line.includes('monitoring control call refused'))).toBe(true);
  });

  it('allowControl without a token (or a short one) is a config error', async () => {
    job = await startTestJob();
    await expect(startMonitoring(job, { allowControl: true })).rejects.toMatchObject({
      code: 'CONFIG_MONITORING_TOKEN',
      option: 'token',
    });
    await expect(startMonitoring(job, { allowControl: true, token: 'short' })).rejects.toMatchObject({
      code: 'CONFIG_MONITORING_TOKEN',
    });
    await expect(startMonitoring(job, { port: 70_000 })).rejects.toMatchObject({
      code: 'CONFIG_MONITORING_OPTION',
      option: 'port',
    });
  });
});

describe('binding', () => {
  it('warns through the logger when bound to a non-loopback address', async () => {
    const { lines, logger } = captureLogger();
    job = await startTestJob();
    server = await startMonitoring(job, { logger, host: '0.0.0.0' });
    const warning = lines.map((line) => JSON.parse(line)).find((entry) => entry.level === 40);
    expect(warning).toMatchObject({ host: '0.0.0.0', msg: expect.stringContaining('non-loopback') });
  });

  it('rejects with MONITORING_LISTEN_FAILED when the port is taken', async () => {
    job = await startTestJob();
    server = await startMonitoring(job, { logger: captureLogger().logger });
    await expect(
      startMonitoring(job, { port: server.port, logger: captureLogger().logger }),
    ).rejects.toMatchObject({ code: 'MONITORING_LISTEN_FAILED' });
  });

  it('does not warn for the default loopback address', async () => {
    const { lines, logger } = captureLogger();
    job = await startTestJob();
    server = await startMonitoring(job, { logger });
    expect(lines.map((line) => JSON.parse(line).level)).not.toContain(40);
  });
});
