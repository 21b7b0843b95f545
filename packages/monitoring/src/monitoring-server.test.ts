import { describe, expect, it } from 'vitest';
import { fakeJob, jobStatus } from '../test/helpers/fake-job.js';
import { createLogger } from './logger.js';
import { monitoringOptionsFromEnv, startMonitoring } from './monitoring-server.js';

describe('monitoringOptionsFromEnv', () => {
  it('reads port, host, allowControl and token; unset or empty variables keep the defaults', () => {
    expect(monitoringOptionsFromEnv({})).toEqual({});
    expect(
      monitoringOptionsFromEnv({
        SLUICE_MONITORING_PORT: '9249',
        SLUICE_MONITORING_HOST: '::1',
        SLUICE_MONITORING_ALLOW_CONTROL: 'true',
        SLUICE_MONITORING_TOKEN: 'abc',
      }),
    ).toEqual({ port: 9249, host: '::1', allowControl: true, token: 'abc' });
    expect(
      monitoringOptionsFromEnv({
        SLUICE_MONITORING_ALLOW_CONTROL: 'no',
        SLUICE_MONITORING_PORT: '',
      }),
    ).toEqual({
      allowControl: false,
    });
  });
});

describe('startMonitoring', () => {
  it('adds and removes jobs, answers HEAD, and can leave out /metrics and the dashboard', async () => {
    const server = await startMonitoring(fakeJob(jobStatus({ jobId: 'a', jobName: 'job-a' })), {
      logger: createLogger({ level: 'silent' }),
      prometheus: false,
      dashboard: false,
    });
    try {
      server.addJob(fakeJob(jobStatus({ jobId: 'b', jobName: 'job-b' })));
      const list = (await (await fetch(`${server.url}/jobs`)).json()) as {
        jobs: { jobId: string }[];
      };
      expect(list.jobs.map((j) => j.jobId)).toEqual(['a', 'b']);
      expect(server.removeJob('a')).toBe(true);
      expect(server.removeJob('a')).toBe(false);
      expect((await fetch(`${server.url}/jobs/a`)).status).toBe(404);
      expect((await fetch(`${server.url}/jobs/b`, { method: 'HEAD' })).status).toBe(200);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${server.url}/`)).status).toBe(404);
      const bad = await fetch(`${server.url}/jobs/%E0%A4%A`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe(
        'MONITORING_BAD_REQUEST',
      );
    } finally {
      await server.close();
    }
  });

  it('rejects a bad host', async () => {
    await expect(startMonitoring(fakeJob(jobStatus({ jobId: 'a', jobName: 'job-a' })), { host: '' })).rejects.toMatchObject({
      code: 'CONFIG_MONITORING_OPTION',
      option: 'host',
    });
  });
});
