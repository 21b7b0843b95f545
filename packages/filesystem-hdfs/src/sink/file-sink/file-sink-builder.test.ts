import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../filesystem/file-system.js';
import { LocalFileSystem } from '../../local/local-file-system.js';
import { DateTimeBucketAssigner } from '../bucket-assigner.js';
import { DefaultRollingPolicy, OnCheckpointRollingPolicy } from '../rolling-policy.js';
import { SimpleStringEncoder } from './encoder.js';
import { FileSink } from './file-sink.js';

describe('FileSink builders', () => {
  it('have Flink defaults: date-time buckets, DefaultRollingPolicy, part-<subtask>-<counter>, 60 s check, local disk', () => {
    const sink = FileSink.forRowFormat('/out', new SimpleStringEncoder()).build();
    expect(sink.config.basePath).toBe('/out');
    expect(sink.config.bucketAssigner).toBeInstanceOf(DateTimeBucketAssigner);
    expect(sink.config.rollingPolicy).toBeInstanceOf(DefaultRollingPolicy);
    expect(sink.config.outputFileConfig.partFileName({ subtask: 0, counter: 1 })).toBe('part-0-1');
    expect(sink.config.bucketCheckIntervalMs).toBe(60_000);
    expect(sink.config.unsafeBucketIds).toBe('reject');
    expect(sink.config.fileSystem()).toBeInstanceOf(LocalFileSystem);
    expect(sink.config.writers.resumable).toBe(true);
  });

  it('bulk formats always use OnCheckpointRollingPolicy', () => {
    const sink = FileSink.forBulkFormat('/out', { create: () => ({ addElement() {}, flush() {}, finish() {} }) }).build();
    expect(sink.config.rollingPolicy).toBeInstanceOf(OnCheckpointRollingPolicy);
    expect(sink.config.writers.resumable).toBe(false);
  });

  it.each([
    ['basePath', () => FileSink.forRowFormat('relative/out', new SimpleStringEncoder()).build()],
    ['basePath', () => FileSink.forRowFormat('/a/../b', new SimpleStringEncoder()).build()],
    ['bucketCheckInterval', () => FileSink.forRowFormat('/out', new SimpleStringEncoder()).withBucketCheckInterval(0).build()],
    ['bucketCheckInterval', () => FileSink.forRowFormat('/out', new SimpleStringEncoder()).withBucketCheckInterval(1.5).build()],
    [
      'unsafeBucketIds',
      () =>
        FileSink.forRowFormat('/out', new SimpleStringEncoder())
          .withUnsafeBucketIds('drop' as 'reject')
          .build(),
    ],
    ['encoder', () => FileSink.forRowFormat('/out', {} as SimpleStringEncoder).build()],
    ['writerFactory', () => FileSink.forBulkFormat('/out', {} as never).build()],
    [
      'fileSystem',
      () =>
        FileSink.forRowFormat('/out', new SimpleStringEncoder())
          .withFileSystem({ scheme: 's3', supportsTruncate: false } as FileSystem)
          .build(),
    ],
  ])('build() rejects a bad %s with CONFIG_INVALID naming it', (option, build) => {
    expect(build).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', option }));
  });

  it('SimpleStringEncoder writes String(element) and a newline', () => {
    expect(new SimpleStringEncoder<unknown>().encode(42)).toBe('42\n');
    expect(new SimpleStringEncoder<unknown>().encode('a b')).toBe('a b\n');
  });
});
