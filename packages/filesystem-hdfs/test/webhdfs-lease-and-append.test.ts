// WebHDFS-specific behaviour against a REAL HDFS: lease left by a client that died mid-APPEND,
// concurrent writers, batched append figures. Figures are printed, never asserted (no timed
// assertions); bounds are the documented retry budgets.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebHdfsFileSystem } from '../src/index.js';
import { WebHdfsClient } from '../src/webhdfs/webhdfs-client.js';
import { pattern } from './contract/file-system-contract.js';
import { startRawAppend } from './helpers/raw-append.js';
import { TestMetricGroup } from './helpers/test-metrics.js';
import { waitFor } from './helpers/wait-for.js';

const LEASE_BOUND_MS = 90_000; // retry.leaseRecoveryTimeoutMs default

describe('WebHDFS leases and appends (real HDFS)', () => {
  const hdfs = inject('sluiceHdfs');
  const root = `/lease-${randomUUID()}`;
  let fs: WebHdfsFileSystem;
  let metrics: TestMetricGroup;

  beforeAll(async () => {
    metrics = new TestMetricGroup();
    fs = new WebHdfsFileSystem({ url: hdfs.webhdfsUrl, user: hdfs.user, metrics });
    await fs.mkdirs(root);
  });
  afterAll(async () => {
    await fs?.delete(root, { recursive: true });
    await fs?.close();
  });

  /** Resolves once a single, non-waiting APPEND attempt is refused because another client holds the lease. */
  async function leaseIsHeld(path: string): Promise<void> {
    const probe = new WebHdfsClient({ url: hdfs.webhdfsUrl, user: hdfs.user, retry: { leaseRecoveryTimeoutMs: 0 } });
    try {
      await waitFor(`the lease on ${path} to be held by the in-flight APPEND`, async () => {
        try {
          await probe.append(path, new Uint8Array(0));
          return false;
        } catch (error) {
          const e = error as { code?: string; cause?: { code?: string } };
          return e.cause?.code === 'HDFS_LEASE_HELD' || e.code === 'HDFS_LEASE_HELD';
        }
      }, { timeoutMs: 20_000 });
    } finally {
      probe.close();
    }
  }

  it('a client that dies mid-APPEND: a waiting APPEND succeeds within the bound and only received bytes remain', async () => {
    const path = `${root}/dead-client`;
    const base = Buffer.from('checkpointed-bytes|');
    await fs.writeFile(path, base);

    const dying = await startRawAppend({ webhdfsUrl: hdfs.webhdfsUrl, user: hdfs.user, path });
    const lost = pattern(256 * 1024, 11);
    await dying.write(lost.subarray(0, 128 * 1024));
    await leaseIsHeld(path);

    // Our writer now appends while the lease is held: it must wait (retry), not fail.
    const retriesBefore = metrics.count('retries');
    const out = await fs.append(path);
    expect(out.position).toBeGreaterThanOrEqual(base.length);
    const startedAt = out.position;
    const ours = Buffer.from('|after-recovery');
    await out.write(ours);
    const flushed = out.flush();
    await waitFor('our APPEND to be refused and retried at least once', () => metrics.count('retries') > retriesBefore, {
      timeoutMs: 20_000,
    });

    const killedAt = Date.now();
    dying.kill();
    const durable = await flushed;
    const recoveryMs = Date.now() - killedAt;
    console.log(`[figure] APPEND after a client died mid-APPEND succeeded ${recoveryMs} ms after the kill`);
    expect(recoveryMs).toBeLessThan(LEASE_BOUND_MS);
    await out.close();

    const content = Buffer.from(await fs.readFile(path));
    expect(durable).toBe(content.length);
    expect(content.subarray(0, base.length).equals(base)).toBe(true);
    expect(content.subarray(content.length - ours.length).equals(ours)).toBe(true);
    const middle = content.subarray(base.length, content.length - ours.length);
    // Only bytes the DataNode received remain: a prefix of what the dying client sent, nothing else.
    expect(middle.length).toBeLessThanOrEqual(128 * 1024);
    expect(middle.equals(lost.subarray(0, middle.length))).toBe(true);
    console.log(`[figure] the dead client's partial APPEND left ${middle.length} of ${128 * 1024} sent bytes (position at open: ${startedAt})`);
  });

  it('after a client died mid-APPEND, truncate back to the checkpointed length works (restore path)', async () => {
    const path = `${root}/restore`;
    const checkpointed = pattern(5000, 12);
    await fs.writeFile(path, checkpointed);
    const dying = await startRawAppend({ webhdfsUrl: hdfs.webhdfsUrl, user: hdfs.user, path });
    await dying.write(pattern(64 * 1024, 13));
    await leaseIsHeld(path);
    dying.kill();
    const started = Date.now();
    // Truncate is refused while the lease/recovery is held (retried), then loops until it answers true.
    await fs.truncate(path, checkpointed.length);
    console.log(`[figure] truncate to the checkpointed length after a dead APPEND took ${Date.now() - started} ms`);
    expect(Buffer.from(await fs.readFile(path)).equals(checkpointed)).toBe(true);
    const out = await fs.append(path);
    await out.write('resumed');
    await out.close();
    expect(Buffer.from(await fs.readFile(path)).subarray(5000).toString()).toBe('resumed');
  });

  it('a second live writer is refused with HDFS_LEASE_HELD when it may not wait', async () => {
    const path = `${root}/two-writers`;
    await fs.writeFile(path, 'x');
    const holder = await startRawAppend({ webhdfsUrl: hdfs.webhdfsUrl, user: hdfs.user, path });
    await holder.write(Buffer.from('y'));
    try {
      await leaseIsHeld(path);
      const impatient = new WebHdfsFileSystem({ url: hdfs.webhdfsUrl, user: hdfs.user, retry: { leaseRecoveryTimeoutMs: 500 } });
      const out = await impatient.append(path);
      await out.write('z');
      const error = await out.flush().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HDFS_RETRIES_EXHAUSTED', cause: { code: 'HDFS_LEASE_HELD', retriable: true, operation: 'APPEND', path } });
      expect(String((error as Error).message)).toMatch(/leaseRecoveryTimeoutMs/);
      await out.abort();
      await impatient.close();
    } finally {
      holder.kill();
    }
  });

  it('batched appends: APPEND latency and throughput figures', async () => {
    const path = `${root}/figures`;
    const out = await fs.create(path);
    const small = 20;
    const t0 = Date.now();
    for (let i = 0; i < small; i++) {
      await out.write(pattern(1024, i));
      await out.flush();
    }
    const perAppend = (Date.now() - t0) / small;
    const big = pattern(4 * 1024 * 1024, 99);
    const t1 = Date.now();
    for (let i = 0; i < 8; i++) await out.write(big); // each write passes the 4 MiB threshold → one APPEND
    await out.flush();
    const mibPerS = 32 / ((Date.now() - t1) / 1000);
    const length = await out.close();
    expect(length).toBe(small * 1024 + 32 * 1024 * 1024);
    expect((await fs.status(path)).length).toBe(length);
    const t2 = Date.now();
    await fs.writeFile(`${root}/one-create`, (async function* () {
      for (let i = 0; i < 8; i++) yield big;
    })());
    const createMibPerS = 32 / ((Date.now() - t2) / 1000);
    console.log(
      `[figure] small APPEND (1 KiB + flush): ${perAppend.toFixed(1)} ms each; 4 MiB batched APPENDs: ${mibPerS.toFixed(0)} MiB/s; one streamed CREATE: ${createMibPerS.toFixed(0)} MiB/s`,
    );
  });
});
