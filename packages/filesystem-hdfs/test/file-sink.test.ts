// FileSink lifecycle on local disk and on a real HDFS (testkit globalSetup): in-progress →
// pending → finished on checkpoint completion, resume of in-progress parts on restore (truncate to
// the persisted length, then append), idempotent commits, scale-in, close without commit, path
// safety, bulk formats. Reference §9 item 33 (StreamingFileSink).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BasePathBucketAssigner,
  DefaultRollingPolicy,
  FileSink,
  OnCheckpointRollingPolicy,
  OutputFileConfig,
  SimpleStringEncoder,
} from '../src/index.js';
import type { BucketAssigner, BulkWriterFactory, FileOutput, FileSystem, RollingPolicy } from '../src/index.js';
import { readTree } from './helpers/file-tree.js';
import { fileSystemTargets, useTarget } from './helpers/targets.js';
import { redistribute, SinkSubtask } from './helpers/operator-harness.js';
import type { SubtaskSnapshot } from './helpers/operator-harness.js';

const targets = fileSystemTargets('filesink');

/** Rolls when told to (so tests choose exactly when parts close). */
class ManualRollingPolicy implements RollingPolicy {
  rollOnCheckpoint = false;
  shouldRollOnCheckpoint(): boolean {
    return this.rollOnCheckpoint;
  }
  shouldRollOnEvent(): boolean {
    return false;
  }
  shouldRollOnProcessingTime(): boolean {
    return false;
  }
}

const byKey: BucketAssigner<string> = { getBucketId: (element) => element.split(':')[0] ?? '' };

/** A bulk format for tests: a header line, the elements as a JSON array body, a footer line. */
const jsonArrayFormat: BulkWriterFactory<string> = {
  create(output: FileOutput) {
    const elements: string[] = [];
    return {
      addElement: (element: string) => void elements.push(element),
      flush: () => undefined,
      finish: async () => output.write(`BEGIN\n${JSON.stringify(elements)}\nEND\n`),
    };
  },
};

