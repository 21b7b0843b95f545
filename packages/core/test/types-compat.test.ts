/**
 * Backward compatibility of the built-in serializers (STYLE.md §6): frozen state bytes in
 * `test/fixtures/types/*.bin`, each a snapshot envelope (`writeWithSnapshot`) of one value.
 *
 * - Every fixture must still decode to its expected value.
 * - A fixture of a serializer's current version must also be exactly what this release writes:
 *   changing a format without a new version number fails here.
 *
 * A missing fixture fails the test. To create missing ones (never overwrite existing ones) run
 * `SLUICE_WRITE_TYPE_FIXTURES=1 npx vitest run test/types-compat.test.ts` in packages/core.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DataInput, DataOutput } from '../src/types/data-view.js';
import type { JsonValue } from '../src/types/json-value-serializer.js';
import { NullableSerializer } from '../src/types/nullable-serializer.js';
import { readWithSnapshot, writeWithSnapshot } from '../src/types/snapshot-envelope.js';
import type { TypeInformation } from '../src/types/type-information.js';
import type { SerializerSnapshot, TypeSerializer } from '../src/types/type-serializer.js';
import { Types } from '../src/types/types.js';

const fixtureUrl = (file: string): URL => new URL(`./fixtures/types/${file}`, import.meta.url);
const writeMissing = process.env['SLUICE_WRITE_TYPE_FIXTURES'] === '1';

function loadFixture(file: string, create: () => Uint8Array): Uint8Array {
  const url = fixtureUrl(file);
  if (!existsSync(url)) {
    if (!writeMissing) {
      throw new Error(
        `Fixture test/fixtures/types/${file} is missing; create it with ` +
          'SLUICE_WRITE_TYPE_FIXTURES=1 npx vitest run test/types-compat.test.ts',
      );
    }
    writeFileSync(url, create(), { flag: 'wx' });
  }
  return new Uint8Array(readFileSync(url));
}

interface CurrentCase {
  readonly file: string;
  readonly type: TypeInformation<unknown>;
  readonly value: unknown;
}

const current = <T>(file: string, type: TypeInformation<T>, value: T): CurrentCase => ({
  file,
  type: type as TypeInformation<unknown>,
  value,
});

const Event = Types.row({
  id: Types.safeInteger(),
  name: Types.nullable(Types.string()),
  score: Types.nullable(Types.number()),
  tags: Types.array(Types.string()),
  origin: Types.nullable(Types.row({ host: Types.string(), port: Types.nullable(Types.int32()) })),
  removedLater: Types.nullable(Types.bigint()),
});
type Event = {
  id: number;
  name: string | null;
  score: number | null;
  tags: string[];
  origin: { host: string; port: number | null } | null;
  removedLater: bigint | null;
};

const events: Event[] = [
  {
    id: 42,
    name: 'first é',
    score: -0,
    tags: ['a', 'b'],
    origin: { host: 'h1', port: null },
    removedLater: 2n ** 70n,
  },
  { id: -7, name: null, score: null, tags: [], origin: null, removedLater: null },
];

const currentCases: CurrentCase[] = [
  current('string-v1.bin', Types.string(), 'héllo \ud800 😀'),
  current('float64-v1.bin', Types.number(), -1.5e300),
  current('int32-v1.bin', Types.int32(), -123456),
  current('safe-integer-v1.bin', Types.safeInteger(), Number.MIN_SAFE_INTEGER),
  current('bigint-v1.bin', Types.bigint(), -(2n ** 100n) + 7n),
  current('int64-v1.bin', Types.int64(), -(2n ** 63n)),
  current('boolean-v1.bin', Types.boolean(), true),
  current('bytes-v1.bin', Types.bytes(), Uint8Array.of(0, 1, 254, 255)),
  current('json-v1.bin', Types.json(), {
    n: null,
    t: true,
    f: false,
    i: -42,
    x: 1.25,
    z: -0,
    nan: NaN,
    s: '☃',
    arr: [1, 'two', [3], {}],
  } as JsonValue),
  current('nullable-v1.bin', Types.array(Types.nullable(Types.string())), ['x', null]),
  current('array-v1.bin', Types.array(Types.int32()), [1, -1, 300]),
  current(
    'map-v1.bin',
    Types.map(Types.string(), Types.bigint()),
    new Map([
      ['k', 5n],
      ['', -1n],
    ]),
  ),
  current(
    'tuple-v1.bin',
    Types.tuple(Types.string(), Types.boolean(), Types.nullable(Types.number())),
    ['s', false, null],
  ),
  current('row-v2.bin', Types.array(Event), events),
];

/**
 * What release 1 wrote for rows (format version 1): each field with its own serializer, nullable
 * fields with a 0/1 byte before the value. Only used to create the frozen `row-v1.bin`.
 */
