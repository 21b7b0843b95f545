import { describe, expect, it } from 'vitest';
import { deserializeFromBytes, readAll, serializeToBytes } from './serialized-value.js';
import { Types } from './types.js';

describe('serializeToBytes / deserializeFromBytes', () => {
  const serializer = Types.tuple(Types.string(), Types.int32()).createSerializer();

  it('round-trips a value', () => {
    expect(deserializeFromBytes(serializer, serializeToBytes(serializer, ['a', 1]))).toEqual([
      'a',
      1,
    ]);
  });

  it.each([
    ['trailing bytes', '01610100', /1 trailing bytes/],
    ['truncated bytes', '0161', /needed 1 more bytes/],
  ])('rejects %s with STATE_CORRUPT', (_, bytes, message) => {
    expect(() => deserializeFromBytes(serializer, Buffer.from(bytes, 'hex'))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT', message: expect.stringMatching(message) }),
    );
  });

  it('wraps errors a reader throws that are not Sluice errors as STATE_CORRUPT with the cause', () => {
    const cause = new TypeError('boom');
    expect(() =>
      readAll(Uint8Array.of(), () => {
        throw cause;
      }),
    ).toThrow(expect.objectContaining({ code: 'STATE_CORRUPT', cause }));
  });
});
