// A DataNode restart while a writer is appending, against a REAL HDFS. This file starts its own
// HDFS (the restart would disturb the shared one) and always stops it.
import { randomUUID } from 'node:crypto';
import { startHdfs } from '@sluice/testkit';
import type { HdfsServer } from '@sluice/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHdfsFileSystem } from '../src/index.js';
import { pattern } from './contract/file-system-contract.js';
import { TestMetricGroup } from './helpers/test-metrics.js';

describe('DataNode restart mid-write (real HDFS)', () => {
  let hdfs: HdfsServer | undefined;
  let fs: WebHdfsFileSystem;
  const metrics = new TestMetricGroup();

  beforeAll(async () => {
    hdfs = await startHdfs();
    fs = new WebHdfsFileSystem({ url: hdfs.webhdfsUrl, user: hdfs.user, appendBufferBytes: 16 * 1024, metrics });
  });
  afterAll(async () => {
    await fs?.close();
    await hdfs?.stop();
  });

  it('appends keep working across a DataNode restart; every flushed byte is in the file exactly once', async () => {
    const server = hdfs as HdfsServer;
    const path = `/restart-${randomUUID()}/part-0-0`;
    const out = await fs.create(path);
    const written: Buffer[] = [];
    const writeBatch = async (i: number): Promise<void> => {
      const batch = pattern(20_000, i);
      written.push(batch);
      await out.write(batch); // passes the 16 KiB threshold: one APPEND per batch
      await out.flush();
    };
    for (let i = 0; i < 3; i++) await writeBatch(i);

    let restarted = false;
    const restart = server.restartDataNode().then(() => {
      restarted = true;
    });
    // Keep appending while the DataNode goes down and comes back; each flush retries until it lands.
    let i = 3;
    const t0 = Date.now();
    while (!restarted || i < 8) {
      await writeBatch(i++);
    }
    await restart;
    for (let j = 0; j < 3; j++) await writeBatch(i++);
    const length = await out.close();
    console.log(
      `[figure] ${i} batches across a DataNode restart in ${Date.now() - t0} ms; retries: ${metrics.count('retries')}, failures seen: ${metrics.count('failures')}`,
    );

    const expected = Buffer.concat(written);
    expect(length).toBe(expected.length);
    expect(Buffer.from(await fs.readFile(path)).equals(expected)).toBe(true);
    const shell = await server.fsShell(['-stat', '%b', path]);
    expect(shell.code).toBe(0);
    expect(Number(shell.stdout.trim())).toBe(expected.length);

    // A new file after the restart works too.
    await fs.writeFile(`${path}-after`, 'after restart');
    expect(Buffer.from(await fs.readFile(`${path}-after`)).toString()).toBe('after restart');
  });
});
