// The FileSink's metrics (partsInProgress, partsPending, partsFinished, numBytesOut) through the
// sink lifecycle, on local disk. numBytesOut counts bytes as a part hands them to its file output
// (per chunk of collected records, at a roll and at every checkpoint).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SinkSubtask } from '../../../test/helpers/operator-harness.js';
import { LocalFileSystem } from '../../local/local-file-system.js';
import type { BucketAssigner } from '../bucket-assigner.js';
import { DefaultRollingPolicy } from '../rolling-policy.js';
import { SimpleStringEncoder } from './encoder.js';
import { FileSink } from './file-sink.js';

const byKey: BucketAssigner<string> = { getBucketId: (element) => element.split(':')[0] ?? '' };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-filesink-metrics-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileSink metrics', () => {
  it('gauges partsInProgress and partsPending, counters partsFinished and numBytesOut', async () => {
    const sink = FileSink.forRowFormat('/out', new SimpleStringEncoder<string>())
      .withFileSystem(new LocalFileSystem({ root: dir }))
      .withBucketAssigner(byKey)
      .withRollingPolicy(new DefaultRollingPolicy({ maxPartSizeBytes: 8 }))
      .build();
    const task = new SinkSubtask(sink, { index: 0, parallelism: 1 });
    await task.start();
    const metrics = task.metrics;
    const read = (): Record<string, unknown> => ({
      partsInProgress: metrics.read('partsInProgress'),
      partsPending: metrics.read('partsPending'),
      partsFinished: metrics.count('partsFinished'),
      numBytesOut: metrics.count('numBytesOut'),
    });
    expect(read()).toEqual({ partsInProgress: 0, partsPending: 0, partsFinished: 0, numBytesOut: 0 });

    await task.write('a:1', 'b:1'); // 4 bytes each, two buckets; collected, not yet handed to the files
    expect(read()).toEqual({ partsInProgress: 2, partsPending: 0, partsFinished: 0, numBytesOut: 0 });
    await task.write('a:2', 'a:3', 'a:4'); // a's part exceeds 8 bytes, so a:4 rolls it (12 bytes) first
    expect(read()).toEqual({ partsInProgress: 2, partsPending: 1, partsFinished: 0, numBytesOut: 12 });

    await task.snapshot(1); // the open parts' collected bytes go to their files
    expect(read()).toMatchObject({ partsPending: 1, partsFinished: 0, numBytesOut: 20 });
    await task.notify(1);
    expect(read()).toEqual({ partsInProgress: 2, partsPending: 0, partsFinished: 1, numBytesOut: 20 });

    await sink.finish();
    expect(read()).toMatchObject({ partsInProgress: 0, partsPending: 2 });
    await task.snapshot(2);
    await task.notify(2);
    expect(read()).toEqual({ partsInProgress: 0, partsPending: 0, partsFinished: 3, numBytesOut: 20 });
    await task.close();
  });
});
