import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonValueSerializer, MAX_JSON_DEPTH, type JsonValue } from './json-value-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';

const serializer = new JsonValueSerializer();
const roundTrip = (value: JsonValue): JsonValue =>
  deserializeFromBytes(serializer, serializeToBytes(serializer, value));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const anyNumber = fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger());
const jsonish: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    anyNumber,
    fc.string({ unit: 'binary' }),
    fc.array(tie('value')),
    fc.dictionary(fc.string(), tie('value')),
  ),
})).value;

describe('JsonValueSerializer', () => {
  it('round-trips JSON values, including -0, NaN and infinities', () => {
    fc.assert(
      fc.property(jsonish, (value) => {
        expect(roundTrip(value)).toStrictEqual(value);
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(roundTrip(value as JsonValue)).toStrictEqual(value);
      }),
    );
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(roundTrip([NaN, Infinity])).toEqual([NaN, Infinity]);
  });

  it('is compact: small integers take two bytes and keys are not repeated as JSON text', () => {
    expect(hex(serializeToBytes(serializer, { a: [1, null, true, 'x'] }))).toBe(
      '07010161060403010002050178',
    );
    expect(hex(serializeToBytes(serializer, 1.5))).toBe('043ff8000000000000');
  });

  it('keeps a "__proto__" key as an own property without touching the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as JsonValue;
    const read = roundTrip(value) as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['__proto__', 'a']);
    expect(read['__proto__']).toEqual({ polluted: true });
  });

  it('leaves out properties whose value is undefined, as JSON.stringify does', () => {
    expect(roundTrip({ a: 1, b: undefined } as unknown as JsonValue)).toStrictEqual({ a: 1 });
    expect(roundTrip(Object.assign(Object.create(null) as object, { a: 1 }) as JsonValue)).toEqual({
      a: 1,
    });
  });

  it.each([
    ['undefined', undefined, /got undefined/],
    ['a bigint', 1n, /got a bigint/],
    ['a function in an array', [() => 1], /^\[0\]: .*got a function/],
    ['a Date in an object', { at: new Date(0) }, /^\.at: .*instance of Date/],
    ['a Map', new Map(), /instance of Map/],
    ['undefined in an array', [1, undefined], /^\[1\]: .*got undefined/],
  ])('rejects %s with a TypeError naming where', (_, value, message) => {
    expect(() => serializeToBytes(serializer, value as JsonValue)).toThrow(message);
  });

  it('rejects cycles and too-deep nesting', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => serializeToBytes(serializer, cycle as JsonValue)).toThrow(/is there a cycle/);
    let deep: JsonValue = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
    expect(() => roundTrip(deep)).not.toThrow();
    expect(() => serializeToBytes(serializer, [deep])).toThrow(TypeError);
  });

  it.each([
    ['an unknown tag', '08'],
    ['an array count beyond the bytes', '060500'],
    ['truncated float', '043ff8'],
    ['nesting deeper than the limit', '0601'.repeat(MAX_JSON_DEPTH + 1) + '00'],
  ])('rejects %s with STATE_CORRUPT', (_, bytes) => {
    expect(() => deserializeFromBytes(serializer, Buffer.from(bytes, 'hex'))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
  });
});
