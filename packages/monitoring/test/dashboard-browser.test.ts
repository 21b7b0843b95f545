// Opens the dashboard of a running job in a real browser: Debian's chromium driven by
// playwright-core. Fails (never skips) when chromium is missing.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import type { JobHandle } from '@sluice/core';
import { createLogger, startMonitoring } from '../src/index.js';
import type { MonitoringServer } from '../src/index.js';
import { launchChromium, outputFolder } from './helpers/browser.js';
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
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(server.url);

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
  expect(pageErrors).toEqual([]);

  const screenshot = `${await outputFolder()}dashboard.png`;
  await page.screenshot({ path: screenshot, fullPage: true });
  expect(existsSync(screenshot)).toBe(true);
});