for (const target of targets) {
  describe(`FileSink on ${target.name}`, () => {
    const target$ = useTarget(target);
    let fs: FileSystem;
    beforeAll(() => {
      fs = target$.fs;
    });
    const fresh = (): string => target$.fresh();

    /** Finished (visible) files under `dir`, recursively: relative path → content. */
    const finished = (dir: string): Promise<Map<string, string>> => readTree(fs, dir, (name) => !name.startsWith('.'));

    async function hidden(dir: string): Promise<string[]> {
      return (await fs.list(dir)).filter((e) => e.name.startsWith('.')).map((e) => e.name);
    }

    function rowSink(base: string, policy: RollingPolicy = new ManualRollingPolicy()) {
      return FileSink.forRowFormat(base, new SimpleStringEncoder<string>())
        .withFileSystem(fs)
        .withBucketAssigner(new BasePathBucketAssigner())
        .withRollingPolicy(policy)
        .build();
    }

    it('33: parts are hidden while in progress and pending, and finished only when their checkpoint completes', async () => {
      const base = fresh();
      const policy = new ManualRollingPolicy();
      const task = new SinkSubtask(rowSink(base, policy), { index: 0, parallelism: 1 });
      await task.start();
      await task.write('a', 'b');
      await task.snapshot(1);
      expect(await finished(base)).toEqual(new Map()); // persisted, still in progress
      expect((await hidden(base)).every((n) => /^\.part-0-0\.inprogress\.[0-9a-f-]{36}$/.test(n))).toBe(true);
      await task.notify(1);
      expect(await finished(base)).toEqual(new Map()); // nothing rolled: nothing to commit
      policy.rollOnCheckpoint = true;
      await task.write('c');
      await task.snapshot(2);
      await task.write('d'); // opens part 1
      policy.rollOnCheckpoint = false;
      await task.snapshot(3);
      expect(await finished(base)).toEqual(new Map()); // pending until checkpoint 2 completes
      await task.notify(3); // every checkpoint ≤ 3
      expect(await finished(base)).toEqual(new Map([['part-0-0', 'a\nb\nc\n']]));
      await task.close();
    });

    it('a part name taken by a file from elsewhere is skipped; that file is left as it is', async () => {
      const base = fresh();
      await fs.writeFile(`${base}/part-0-0`, 'from an earlier job\n');
      const task = new SinkSubtask(rowSink(base, new OnCheckpointRollingPolicy()), { index: 0, parallelism: 1 });
      await task.start();
      await task.write('a', 'b');
      await task.snapshot(1);
      await task.notify(1);
      expect(await finished(base)).toEqual(
        new Map([
          ['part-0-0', 'from an earlier job\n'],
          ['part-0-1', 'a\nb\n'],
        ]),
      );
      expect(await hidden(base)).toEqual([]); // no in-progress file left for the skipped name
      await task.close();
    });

    it('33: an in-progress part is resumed on restore: cut to the persisted length, then appended to', async () => {
      const base = fresh();
      const policy = new ManualRollingPolicy();
      const first = new SinkSubtask(rowSink(base, policy), { index: 0, parallelism: 1 });
      await first.start();
      await first.write('a', 'b');
      const cp1 = await first.snapshot(1);
      await first.write('lost-1', 'lost-2');
      await first.snapshot(2); // flushed to the file, but checkpoint 2 never completes: a crash
      const [inProgress] = await hidden(base);
      expect((await fs.status(`${base}/${inProgress}`)).length).toBe('a\nb\nlost-1\nlost-2\n'.length);

      const second = new SinkSubtask(rowSink(base, policy), { index: 0, parallelism: 1 });
      await second.start(redistribute([cp1], 1)[0]);
      expect((await fs.status(`${base}/${inProgress}`)).length).toBe('a\nb\n'.length);
      await second.write('c');
      policy.rollOnCheckpoint = true;
      await second.snapshot(3);
      await second.notify(3);
      expect(await finished(base)).toEqual(new Map([['part-0-0', 'a\nb\nc\n']]));
      expect(await hidden(base)).toEqual([]);
      await second.close();
    });

    it('33: pending parts in the restored state are committed on restore; a commit already done is tolerated', async () => {
      const base = fresh();
      const policy = new ManualRollingPolicy();
      policy.rollOnCheckpoint = true;
      const first = new SinkSubtask(rowSink(base, policy), { index: 0, parallelism: 1 });
      await first.start();
      await first.write('a');
      const cp1 = await first.snapshot(1);
      // Crash after checkpoint 1 completed but before the notification: restore commits.
      const second = new SinkSubtask(rowSink(base, policy), { index: 0, parallelism: 1 });
      await second.start(redistribute([cp1], 1)[0]);
      expect(await finished(base)).toEqual(new Map([['part-0-0', 'a\n']]));
      // And again from the same checkpoint (the first restore's commit was done): no error, no change.
      const third = new SinkSubtask(rowSink(base, policy), { index: 0, parallelism: 1 });
      await third.start(redistribute([cp1], 1)[0]);
      await third.write('b');
      await third.snapshot(2);
      await third.notify(2);
      expect(await finished(base)).toEqual(new Map([['part-0-0', 'a\n'], ['part-0-1', 'b\n']]));
    });

    it('a part recorded in a checkpoint that vanished fails the restore with HDFS_PART_FILE_LOST', async () => {
      const base = fresh();
      const first = new SinkSubtask(rowSink(base), { index: 0, parallelism: 1 });
      await first.start();
      await first.write('a');
      const cp1 = await first.snapshot(1);
      for (const name of await hidden(base)) await fs.delete(`${base}/${name}`);
      const second = new SinkSubtask(rowSink(base), { index: 0, parallelism: 1 });
      await expect(second.start(redistribute([cp1], 1)[0])).rejects.toMatchObject({ code: 'HDFS_PART_FILE_LOST' });
    });

    it('33: scale-in: the same bucket from two old subtasks: the second part is closed and queued pending; union max part counter', async () => {
      const base = fresh();
      const policy = new ManualRollingPolicy();
      const olds = [0, 1].map((index) => new SinkSubtask(rowSink(base, policy), { index, parallelism: 2 }));
      const snapshots: SubtaskSnapshot[] = [];
      for (const [i, task] of olds.entries()) {
        await task.start();
        await task.write(`s${i}-a`);
        snapshots.push(await task.snapshot(1));
      }
      const merged = new SinkSubtask(rowSink(base, policy), { index: 0, parallelism: 1 });
      await merged.start(redistribute(snapshots, 1)[0]);
      await merged.write('new');
      policy.rollOnCheckpoint = true;
      await merged.snapshot(2);
      await merged.write('next'); // counter continues after the max over both old subtasks
      policy.rollOnCheckpoint = false;
      await merged.snapshot(3);
      await merged.notify(3);
      const files = await finished(base);
      expect([...files.keys()].sort()).toEqual(['part-0-0', 'part-1-0']);
      expect([...files.values()].sort()).toEqual(['s0-a\nnew\n', 's1-a\n'].sort());
      expect((await hidden(base)).map((n) => n.replace(/\.inprogress\..*/, ''))).toEqual(['.part-0-1']);
      await merged.close();
    });

    it('33: close() releases in-progress parts without committing them', async () => {
      const base = fresh();
      const task = new SinkSubtask(rowSink(base), { index: 0, parallelism: 1 });
      await task.start();
      await task.write('a');
      await task.close();
      expect(await finished(base)).toEqual(new Map());
      expect(await hidden(base)).toHaveLength(1);
    });

    it('33: DefaultRollingPolicy rolls on size before a write, and on rollover time at the bucket check', async () => {
      const base = fresh();
      const sink = FileSink.forRowFormat(base, new SimpleStringEncoder<string>())
        .withFileSystem(fs)
        .withBucketAssigner(new BasePathBucketAssigner())
        .withRollingPolicy(new DefaultRollingPolicy({ maxPartSizeBytes: 4, rolloverIntervalMs: 1000, inactivityIntervalMs: 5000 }))
        .withBucketCheckInterval(100)
        .build();
      const task = new SinkSubtask(sink, { index: 0, parallelism: 1 });
      await task.start();
      await task.write('aa', 'bb'); // part 0: 6 bytes > 4 after the second
      await task.write('cc'); // rolls part 0, opens part 1
      task.now += 1500; // part 1 is older than the rollover interval
      await task.write('dd'); // the bucket check rolls part 1 first; part 2 opens
      await task.snapshot(1);
      await task.notify(1);
      expect(await finished(base)).toEqual(new Map([['part-0-0', 'aa\nbb\n'], ['part-0-1', 'cc\n']]));
      await task.close();
    });

    it('buckets are directories under the base path; unsafe bucket ids are rejected (or sanitized when configured)', async () => {
      const base = fresh();
      const build = (unsafe: 'reject' | 'sanitize') =>
        FileSink.forRowFormat(base, new SimpleStringEncoder<string>())
          .withFileSystem(fs)
          .withBucketAssigner(byKey)
          .withRollingPolicy(new OnCheckpointRollingPolicy())
          .withUnsafeBucketIds(unsafe)
          .build();
      const task = new SinkSubtask(build('reject'), { index: 0, parallelism: 1 });
      await task.start();
      await task.write('x/y:1', 'z:2');
      await expect(task.write('..:3')).rejects.toMatchObject({ code: 'HDFS_PATH_UNSAFE' });
      await task.snapshot(1);
      await task.notify(1);
      expect(await finished(base)).toEqual(new Map([['x/y/part-0-0', 'x/y:1\n'], ['z/part-0-1', 'z:2\n']]));
      await task.close();

      const sanitizing = new SinkSubtask(build('sanitize'), { index: 0, parallelism: 1 });
      await sanitizing.start();
      await sanitizing.write('..:4');
      await sanitizing.snapshot(1);
      await sanitizing.notify(1);
      const files = await finished(base);
      expect([...files.keys()].filter((k) => k.includes('part-0-0') && !k.startsWith('x/'))).toEqual(['%2E%2E/part-0-0']);
      await sanitizing.close();
    });

    it('compaction: the many small parts of a checkpoint become few files of the target size, with identical content', async () => {
      const base = fresh();
      const build = () =>
        FileSink.forRowFormat(base, new SimpleStringEncoder<string>())
          .withFileSystem(fs)
          .withBucketAssigner(new BasePathBucketAssigner())
          .withRollingPolicy(new DefaultRollingPolicy({ maxPartSizeBytes: 1 })) // one record per part
          .withCompaction({ targetSizeBytes: 40 })
          .build();
      const records = Array.from({ length: 40 }, (_, i) => `r${String(i).padStart(2, '0')}`); // 4 bytes each with '\n'
      const task = new SinkSubtask(build(), { index: 0, parallelism: 1 });
      await task.start();
      await task.write(...records.slice(0, 35));
      const cp1 = await task.snapshot(1); // 35 parts pending (the last one rolls at the checkpoint: 4 bytes > 1)
      await task.write(...records.slice(35));
      await task.snapshot(2);
      await task.notify(2);
      await task.close();
      const files = await finished(base);
      // Checkpoint 1: 35 parts → 10 + 10 + 10 + 5; checkpoint 2: 5 parts → 1 file.
      expect([...files.values()].map((content) => content.length)).toEqual([40, 40, 40, 20, 20]);
      const byCounter = [...files.entries()].sort(([a], [b]) => Number(a.split('-')[2]) - Number(b.split('-')[2]));
      expect(byCounter.map(([, content]) => content).join('')).toBe(records.map((r) => `${r}\n`).join(''));
      expect(await hidden(base)).toEqual([]); // the sources are gone

      // A restore from checkpoint 1 retries its commit: the compacted files are there, nothing doubles.
      const again = new SinkSubtask(build(), { index: 0, parallelism: 1 });
      await again.start(redistribute([cp1], 1)[0]);
      await again.close();
      expect(await finished(base)).toEqual(files);
    });

    it('compaction of a restored checkpoint whose commit never ran', async () => {
      const base = fresh();
      const build = () =>
        FileSink.forRowFormat(base, new SimpleStringEncoder<string>())
          .withFileSystem(fs)
          .withBucketAssigner(new BasePathBucketAssigner())
          .withRollingPolicy(new OnCheckpointRollingPolicy())
          .withCompaction({ targetSizeBytes: 1000 })
          .build();
      const policy = new DefaultRollingPolicy({ maxPartSizeBytes: 1 });
      const first = new SinkSubtask(
        FileSink.forRowFormat(base, new SimpleStringEncoder<string>())
          .withFileSystem(fs)
          .withBucketAssigner(new BasePathBucketAssigner())
          .withRollingPolicy(policy)
          .withCompaction({ targetSizeBytes: 1000 })
          .build(),
        { index: 0, parallelism: 1 },
      );
      await first.start();
      await first.write('a', 'b', 'c');
      const cp1 = await first.snapshot(1); // a, b, c pending (c rolls at the checkpoint); then a crash before the notification
      const second = new SinkSubtask(build(), { index: 0, parallelism: 1 });
      await second.start(redistribute([cp1], 1)[0]);
      await second.snapshot(2);
      await second.notify(2);
      await second.close();
      expect(await finished(base)).toEqual(new Map([['part-0-0', 'a\nb\nc\n']]));
      expect(await hidden(base)).toEqual([]);
    });

    it('33: bulk formats roll at every checkpoint', async () => {
      const base = fresh();
      const sink = FileSink.forBulkFormat(base, jsonArrayFormat)
        .withFileSystem(fs)
        .withBucketAssigner(new BasePathBucketAssigner())
        .withOutputFileConfig(new OutputFileConfig({ partSuffix: '.json' }))
        .build();
      const task = new SinkSubtask(sink, { index: 0, parallelism: 1 });
      await task.start();
      await task.write('a', 'b');
      const cp1 = await task.snapshot(1);
      await task.write('c');
      await task.snapshot(2);
      await task.notify(2);
      expect(await finished(base)).toEqual(
        new Map([
          ['part-0-0.json', 'BEGIN\n["a","b"]\nEND\n'],
          ['part-0-1.json', 'BEGIN\n["c"]\nEND\n'],
        ]),
      );
      expect(cp1.lists.get('bucket-states')).toHaveLength(1); // pending only, no in-progress part
      await task.close();
    });
  });
}
