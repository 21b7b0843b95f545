import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKET_STATE_VERSION, decodeBucketState, encodeBucketState } from './bucket-state.js';
import type { BucketState } from './bucket-state.js';

const V1_FIXTURE = new URL('../../../test/fixtures/file-sink-bucket-state-v1.base64', import.meta.url);

const V1_STATE: BucketState = {
  bucketId: '2024-01-02--03',
  bucketPath: '/data/out/2024-01-02--03',
  creationTime: 1704164400000,
  inProgress: {
    inProgressPath: '/data/out/2024-01-02--03/.part-1-7.inprogress.0b5c2a1e-4f7d-4c7a-9a51-3d2f5e6a7b8c',
    finalPath: '/data/out/2024-01-02--03/part-1-7',
    validLength: 1048577,
    creationTime: 1704164460000,
  },
  pending: [
    [41, [{ pendingPath: '/data/out/2024-01-02--03/.part-1-5.inprogress.aa', finalPath: '/data/out/2024-01-02--03/part-1-5', length: 300 }]],
    [42, [{ pendingPath: '/data/out/2024-01-02--03/.part-1-6.inprogress.bb', finalPath: '/data/out/2024-01-02--03/part-1-6', length: 0 }]],
  ],
};

describe('FileSink bucket-state codec', () => {
  it('decodes the frozen version-1 bytes (backward compatibility)', () => {
    const bytes = Buffer.from(readFileSync(V1_FIXTURE, 'utf8').trim(), 'base64');
    expect(decodeBucketState(bytes)).toEqual(V1_STATE);
  });

  it('writes the current version, which is 1, byte for byte as frozen', () => {
    expect(BUCKET_STATE_VERSION).toBe(1);
    const frozen = readFileSync(V1_FIXTURE, 'utf8').trim();
    expect(Buffer.from(encodeBucketState(V1_STATE)).toString('base64')).toBe(frozen);
  });

  it('round-trips any state', () => {
    const part = fc.record({ pendingPath: fc.string(), finalPath: fc.string(), length: fc.nat() });
    const state = fc.record({
      bucketId: fc.string(),
      bucketPath: fc.string(),
      creationTime: fc.nat(),
      inProgress: fc.option(
        fc.record({ inProgressPath: fc.string(), finalPath: fc.string(), validLength: fc.nat(), creationTime: fc.nat() }),
        { nil: undefined },
      ),
      pending: fc.array(fc.tuple(fc.nat(), fc.array(part, { maxLength: 3 })), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(state, (s) => {
        expect(decodeBucketState(encodeBucketState(s))).toEqual(s);
      }),
    );
  });

  it('rejects an unknown version naming both versions, and truncated or trailing bytes', () => {
    const bytes = encodeBucketState(V1_STATE);
    const future = Uint8Array.from([2, ...bytes.subarray(1)]);
    expect(() => decodeBucketState(future)).toThrow(expect.objectContaining({ code: 'STATE_UNKNOWN_VERSION' }));
    expect(() => decodeBucketState(future)).toThrow(/version 2; this release reads versions 1\.\.1/);
    expect(() => decodeBucketState(bytes.subarray(0, bytes.length - 1))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
    expect(() => decodeBucketState(Uint8Array.from([...bytes, 0]))).toThrow(expect.objectContaining({ code: 'STATE_CORRUPT' }));
    expect(() => decodeBucketState(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'STATE_CORRUPT' }));
  });
});