class RowV1Writer implements TypeSerializer<Record<string, unknown>> {
  readonly typeId = 'sluice.row';
  readonly version = 1;

  constructor(private readonly fields: readonly (readonly [string, TypeSerializer<unknown>])[]) {}

  serialize(value: Record<string, unknown>, out: DataOutput): void {
    for (const [name, serializer] of this.fields) serializer.serialize(value[name], out);
  }

  deserialize(_input: DataInput): Record<string, unknown> {
    throw new Error('write-only');
  }

  snapshot(): SerializerSnapshot {
    return {
      typeId: this.typeId,
      version: 1,
      params: { fields: this.fields.map(([name]) => name) },
      nested: this.fields.map(([, serializer]) => serializer.snapshot()),
    };
  }

  readerFor(): never {
    throw new Error('write-only');
  }
}

const serializerOf = <T>(type: TypeInformation<T>): TypeSerializer<unknown> =>
  type.createSerializer() as TypeSerializer<unknown>;
const eventV1Writer = new RowV1Writer([
  ['id', serializerOf(Types.safeInteger())],
  ['name', serializerOf(Types.nullable(Types.string()))],
  ['score', serializerOf(Types.nullable(Types.number()))],
  ['tags', serializerOf(Types.array(Types.string()))],
  [
    'origin',
    new NullableSerializer(
      new RowV1Writer([
        ['host', serializerOf(Types.string())],
        ['port', serializerOf(Types.nullable(Types.int32()))],
      ]),
    ) as TypeSerializer<unknown>,
  ],
  ['removedLater', serializerOf(Types.nullable(Types.bigint()))],
]);
const rowV1Writer = Types.array({ name: 'v1', createSerializer: () => eventV1Writer });

/** The event row of a later release: fields removed, added and reordered. */
const EvolvedEvent = Types.row({
  tags: Types.array(Types.string()),
  id: Types.safeInteger(),
  name: Types.nullable(Types.string()),
  origin: Types.nullable(Types.row({ port: Types.nullable(Types.int32()), host: Types.string() })),
  addedLater: Types.nullable(Types.json()),
});
const evolvedEvents = events.map(({ id, name, tags, origin }) => ({
  tags,
  id,
  name,
  origin,
  addedLater: null,
}));

describe('built-in serializers read frozen state bytes', () => {
  it.each(currentCases)(
    '$file decodes and is what this release writes',
    ({ file, type, value }) => {
      const serializer = type.createSerializer();
      const bytes = loadFixture(file, () => writeWithSnapshot(serializer, value));
      expect(readWithSnapshot(serializer, bytes)).toStrictEqual(value);
      expect(Buffer.from(writeWithSnapshot(serializer, value)).toString('hex')).toBe(
        Buffer.from(bytes).toString('hex'),
      );
    },
  );

  it('row-v1.bin (row format version 1, frozen) decodes with the current row serializer', () => {
    const bytes = loadFixture('row-v1.bin', () =>
      writeWithSnapshot(rowV1Writer.createSerializer(), events),
    );
    expect(readWithSnapshot(Types.array(Event).createSerializer(), bytes)).toStrictEqual(events);
  });

  it.each(['row-v1.bin', 'row-v2.bin'])(
    '%s decodes with a later schema: removed, added and reordered fields',
    (file) => {
      const bytes = loadFixture(file, () => {
        throw new Error(`${file} is created by the tests above`);
      });
      const read = readWithSnapshot(Types.array(EvolvedEvent).createSerializer(), bytes);
      expect(read).toStrictEqual(evolvedEvents);
      expect(Object.keys(read[0] as object)).toEqual([
        'tags',
        'id',
        'name',
        'origin',
        'addedLater',
      ]);
    },
  );

  it.each(['row-v1.bin', 'row-v2.bin'])(
    '%s read with a non-nullable added field is STATE_INCOMPATIBLE naming it',
    (file) => {
      const bytes = loadFixture(file, () => {
        throw new Error(`${file} is created by the tests above`);
      });
      const strict = Types.array(Types.row({ id: Types.safeInteger(), region: Types.string() }));
      expect(() => readWithSnapshot(strict.createSerializer(), bytes)).toThrow(
        expect.objectContaining({
          code: 'STATE_INCOMPATIBLE',
          message: expect.stringMatching(/field "region" was added and is not nullable/),
        }),
      );
    },
  );
});
