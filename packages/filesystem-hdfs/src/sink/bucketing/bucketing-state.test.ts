import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUCKETING_STATE_VERSION, decodeBucketingState, encodeBucketingState } from './bucketing-state.js';
import type { BucketingSinkState } from './bucketing-state.js';

const V1_FIXTURE = new URL('../../../test/fixtures/bucketing-sink-state-v1.base64', import.meta.url);

const V1_STATE: BucketingSinkState = {
  buckets: [
    {
      bucketPath: '/data/out/2024-01-02--03',
      currentFile: '/data/out/2024-01-02--03/part-1-4',
      currentFileValidLength: 70000,
      pendingFiles: [],
      pendingFilesPerCheckpoint: [[12, ['/data/out/2024-01-02--03/part-1-2', '/data/out/2024-01-02--03/part-1-3']]],
    },
    {
      bucketPath: '/data/out/2024-01-02--04',
      currentFile: undefined,
      currentFileValidLength: 0,
      pendingFiles: ['/data/out/2024-01-02--04/part-1-0'],
      pendingFilesPerCheckpoint: [],
    },
  ],
};

describe('BucketingSink state codec', () => {
  it('decodes the frozen version-1 bytes, and writes them byte for byte', () => {
    const frozen = readFileSync(V1_FIXTURE, 'utf8').trim();
    expect(decodeBucketingState(Buffer.from(frozen, 'base64'))).toEqual(V1_STATE);
    expect(BUCKETING_STATE_VERSION).toBe(1);
    expect(Buffer.from(encodeBucketingState(V1_STATE)).toString('base64')).toBe(frozen);
  });

  it('rejects unknown versions and truncated or trailing bytes', () => {
    const bytes = encodeBucketingState(V1_STATE);
    expect(() => decodeBucketingState(Uint8Array.from([9, ...bytes.subarray(1)]))).toThrow(
      expect.objectContaining({ code: 'STATE_UNKNOWN_VERSION' }),
    );
    expect(() => decodeBucketingState(bytes.subarray(0, 10))).toThrow(expect.objectContaining({ code: 'STATE_CORRUPT' }));
    expect(() => decodeBucketingState(Uint8Array.from([...bytes, 1]))).toThrow(expect.objectContaining({ code: 'STATE_CORRUPT' }));
    expect(() => decodeBucketingState(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'STATE_CORRUPT' }));
  });
});
