// Property-based round trips: what the serializers write, the deserializers read back unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  JsonDeserializationSchema,
  JsonFields,
  JsonRowDeserializationSchema,
  JsonRowSerializationSchema,
  JsonSerializationSchema,
} from '../src/index.js';

const fields = {
  s: JsonFields.string(),
  b: JsonFields.boolean(),
  i: JsonFields.int(),
  l: JsonFields.long(),
  big: JsonFields.bigint(),
  dec: JsonFields.decimal(),
  d: JsonFields.double(),
  day: JsonFields.date(),
  t: JsonFields.time(),
  ts: JsonFields.timestamp(),
  raw: JsonFields.bytes(),
  arr: JsonFields.array(JsonFields.long()),
  inner: JsonFields.row({ x: JsonFields.string(), y: JsonFields.array(JsonFields.timestamp()) }),
  j: JsonFields.json(),
};

const ts = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }).map((ms) => new Date(ms));
const day = fc.integer({ min: -719_162, max: 2_932_896 }).map((d) => new Date(d * 86_400_000));
const nullable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });
const decimal = fc
  .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat({ max: 20 }))
  .map(([digits, scale]) => {
    if (scale === 0) return digits.toString();
    const neg = digits < 0n;
    const abs = (neg ? -digits : digits).toString().padStart(scale + 1, '0');
    return `${neg ? '-' : ''}${abs.slice(0, -scale)}.${abs.slice(-scale)}`;
  });
const plainJson = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const row = fc.record({
  s: nullable(fc.string({ unit: 'binary' })),
  b: nullable(fc.boolean()),
  i: nullable(fc.integer()),
  l: nullable(fc.maxSafeInteger()),
  big: nullable(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n })),
  dec: nullable(decimal),
  d: nullable(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x))),
  day: nullable(day),
  t: nullable(fc.integer({ min: 0, max: 86_399_999 })),
  ts: nullable(ts),
  raw: nullable(fc.uint8Array({ maxLength: 40 })),
  arr: nullable(fc.array(nullable(fc.maxSafeInteger()), { maxLength: 5 })),
  inner: nullable(fc.record({ x: nullable(fc.string()), y: nullable(fc.array(nullable(ts), { maxLength: 3 })) })),
  j: plainJson,
});

describe('round trips (fast-check)', () => {
  it('rows: JsonRowSerializationSchema → JsonRowDeserializationSchema is the identity', () => {
    const writer = JsonRowSerializationSchema.create(fields);
    const reader = JsonRowDeserializationSchema.create(fields, { failOnMissingField: true });
    fc.assert(
      fc.property(row, (value) => {
        expect(reader.deserialize(writer.serialize(value))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('objects: JsonSerializationSchema → JsonDeserializationSchema is the identity', () => {
    const writer = JsonSerializationSchema.create();
    const reader = JsonDeserializationSchema.create<unknown>({ acceptAnyValue: true });
    fc.assert(
      fc.property(plainJson, (value) => {
        expect(reader.deserialize(writer.serialize(value))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('rows: the produced type state serializer round-trips', async () => {
    const { DataInput, DataOutput } = await import('@sluice/core');
    const serializer = JsonRowDeserializationSchema.create(fields).producedType.createSerializer();
    fc.assert(
      fc.property(row, (value) => {
        const out = new DataOutput();
        serializer.serialize(value, out);
        const input = new DataInput(out.toBytes());
        expect(serializer.deserialize(input)).toEqual(value);
        input.assertEnd();
      }),
      { numRuns: 100 },
    );
  });
});
