import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BooleanSerializer } from './boolean-serializer.js';
import { DataInput } from './data-view.js';
import { Float64Serializer } from './float64-serializer.js';
import { SafeIntegerSerializer } from './integer-serializers.js';
import { NullableSerializer } from './nullable-serializer.js';
import { restoreReader } from './restore-serializer.js';
import { RowSerializer, type RowField } from './row-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';
import { StringSerializer } from './string-serializer.js';
import { TupleSerializer } from './tuple-serializer.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

type Row = Record<string, unknown>;
const str = new StringSerializer();
const num = new Float64Serializer();
const int = new SafeIntegerSerializer();
const bool = new BooleanSerializer();
const opt = <T>(inner: TypeSerializer<T>): TypeSerializer<unknown> =>
  new NullableSerializer(inner) as TypeSerializer<unknown>;
const row = (fields: Record<string, TypeSerializer<unknown>>): RowSerializer<Row> =>
  new RowSerializer<Row>(
    Object.entries(fields).map(([name, serializer]): RowField => ({ name, serializer })),
    restoreReader,
  );
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Version 1 wrote each field with its own serializer, which is what a tuple of them writes. */
function writeV1(
  serializer: RowSerializer<Row>,
  value: Row,
): { bytes: Uint8Array; snapshot: SerializerSnapshot } {
  const fields = serializer.fields;
  const tuple = new TupleSerializer(fields.map((f) => f.serializer));
  return {
    bytes: serializeToBytes(
      tuple,
      fields.map((f) => value[f.name]),
    ),
    snapshot: { ...serializer.snapshot(), version: 1 },
  };
}

function readAs(reader: RowSerializer<Row>, snapshot: SerializerSnapshot, bytes: Uint8Array): Row {
  const input = new DataInput(bytes);
  const value = reader.readerFor(snapshot)(input);
  input.assertEnd();
  return value;
}

const user = row({ id: int, name: opt(str), score: opt(num), active: bool });
const userArbitrary = fc.record({
  id: fc.maxSafeInteger(),
  name: fc.option(fc.string(), { nil: null }),
  score: fc.option(fc.double(), { nil: null }),
  active: fc.boolean(),
});

