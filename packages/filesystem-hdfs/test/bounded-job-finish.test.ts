// A bounded job's output is complete: at the end of input the runtime calls the sink's finish(),
// which closes every open part before the final checkpoint, whose completion commits them. Real
// jobs (core runtime) on local disk and a real HDFS, with rolling settings that never roll by
// themselves, so only finish() can make the last parts visible.
import { beforeAll, describe, expect, it } from 'vitest';
import { BucketingSink, DefaultRollingPolicy, FileSink, SimpleStringEncoder } from '../src/index.js';
import type { Bucketer, BucketAssigner, FileSystem } from '../src/index.js';
import { boundedSource, runBoundedJob } from './helpers/bounded-job.js';
import { readTree } from './helpers/file-tree.js';
import { fileSystemTargets, useTarget } from './helpers/targets.js';

const RECORDS = 600;
const KEYS = ['a', 'b', 'c'];

/** `<key>:<i>` for i < RECORDS, keys round-robin. */
const records = boundedSource(RECORDS, (i) => `${KEYS[i % KEYS.length]}:${i}`);

const keyOf = (element: string): string => element.split(':')[0] ?? '';
const byKey: BucketAssigner<string> = { getBucketId: keyOf };
const byKeyDir: Bucketer<string> = { getBucketPath: (_clock, basePath, element) => `${basePath}/${keyOf(element)}` };

/** Each record of every visible file, checked to be in its key's directory. */
function recordsIn(files: ReadonlyMap<string, string>): string[] {
  const seen: string[] = [];
  for (const [path, content] of files) {
    for (const line of content.split('\n').filter((l) => l !== '')) {
      expect(path.startsWith(`${keyOf(line)}/`)).toBe(true);
      seen.push(line);
    }
  }
  return seen.sort();
}

const expected = Array.from({ length: RECORDS }, (_, i) => `${KEYS[i % KEYS.length]}:${i}`).sort();

for (const target of fileSystemTargets('finish')) {
  describe(`end of input on ${target.name}`, () => {
    const target$ = useTarget(target);
    let fs: FileSystem;
    beforeAll(() => {
      fs = target$.fs;
    });

    it('FileSink: finish() closes the in-progress parts, the final checkpoint finishes them', async () => {
      const base = target$.fresh();
      const sink = FileSink.forRowFormat(base, new SimpleStringEncoder<string>())
        .withFileSystem(fs)
        .withBucketAssigner(byKey)
        .withRollingPolicy(new DefaultRollingPolicy()) // 128 MiB / 60 s: never rolls here
        .build();
      await runBoundedJob(records, sink);
      const all = await readTree(fs, base);
      // One finished part per bucket and subtask; no hidden (in-progress or pending) file is left.
      expect([...all.keys()].filter((path) => !/^[abc]\/part-[01]-\d+$/.test(path))).toEqual([]);
      expect(all.size).toBe(6);
      expect(recordsIn(all)).toEqual(expected);
    });

    it('BucketingSink: finish() moves the open parts to pending, the final checkpoint makes them final', async () => {
      const base = target$.fresh();
      const sink = BucketingSink.builder<string>(base).setFileSystem(fs).setBucketer(byKeyDir).build();
      await runBoundedJob(records, sink);
      const all = await readTree(fs, base);
      expect([...all.keys()].filter((path) => !/^[abc]\/part-[01]-\d+$/.test(path))).toEqual([]);
      expect(all.size).toBe(6);
      expect(recordsIn(all)).toEqual(expected);
    });
  });
}
