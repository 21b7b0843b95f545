// The lease left by a Java writer that was SIGKILLed while appending (it holds the lease until
// HDFS's ~60 s soft limit, then the NameNode recovers it): our APPEND waits (retry with backoff on
// AlreadyBeingCreated / RecoveryInProgress) and succeeds within retry.leaseRecoveryTimeoutMs (90 s).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebHdfsFileSystem } from '../src/index.js';
import { pattern } from './contract/file-system-contract.js';
import { startJavaAppender, waitForJavaLease } from './helpers/java-writer.js';
import type { JavaAppender } from './helpers/java-writer.js';
import { TestMetricGroup } from './helpers/test-metrics.js';

describe('lease held by a killed Java writer (real HDFS)', () => {
  const hdfs = inject('sluiceHdfs');
  const root = `/java-lease-${randomUUID()}`;
  const metrics = new TestMetricGroup();
  let fs: WebHdfsFileSystem;
  let writer: JavaAppender | undefined;

  beforeAll(async () => {
    fs = new WebHdfsFileSystem({ url: hdfs.webhdfsUrl, user: hdfs.user, metrics });
    await fs.mkdirs(root);
  });
  afterEach(async () => {
    await writer?.kill();
  });
  afterAll(async () => {
    await fs?.delete(root, { recursive: true });
    await fs?.close();
  });

  it('an APPEND after the writer was SIGKILLed succeeds within the lease bound; only flushed bytes remain', { timeout: 180_000 }, async () => {
    if (hdfs.rpcUrl === undefined) throw new Error('this test needs the NameNode RPC address (rpcUrl) for the Java writer');
    const path = `${root}/part-0-0`;
    const base = Buffer.from('base|');
    await fs.writeFile(path, base);

    writer = await startJavaAppender({ rpcUrl: hdfs.rpcUrl, user: hdfs.user, path });
    const sent = pattern(512 * 1024, 21);
    await writer.write(sent);
    await waitForJavaLease(hdfs, path, writer);
    await writer.kill();
    const killedAt = Date.now();

    const out = await fs.append(path);
    const ours = Buffer.from('|ours');
    await out.write(ours);
    const durable = await out.flush();
    const waitedMs = Date.now() - killedAt;
    await out.close();
    console.log(
      `[figure] APPEND after a SIGKILLed Java writer succeeded ${waitedMs} ms after the kill (${metrics.count('retries')} retries)`,
    );
    expect(waitedMs).toBeLessThan(90_000);

    const content = Buffer.from(await fs.readFile(path));
    expect(durable).toBe(content.length);
    expect(content.subarray(0, base.length).equals(base)).toBe(true);
    expect(content.subarray(content.length - ours.length).equals(ours)).toBe(true);
    const middle = content.subarray(base.length, content.length - ours.length);
    expect(middle.equals(sent.subarray(0, middle.length))).toBe(true);
    console.log(`[figure] the killed Java writer left ${middle.length} of ${sent.length} bytes it was given`);
  });
});
