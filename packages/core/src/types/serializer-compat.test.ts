import { describe, expect, it } from 'vitest';
import { StateError } from '../errors.js';
import { DataInput } from './data-view.js';
import { encodedWidth, snapshotsEqual } from './serializer-compat.js';
import { serializeToBytes } from './serialized-value.js';
import type { TypeInformation } from './type-information.js';
import { Types } from './types.js';

const all: [string, TypeInformation<unknown>, unknown][] = [
  ['string', Types.string(), 'x'],
  ['number', Types.number(), 1.5],
  ['int32', Types.int32(), -3],
  ['safeInteger', Types.safeInteger(), 2 ** 40],
  ['bigint', Types.bigint(), 10n ** 30n],
  ['int64', Types.int64(), -5n],
  ['boolean', Types.boolean(), true],
  ['bytes', Types.bytes(), Uint8Array.of(1, 2)],
  ['json', Types.json(), { a: [1, 'b', null] }],
  ['nullable', Types.nullable(Types.string()), null],
  ['array', Types.array(Types.number()), [1, 2]],
  ['map', Types.map(Types.string(), Types.boolean()), new Map([['k', true]])],
  ['tuple', Types.tuple(Types.string(), Types.number()), ['a', 1]],
  [
    'row',
    Types.row({ id: Types.number(), name: Types.nullable(Types.string()) }),
    { id: 1, name: null },
  ],
] as [string, TypeInformation<unknown>, unknown][];

describe('readerFor rules, for every built-in serializer', () => {
  it.each(all)('%s: its own snapshot gives the current reader', (_, info, value) => {
    const serializer = info.createSerializer();
    const input = new DataInput(serializeToBytes(serializer, value));
    expect(serializer.readerFor(serializer.snapshot())(input)).toStrictEqual(value);
    expect(input.remaining).toBe(0);
  });

  it.each(all)('%s: a newer version is STATE_UNKNOWN_VERSION naming both versions', (_, info) => {
    const serializer = info.createSerializer();
    const newer = { ...serializer.snapshot(), version: serializer.version + 1 };
    expect(() => serializer.readerFor(newer)).toThrow(StateError);
    expect(() => serializer.readerFor(newer)).toThrow(
      expect.objectContaining({
        code: 'STATE_UNKNOWN_VERSION',
        message: expect.stringMatching(
          new RegExp(`version ${serializer.version + 1}.*versions up to ${serializer.version}`),
        ),
      }),
    );
  });

  it.each(all)('%s: an unknown older version (0) is STATE_UNKNOWN_VERSION', (_, info) => {
    const serializer = info.createSerializer();
    expect(() => serializer.readerFor({ ...serializer.snapshot(), version: 0 })).toThrow(
      expect.objectContaining({ code: 'STATE_UNKNOWN_VERSION' }),
    );
  });

  it.each(all.filter(([name]) => name !== 'nullable'))(
    '%s: another type id is STATE_INCOMPATIBLE naming both',
    (_, info) => {
      const serializer = info.createSerializer();
      const other = info === Types.boolean() ? Types.string() : Types.boolean();
      expect(() => serializer.readerFor(other.createSerializer().snapshot())).toThrow(
        expect.objectContaining({
          code: 'STATE_INCOMPATIBLE',
          message: expect.stringContaining(
            `"${other.createSerializer().typeId}" version 1, which "${serializer.typeId}" cannot read`,
          ),
        }),
      );
    },
  );

  it('nullable reads its inner type and rejects others with the inner type named', () => {
    const serializer = Types.nullable(Types.string()).createSerializer();
    expect(() => serializer.readerFor(Types.boolean().createSerializer().snapshot())).toThrow(
      expect.objectContaining({
        code: 'STATE_INCOMPATIBLE',
        message: expect.stringMatching(/"sluice.boolean" version 1, which "sluice.string" cannot/),
      }),
    );
  });

  it('compares snapshots deeply', () => {
    const row = Types.row({ a: Types.string() }).createSerializer();
    expect(
      snapshotsEqual(
        row.snapshot(),
        Types.row({ a: Types.string() }).createSerializer().snapshot(),
      ),
    ).toBe(true);
    expect(
      snapshotsEqual(
        row.snapshot(),
        Types.row({ b: Types.string() }).createSerializer().snapshot(),
      ),
    ).toBe(false);
    expect(
      snapshotsEqual(row.snapshot(), Types.row({ a: Types.bytes() }).createSerializer().snapshot()),
    ).toBe(false);
    expect(
      snapshotsEqual({ typeId: 't', version: 1, nested: [] }, { typeId: 't', version: 1 }),
    ).toBe(true);
  });

  it('knows which types may take zero bytes', () => {
    const snap = (info: TypeInformation<unknown>) => info.createSerializer().snapshot();
    expect(encodedWidth([snap(Types.row({}))])).toBe('maybe-zero');
    expect(encodedWidth([snap(Types.tuple(Types.row({})))])).toBe('maybe-zero');
    expect(encodedWidth([snap(Types.row({ a: Types.boolean() }))])).toBe('nonzero');
    expect(encodedWidth([snap(Types.string())])).toBe('nonzero');
    expect(encodedWidth([{ typeId: 'acme.unknown', version: 1 }])).toBe('unknown');
    expect(encodedWidth([{ typeId: 'acme.unknown', version: 1 }, snap(Types.int32())])).toBe(
      'nonzero',
    );
    expect(encodedWidth([])).toBe('maybe-zero');
  });
});
