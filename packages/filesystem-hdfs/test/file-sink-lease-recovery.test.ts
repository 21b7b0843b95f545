// A restored FileSink whose in-progress part is still leased by a dead writer (a Java HDFS client
// SIGKILLed while appending to it, so the NameNode holds the lease until its ~60 s soft limit):
// the resumed part's appends (and a truncate, when the dead writer's bytes are visible) wait, since
// lease refusals are retried for retry.leaseRecoveryTimeoutMs (90 s); the finished file holds
// exactly the records before the checkpoint and after the restore.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { BasePathBucketAssigner, FileSink, OnCheckpointRollingPolicy, SimpleStringEncoder, WebHdfsFileSystem } from '../src/index.js';
import type { RollingPolicy } from '../src/index.js';
import { startJavaAppender, waitForJavaLease } from './helpers/java-writer.js';
import type { JavaAppender } from './helpers/java-writer.js';
import { redistribute, SinkSubtask } from './helpers/operator-harness.js';

describe('FileSink restore with a lease left by a killed writer (real HDFS)', () => {
  const hdfs = inject('sluiceHdfs');
  const base = `/filesink-lease-${randomUUID()}`;
  let fs: WebHdfsFileSystem;
  let writer: JavaAppender | undefined;

  beforeAll(() => {
    fs = new WebHdfsFileSystem({ url: hdfs.webhdfsUrl, user: hdfs.user });
  });
  afterEach(async () => {
    await writer?.kill();
  });
  afterAll(async () => {
    await fs?.delete(base, { recursive: true });
    await fs?.close();
  });

  it('the resumed part waits for the lease (within 90 s), then is appended to and committed with exactly the checkpointed and new records', { timeout: 180_000 }, async () => {
    if (hdfs.rpcUrl === undefined) throw new Error('this test needs the NameNode RPC address (rpcUrl) for the Java writer');
    const neverRoll: RollingPolicy = {
      shouldRollOnCheckpoint: () => false,
      shouldRollOnEvent: () => false,
      shouldRollOnProcessingTime: () => false,
    };
    const build = (policy: RollingPolicy) =>
      FileSink.forRowFormat(base, new SimpleStringEncoder<string>())
        .withFileSystem(fs)
        .withBucketAssigner(new BasePathBucketAssigner())
        .withRollingPolicy(policy)
        .build();
    const first = new SinkSubtask(build(neverRoll), { index: 0, parallelism: 1 });
    await first.start();
    await first.write('a', 'b');
    const cp1 = await first.snapshot(1);
    const [part] = (await fs.list(base)).filter((e) => e.name.startsWith('.'));
    if (part === undefined) throw new Error('no in-progress part');

    // A dead writer leaves the part leased, with bytes after the checkpointed length.
    const writerStarted = Date.now();
    writer = await startJavaAppender({ rpcUrl: hdfs.rpcUrl, user: hdfs.user, path: part.path });
    await writer.write(Buffer.alloc(512 * 1024, 'x')); // some of it reaches the DataNode unflushed
    await waitForJavaLease(hdfs, part.path, writer);
    const leaseSeenMs = Date.now() - writerStarted;
    await writer.kill();
    const killedAt = Date.now();

    const partLengthBefore = (await fs.status(part.path)).length;
    const second = new SinkSubtask(build(new OnCheckpointRollingPolicy()), { index: 0, parallelism: 1 });
    await second.start(redistribute([cp1], 1)[0]); // truncates if the dead writer's bytes are visible
    await second.write('c');
    await second.snapshot(2); // the first APPEND to the part waits until the NameNode recovers the lease
    await second.notify(2);
    const waitedMs = Date.now() - killedAt;
    await second.close();
    console.log(
      `[figure] Java writer held the lease ${leaseSeenMs} ms after its start; the resumed part was appended to and committed ${waitedMs} ms after the kill; ` +
        `part length before restore ${partLengthBefore}, checkpointed ${'a\nb\n'.length}`,
    );
    expect(waitedMs).toBeLessThan(90_000);
    expect(Buffer.from(await fs.readFile(`${base}/part-0-0`)).toString('utf8')).toBe('a\nb\nc\n');
  });
});