describe('RowSerializer', () => {
  it('round-trips rows', () => {
    fc.assert(
      fc.property(userArbitrary, (value) => {
        expect(deserializeFromBytes(user, serializeToBytes(user, value))).toStrictEqual(value);
      }),
    );
  });

  it('writes version 2: one presence bitmap for the nullable fields, then the present values', () => {
    expect(user.version).toBe(2);
    expect(hex(serializeToBytes(user, { id: 1, name: null, score: null, active: true }))).toBe(
      '000101',
    );
    expect(hex(serializeToBytes(user, { id: 1, name: 'a', score: null, active: true }))).toBe(
      '0101016101',
    );
  });

  it('uses one bitmap bit per nullable field beyond 8 fields', () => {
    const wide = row(
      Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, opt(bool)])),
    );
    const value: Row = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`f${i}`, i % 3 === 0 ? true : null]),
    );
    const bytes = serializeToBytes(wide, value);
    expect(hex(bytes)).toBe('4902' + '01'.repeat(4));
    expect(deserializeFromBytes(wide, bytes)).toStrictEqual(value);
    expect(() => deserializeFromBytes(wide, Uint8Array.of(0x49, 0x0a, 1, 1, 1, 1))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT', message: expect.stringMatching(/bitmap/) }),
    );
  });

  it('records field names and nested snapshots in its snapshot', () => {
    expect(user.snapshot()).toEqual({
      typeId: 'sluice.row',
      version: 2,
      params: { fields: ['id', 'name', 'score', 'active'] },
      nested: [int.snapshot(), opt(str).snapshot(), opt(num).snapshot(), bool.snapshot()],
    });
  });

  it('reads version 1 state (a null byte per nullable field)', () => {
    fc.assert(
      fc.property(userArbitrary, (value) => {
        const { bytes, snapshot } = writeV1(user, value);
        expect(readAs(user, snapshot, bytes)).toStrictEqual(value);
      }),
    );
    const { bytes } = writeV1(user, { id: 1, name: null, score: null, active: true });
    expect(hex(bytes)).toBe('01000001');
  });

  describe.each([1, 2] as const)('schema evolution from version %d state', (version) => {
    const write = (serializer: RowSerializer<Row>, value: Row) =>
      version === 1
        ? writeV1(serializer, value)
        : { bytes: serializeToBytes(serializer, value), snapshot: serializer.snapshot() };

    it('reads an added nullable field as null, skips removed fields and follows reordering', () => {
      const before = row({
        gone: opt(str),
        id: int,
        alsoGone: row({ x: str, y: opt(num) }),
        name: opt(str),
        wasGone: bool,
      });
      const after = row({
        name: opt(str),
        id: int,
        added: opt(str),
        addedRow: opt(row({ z: bool })),
      });
      fc.assert(
        fc.property(
          fc.record({
            gone: fc.option(fc.string(), { nil: null }),
            id: fc.maxSafeInteger(),
            alsoGone: fc.record({ x: fc.string(), y: fc.option(fc.double(), { nil: null }) }),
            name: fc.option(fc.string(), { nil: null }),
            wasGone: fc.boolean(),
          }),
          (old) => {
            const { bytes, snapshot } = write(before, old);
            const read = readAs(after, snapshot, bytes);
            expect(read).toStrictEqual({ name: old.name, id: old.id, added: null, addedRow: null });
            expect(Object.keys(read)).toEqual(['name', 'id', 'added', 'addedRow']);
          },
        ),
      );
    });

    it('reads a field that became nullable', () => {
      const before = row({ id: int, name: str });
      const after = row({ id: int, name: opt(str) });
      const { bytes, snapshot } = write(before, { id: 7, name: 'n' });
      expect(readAs(after, snapshot, bytes)).toStrictEqual({ id: 7, name: 'n' });
    });

    it.each<
      [
        string,
        Record<string, TypeSerializer<unknown>>,
        Record<string, TypeSerializer<unknown>>,
        RegExp,
      ]
    >([
      [
        'an added field that is not nullable',
        { id: int },
        { id: int, name: str },
        /field "name" was added and is not nullable/,
      ],
      [
        'a nullable field made non-nullable',
        { id: int, name: opt(str) },
        { id: int, name: str },
        /"name"/,
      ],
      [
        'a field of another type',
        { id: int },
        { id: str },
        /^In field "id" of a row: .*"sluice.safe-integer".*"sluice.string"/,
      ],
      [
        'a removed field of a type only a plugin knows',
        {
          id: int,
          custom: {
            ...str,
            typeId: 'acme.custom',
            snapshot: () => ({ typeId: 'acme.custom', version: 1 }),
          } as TypeSerializer<unknown>,
        },
        { id: int },
        /^In removed field "custom" of a row: .*"acme.custom".*not a built-in/,
      ],
    ])('rejects %s with STATE_INCOMPATIBLE', (...[, before, after, message]) => {
      const snapshot = { ...row(before).snapshot(), version };
      expect(() => row(after).readerFor(snapshot)).toThrow(
        expect.objectContaining({
          code: 'STATE_INCOMPATIBLE',
          message: expect.stringMatching(message),
        }),
      );
    });
  });

  it('rejects a newer version and malformed snapshots', () => {
    expect(() => user.readerFor({ ...user.snapshot(), version: 3 })).toThrow(
      expect.objectContaining({
        code: 'STATE_UNKNOWN_VERSION',
        message: expect.stringMatching(/version 3.*up to 2/),
      }),
    );
    for (const params of [
      undefined,
      { fields: 'id' },
      { fields: ['id', 'id', 'x', 'y'] },
      { fields: ['id'] },
    ]) {
      expect(() => user.readerFor({ ...user.snapshot(), params })).toThrow(
        expect.objectContaining({ code: 'STATE_CORRUPT' }),
      );
    }
  });

  it('names the field at fault when a value does not match', () => {
    expect(() => serializeToBytes(user, { id: 1, name: 5, score: null, active: true })).toThrow(
      /^\.name: sluice.string expects a string, got a number$/,
    );
    expect(() => serializeToBytes(user, { id: 1, name: null, score: null })).toThrow(
      /^\.active: .*got undefined/,
    );
    expect(() => serializeToBytes(user, [] as unknown as Row)).toThrow(
      /expects an object, got an array/,
    );
  });

  it('ignores keys beyond the declared fields and writes undefined nullable fields as null', () => {
    const bytes = serializeToBytes(user, { id: 1, active: false, extra: 'x' });
    expect(deserializeFromBytes(user, bytes)).toStrictEqual({
      id: 1,
      name: null,
      score: null,
      active: false,
    });
  });
});
