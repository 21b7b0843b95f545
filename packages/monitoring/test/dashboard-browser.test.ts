// Opens the dashboard of a running job in a real browser: Debian's chromium driven by
// playwright-core. Fails (never skips) when chromium is missing.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import type { JobHandle } from '@sluice/core';
import { createLogger, startMonitoring } from '../src/index.js';
import type { MonitoringServer } from '../src/index.js';
import { openDashboard, outputFolder } from './helpers/browser.js';
import { startTestJob, stopJob } from './helpers/running-job.js';

let job: JobHandle | undefined;
let server: MonitoringServer | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await server?.close();
  server = undefined;
  await stopJob(job);
  job = undefined;
});

it('shows the job graph with live rates and a completed checkpoint', async () => {
  job = await startTestJob({ name: 'dashboard-demo', checkpointInterval: 300 });
  server = await startMonitoring(job, { logger: createLogger({ level: 'silent' }) });
  let page: Page, pageErrors: string[];
  ({ browser, page, pageErrors } = await openDashboard(server.url, 860));

  const vertices = page.locator('#job-graph .vertex');
  await expect.poll(() => vertices.count(), { timeout: 20_000, message: 'four operators in the job graph' }).toBe(4);
  await expect
    .poll(() => page.locator('#job-graph .vertex[data-uid="ticker"]').textContent(), {
      timeout: 20_000,
      message: 'a non-zero output rate on the source box',
    })
    .toMatch(/out [1-9][\d,.]*\/s/);
  await expect
    .poll(() => page.locator('#checkpoints tbody tr[data-status="completed"]').count(), {
      timeout: 20_000,
      message: 'a completed checkpoint in the checkpoint table',
    })
    .toBeGreaterThan(0);
  expect(await page.locator('#job-state').textContent()).toBe('running');
  expect(await page.locator('#job-graph .edge-label').allTextContents()).toEqual(['FORWARD', 'FORWARD', 'REBALANCE']);
  expect(await page.locator('#file-sinks').isHidden()).toBe(true);
  for (const button of ['#trigger-checkpoint', '#cancel-job']) {
    expect(await page.locator(button).isDisabled()).toBe(true);
    expect(await page.locator(button).getAttribute('title')).toContain('allowControl');
  }
  expect(pageErrors).toEqual([]);

  const screenshot = `${await outputFolder()}dashboard.png`;
  await page.screenshot({ path: screenshot, fullPage: true });
  expect(existsSync(screenshot)).toBe(true);
});

it('triggers a checkpoint with the token, shows a refusal for a wrong one, and shows the file sink', async () => {
  const token = 'dashboard-token-0123456789';
  // No periodic checkpoint within the test: the only checkpoint is the one the dashboard triggers.
  job = await startTestJob({ name: 'dashboard-control', checkpointInterval: 600_000, fileSinkMetrics: true });
  server = await startMonitoring(job, { logger: createLogger({ level: 'silent' }), allowControl: true, token });
  let page: Page, pageErrors: string[];
  ({ browser, page, pageErrors } = await openDashboard(server.url, 960));

  const trigger = page.locator('#trigger-checkpoint');
  await expect.poll(() => trigger.isEnabled(), { timeout: 20_000, message: 'the enabled Trigger checkpoint button' }).toBe(true);
  expect(await page.locator('#cancel-job').isEnabled()).toBe(true);

  await page.fill('#control-token', 'wrong-token-0123456789abc');
  await trigger.click();
  await expect
    .poll(() => page.locator('#control-result').textContent(), { timeout: 20_000, message: 'the refusal of a wrong token' })
    .toContain('MONITORING_UNAUTHORIZED');
  expect(await page.locator('#control-result').getAttribute('class')).toBe('error');
  expect(job.status().checkpoints.completed).toBe(0);

  await page.fill('#control-token', token);
  await trigger.click();
  await expect
    .poll(() => page.locator('#control-result').textContent(), { timeout: 20_000, message: 'the triggered checkpoint completing' })
    .toMatch(/^Checkpoint \d+ completed\.$/);
  const checkpointId = /\d+/.exec((await page.locator('#control-result').textContent()) ?? '')?.[0];
  await expect
    .poll(() => page.locator(`#checkpoints tbody tr[data-id="${checkpointId}"][data-status="completed"]`).count(), {
      timeout: 20_000,
      message: `checkpoint ${checkpointId} in the checkpoint table`,
    })
    .toBe(1);

  const fileSink = page.locator('#file-sinks tr[data-operator="discard"]');
  await expect
    .poll(() => fileSink.locator('.finished').textContent(), { timeout: 20_000, message: 'finished parts after the checkpoint' })
    .toMatch(/^[1-9]\d*$/);
  expect(await fileSink.locator('.bytes-written').textContent()).toMatch(/\d (B|KiB|MiB)$/);
  await expect
    .poll(() => fileSink.locator('.write-rate').textContent(), { timeout: 20_000, message: 'a write rate of the file sink' })
    .toMatch(/^[1-9][\d.]* (B|KiB|MiB)\/s$/);
  await expect
    .poll(() => page.locator('#job-graph .vertex[data-uid="ticker"] .bytes').textContent(), {
      timeout: 20_000,
      message: 'a byte input rate on the source box',
    })
    .toMatch(/^bytes in [1-9][\d.]* (B|KiB|MiB)\/s$/);
  expect(pageErrors).toEqual([]);
  await page.screenshot({ path: `${await outputFolder()}dashboard-control.png`, fullPage: true });
});
