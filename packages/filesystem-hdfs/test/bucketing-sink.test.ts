// BucketingSink (Flink 1.6 parity) on local disk and a real HDFS, one test per reference §9 item
// 28-32: defaults and names, rolling, snapshot/notify, restore (truncate or valid-length file),
// date-time bucketing.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BasePathBucketer,
  BucketingSink,
  BytesWriter,
  DateTimeBucketer,
  LocalFileSystem,
  StringWriter,
} from '../src/index.js';
import type { Bucketer, FileSystem } from '../src/index.js';
import { fileSystemTargets, useTarget } from './helpers/targets.js';
import { redistribute, SinkSubtask } from './helpers/operator-harness.js';

const targets = fileSystemTargets('bucketing');

describe('BucketingSink defaults (28)', () => {
  it('28: Flink 1.6 defaults: 384 MiB batches, no rollover, 60 s inactivity, _ / .in-progress / .pending / .valid-length, part, truncate, 60 s async timeout', () => {
    const { config } = BucketingSink.builder<string>('/out').build();
    expect(config.batchSize).toBe(384 * 1024 * 1024);
    expect(config.batchRolloverIntervalMs).toBe(Number.POSITIVE_INFINITY);
    expect(config.inactiveBucketCheckIntervalMs).toBe(60_000);
    expect(config.inactiveBucketThresholdMs).toBe(60_000);
    expect([config.inProgressPrefix, config.inProgressSuffix]).toEqual(['_', '.in-progress']);
    expect([config.pendingPrefix, config.pendingSuffix]).toEqual(['_', '.pending']);
    expect([config.validLengthPrefix, config.validLengthSuffix]).toEqual(['_', '.valid-length']);
    expect([config.partPrefix, config.partSuffix]).toEqual(['part', '']);
    expect(config.useTruncate).toBe(true);
    expect(config.asyncTimeoutMs).toBe(60_000);
    expect(config.bucketer).toBeInstanceOf(DateTimeBucketer);
    expect(config.writer).toBeInstanceOf(StringWriter);
    expect(config.fileSystem()).toBeInstanceOf(LocalFileSystem);
    // A rollover interval ≤ 0 is ignored, as in 1.6.
    expect(BucketingSink.builder('/out').setBatchRolloverInterval(-1).build().config.batchRolloverIntervalMs).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it.each([
    ['basePath', () => BucketingSink.builder('out').build()],
    ['batchSize', () => BucketingSink.builder('/out').setBatchSize(0).build()],
    ['inactiveBucketThreshold', () => BucketingSink.builder('/out').setInactiveBucketThreshold(-5).build()],
    ['asyncTimeout', () => BucketingSink.builder('/out').setAsyncTimeout(Number.NaN).build()],
    ['partPrefix', () => BucketingSink.builder('/out').setPartPrefix('a/b').build()],
    ['pendingSuffix', () => BucketingSink.builder('/out').setPendingSuffix('.in-progress').build()],
  ])('build() rejects a bad %s with CONFIG_INVALID naming it', (option, build) => {
    expect(build).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', option }));
  });
});

for (const target of targets) {
  describe(`BucketingSink on ${target.name}`, () => {
    const target$ = useTarget(target);
    let fs: FileSystem;
    beforeAll(() => {
      fs = target$.fs;
    });
    const fresh = (): string => target$.fresh();
    const names = async (dir: string): Promise<string[]> => (await fs.list(dir)).map((e) => e.name);
    const read = async (path: string): Promise<string> => Buffer.from(await fs.readFile(path)).toString('utf8');
    const subtask = (build: () => BucketingSink<string>) => new SinkSubtask(build(), { index: 0, parallelism: 1 });

    it('28: parts are part-<subtask>-<counter>, skipping counters whose final, pending or in-progress name exists', async () => {
      const base = fresh();
      await fs.writeFile(`${base}/part-0-0`, 'old');
      await fs.writeFile(`${base}/_part-0-1.pending`, 'old');
      await fs.writeFile(`${base}/_part-0-2.in-progress`, 'old');
      const task = subtask(() => BucketingSink.builder<string>(base).setFileSystem(fs).setBucketer(new BasePathBucketer()).build());
      await task.start();
      await task.write('a');
      expect(await names(base)).toContain('_part-0-3.in-progress');
      await task.close();
    });

    it('29: rolls when no writer is open, when pos > batchSize (checked before the write), and when older than the rollover; the timer moves idle or old parts to pending', async () => {
      const base = fresh();
      const sink = () =>
        BucketingSink.builder<string>(base)
          .setFileSystem(fs)
          .setBucketer(new BasePathBucketer())
          .setBatchSize(4)
          .setBatchRolloverInterval(10_000)
          .setInactiveBucketCheckInterval(100)
          .setInactiveBucketThreshold(1_000)
          .build();
      const task = subtask(sink);
      await task.start();
      await task.write('aa', 'bb'); // pos 3 ≤ 4 before 'bb': same part, which overshoots to 6
      await task.write('cc'); // pos 6 > 4: roll → part 1
      expect(await names(base)).toEqual(['_part-0-0.pending', '_part-0-1.in-progress']);
      task.now += 10_001;
      await task.write('dd'); // the timer (rollover) closes part 1; a new part opens for 'dd'
      expect(await names(base)).toEqual(['_part-0-0.pending', '_part-0-1.pending', '_part-0-2.in-progress']);
      task.now += 1_500;
      vi.useFakeTimers({ toFake: ['Date'] }); // a checkpoint reads the processing time from Date.now()
      vi.setSystemTime(task.now);
      try {
        await task.snapshot(1); // the timer runs at the checkpoint too: part 2 idle > 1 s → pending
      } finally {
        vi.useRealTimers();
      }
      expect(await names(base)).toEqual(['_part-0-0.pending', '_part-0-1.pending', '_part-0-2.pending']);
      expect(await read(`${base}/_part-0-0.pending`)).toBe('aa\nbb\n');
      await task.close();
    });

    it('30: snapshot flushes and records the valid length and files pending parts under the checkpoint; notify makes pending parts of checkpoints ≤ id final', async () => {
      const base = fresh();
      const task = subtask(() =>
        BucketingSink.builder<string>(base).setFileSystem(fs).setBucketer(new BasePathBucketer()).setBatchSize(1).build(),
      );
      await task.start();
      await task.write('a', 'b'); // part 0 'a\n' (pos 2 > 1): 'b' rolls to part 1
      const cp1 = await task.snapshot(1);
      await task.write('c'); // part 1 → pending (for checkpoint 2)
      await task.snapshot(2);
      expect(await names(base)).toEqual(['_part-0-0.pending', '_part-0-1.pending', '_part-0-2.in-progress']);
      await task.notify(1);
      expect(await names(base)).toEqual(['_part-0-1.pending', '_part-0-2.in-progress', 'part-0-0']);
      await task.notify(2);
      expect(await names(base)).toEqual(['_part-0-2.in-progress', 'part-0-0', 'part-0-1']);
      expect(await read(`${base}/_part-0-2.in-progress`)).toBe('c\n'); // flushed at the snapshot
      expect(cp1.lists.get('bucket-states')).toHaveLength(1);
      await task.close();
    });

    it('31: restore makes the checkpointed in-progress part final and truncates it to its valid length; stored pending parts become final; later files are not cleaned up', async () => {
      const base = fresh();
      const build = () =>
        BucketingSink.builder<string>(base).setFileSystem(fs).setBucketer(new BasePathBucketer()).setBatchSize(3).build();
      const first = subtask(build);
      await first.start();
      await first.write('a1', 'a2'); // part 0: 'a1\n' then overshoot 'a2\n' → rolls next time
      await first.write('b1'); // part 0 → pending; part 1 'b1\n'
      const cp1 = await first.snapshot(1); // part 0 pending for cp 1; part 1 valid length 3
      await first.write('b2', 'c1'); // after the checkpoint: part 1 grows and rolls; part 2 opens
      await first.snapshot(2); // never completes
      const second = subtask(build);
      await second.start(redistribute([cp1], 1)[0]);
      const after = await names(base);
      expect(after).toContain('part-0-0');
      expect(after).toContain('part-0-1');
      expect(after).toContain('_part-0-2.in-progress'); // written after checkpoint 1: left as it is (1.6)
      expect(await read(`${base}/part-0-0`)).toBe('a1\na2\n');
      expect(await read(`${base}/part-0-1`)).toBe('b1\n');
      await second.write('d'); // counter skips the leftover in-progress name
      expect(await names(base)).toContain('_part-0-3.in-progress');
      await second.close();
    });

    it('31: without truncate, restore writes the valid length into _<part>.valid-length (writeUTF), once', async () => {
      const base = fresh();
      const build = () =>
        BucketingSink.builder<string>(base)
          .setFileSystem(fs)
          .setBucketer(new BasePathBucketer())
          .setUseTruncate(false)
          .build();
      const first = subtask(build);
      await first.start();
      await first.write('a');
      const cp1 = await first.snapshot(1);
      await first.write('junk');
      await first.snapshot(2);
      const second = subtask(build);
      await second.start(redistribute([cp1], 1)[0]);
      expect(await read(`${base}/part-0-0`)).toBe('a\njunk\n');
      const validLength = Buffer.from(await fs.readFile(`${base}/_part-0-0.valid-length`));
      expect(validLength.readUInt16BE(0)).toBe(1);
      expect(validLength.subarray(2).toString('utf8')).toBe('2');
      // A second restore from the same checkpoint keeps the file as it is.
      const third = subtask(build);
      await third.start(redistribute([cp1], 1)[0]);
      expect(Buffer.from(await fs.readFile(`${base}/_part-0-0.valid-length`))).toEqual(validLength);
      await third.close();
    });

    it('32: DateTimeBucketer puts elements into basePath/yyyy-MM-dd--HH of processing time, in the configured zone', async () => {
      const base = fresh();
      const task = subtask(() =>
        BucketingSink.builder<string>(base)
          .setFileSystem(fs)
          .setBucketer(new DateTimeBucketer({ timeZone: 'Asia/Kolkata' }))
          .build(),
      );
      await task.start();
      task.now = Date.UTC(2024, 0, 2, 3, 40);
      await task.write('x'); // 09:10 in UTC+05:30
      await task.snapshot(1);
      expect(await names(base)).toEqual(['2024-01-02--09']);
      expect(await names(`${base}/2024-01-02--09`)).toEqual(['_part-0-0.in-progress']);
      await task.close();
    });

    it('a custom bucketer and a bytes writer with a separator; a bucket path outside the base path is rejected', async () => {
      const base = fresh();
      const byFirstByte: Bucketer<Uint8Array> = { getBucketPath: (_clock, basePath, e) => `${basePath}/k${e[0] ?? 0}` };
      const task = new SinkSubtask(
        BucketingSink.builder<Uint8Array>(base).setFileSystem(fs).setBucketer(byFirstByte).setWriter(new BytesWriter({ separator: '|' })).build(),
        { index: 2, parallelism: 3 },
      );
      await task.start();
      await task.write(Uint8Array.from([1, 65]), Uint8Array.from([1, 66]));
      await task.close(); // 1.6: close moves the part to pending (it stays there)
      expect(Buffer.from(await fs.readFile(`${base}/k1/_part-2-0.pending`))).toEqual(Buffer.from([1, 65, 124, 1, 66, 124]));

      const escaping: Bucketer<string> = { getBucketPath: () => `${base}/../elsewhere` };
      const bad = subtask(() => BucketingSink.builder<string>(base).setFileSystem(fs).setBucketer(escaping).build());
      await bad.start();
      await expect(bad.write('x')).rejects.toMatchObject({ code: 'HDFS_PATH_UNSAFE' });
    });
  });
}
