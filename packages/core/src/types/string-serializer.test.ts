import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateError } from '../errors.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';
import { StringSerializer } from './string-serializer.js';

const serializer = new StringSerializer();
const roundTrip = (value: string): string =>
  deserializeFromBytes(serializer, serializeToBytes(serializer, value));

/** Any sequence of UTF-16 code units, lone surrogates included. */
const anyCodeUnits = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })))
  .map((units) => String.fromCharCode(...units));

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('StringSerializer', () => {
  it('round-trips every string, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => roundTrip(s) === s));
    fc.assert(fc.property(anyCodeUnits, (s) => roundTrip(s) === s));
  });

  it('writes well-formed strings as plain UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const utf8 = new TextEncoder().encode(s);
        const bytes = serializeToBytes(serializer, s);
        expect(bytes.subarray(bytes.length - utf8.length)).toEqual(utf8);
      }),
    );
    expect(hex(serializeToBytes(serializer, 'é😀'))).toBe('06c3a9f09f9880');
  });

  it('writes lone surrogates as 3-byte WTF-8 sequences', () => {
    expect(hex(serializeToBytes(serializer, 'a\ud800'))).toBe('0461eda080');
    expect(hex(serializeToBytes(serializer, '\udc00\ud83d'))).toBe('06edb080eda0bd');
    expect(roundTrip('\udc00\ud83d')).toBe('\udc00\ud83d');
  });

  it.each([
    ['a surrogate pair written as two sequences', '06eda0bdedb880'],
    ['an overlong sequence', '02c080'],
    ['a truncated sequence', '02e282'],
    ['a bad lead byte', '01ff'],
    ['a code point above U+10FFFF', '04f4908080'],
    ['a length beyond the bytes', '05616263'],
  ])('rejects %s with STATE_CORRUPT', (_, bytes) => {
    expect(() => deserializeFromBytes(serializer, Buffer.from(bytes, 'hex'))).toThrow(
      expect.objectContaining({ name: 'StateError', code: 'STATE_CORRUPT' }),
    );
  });

  it('rejects values that are not strings', () => {
    expect(() => serializeToBytes(serializer, 42 as unknown as string)).toThrow(
      /expects a string, got a number/,
    );
  });

  it('throws StateError subclasses', () => {
    expect(() => deserializeFromBytes(serializer, Uint8Array.of(1, 0xff))).toThrow(StateError);
  });
});
