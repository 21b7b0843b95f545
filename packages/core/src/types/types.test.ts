import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { StateError } from '../errors.js';
import { DataInput } from './data-view.js';
import type { JsonValue } from './json-value-serializer.js';
import { restoreReader } from './restore-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';
import { readWithSnapshot, writeWithSnapshot } from './snapshot-envelope.js';
import type { TypeInformation } from './type-information.js';
import { Types, type InferType } from './types.js';

interface Sample {
  readonly info: TypeInformation<unknown>;
  readonly values: fc.Arbitrary<unknown>;
}

const sample = <T>(info: TypeInformation<T>, values: fc.Arbitrary<T>): Sample => ({
  info: info as TypeInformation<unknown>,
  values,
});

const leaves: Sample[] = [
  sample(Types.string(), fc.string({ unit: 'binary' })),
  sample(Types.number(), fc.double()),
  sample(Types.int32(), fc.integer()),
  sample(Types.safeInteger(), fc.maxSafeInteger()),
  sample(Types.bigint(), fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n })),
  sample(Types.int64(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  sample(Types.boolean(), fc.boolean()),
  sample(Types.bytes(), fc.uint8Array({ maxLength: 16 })),
  sample(Types.json(), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>),
];

const fieldName = fc.string({ maxLength: 4 }).filter((name) => name !== '__proto__');

const samples: fc.Arbitrary<Sample> = fc.letrec<{ type: Sample }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.constantFrom(...leaves),
    tie('type').map((s) => sample(Types.nullable(s.info), fc.option(s.values, { nil: null }))),
    tie('type').map((s) => sample(Types.array(s.info), fc.array(s.values, { maxLength: 4 }))),
    fc.tuple(tie('type'), tie('type')).map(([k, v]) =>
      sample(
        Types.map(k.info, v.info),
        fc.array(fc.tuple(k.values, v.values), { maxLength: 4 }).map((entries) => new Map(entries)),
      ),
    ),
    fc
      .array(tie('type'), { maxLength: 3 })
      .map((elements) =>
        sample(
          Types.tuple(...elements.map((e) => e.info)),
          fc.tuple(...elements.map((e) => e.values)),
        ),
      ),
    fc
      .uniqueArray(fc.tuple(fieldName, tie('type')), { maxLength: 4, selector: ([name]) => name })
      .map((fields) =>
        sample(
          Types.row(Object.fromEntries(fields.map(([name, s]) => [name, s.info]))),
          fc.record(Object.fromEntries(fields.map(([name, s]) => [name, s.values]))),
        ),
      ),
  ),
})).type;

const withValue = samples.chain((s) => fc.tuple(fc.constant(s), s.values));

describe('Types', () => {
  it('round-trips nested combinations of every type, directly and in a snapshot envelope', () => {
    fc.assert(
      fc.property(withValue, ([{ info }, value]) => {
        const serializer = info.createSerializer();
        const bytes = serializeToBytes(serializer, value);
        expect(deserializeFromBytes(serializer, bytes)).toStrictEqual(value);
        expect(serializer.readerFor(serializer.snapshot())(new DataInput(bytes))).toStrictEqual(
          value,
        );
        expect(restoreReader(serializer.snapshot())(new DataInput(bytes))).toStrictEqual(value);
        expect(readWithSnapshot(serializer, writeWithSnapshot(serializer, value))).toStrictEqual(
          value,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('reads random or damaged bytes as a value or a StateError, never another error', () => {
    const outcome = (read: () => unknown): string => {
      try {
        read();
        return 'value';
      } catch (error) {
        if (error instanceof StateError) return error.code;
        throw error;
      }
    };
    fc.assert(
      fc.property(samples, fc.uint8Array({ maxLength: 64 }), ({ info }, bytes) => {
        const serializer = info.createSerializer();
        expect(['value', 'STATE_CORRUPT']).toContain(
          outcome(() => deserializeFromBytes(serializer, bytes)),
        );
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        withValue,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ([{ info }, value], at, xor) => {
          const serializer = info.createSerializer();
          const bytes = writeWithSnapshot(serializer, value);
          const damaged = bytes.slice();
          damaged[at % bytes.length] = (damaged[at % bytes.length] as number) ^ xor;
          expect([
            'value',
            'STATE_CORRUPT',
            'STATE_INCOMPATIBLE',
            'STATE_UNKNOWN_VERSION',
          ]).toContain(outcome(() => readWithSnapshot(serializer, damaged)));
          expect(
            outcome(() => readWithSnapshot(serializer, bytes.subarray(0, at % bytes.length))),
          ).not.toBe('value');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('infers the TypeScript types of rows, tuples, arrays, maps and nullables', () => {
    const user = Types.row({ id: Types.number(), name: Types.nullable(Types.string()) });
    expectTypeOf(user).toEqualTypeOf<TypeInformation<{ id: number; name: string | null }>>();
    expectTypeOf<InferType<typeof user>>().toEqualTypeOf<{ id: number; name: string | null }>();
    const pair = Types.tuple(Types.string(), Types.number());
    expectTypeOf(pair).toEqualTypeOf<TypeInformation<[string, number]>>();
    expectTypeOf<InferType<typeof pair>>().toEqualTypeOf<[string, number]>();
    const index = Types.map(Types.bigint(), Types.array(Types.bytes()));
    expectTypeOf(index).toEqualTypeOf<TypeInformation<Map<bigint, Uint8Array[]>>>();
    expectTypeOf<InferType<typeof index>>().toEqualTypeOf<Map<bigint, Uint8Array[]>>();
    expectTypeOf<InferType<ReturnType<typeof Types.json>>>().toEqualTypeOf<JsonValue>();
  });

  it('names types readably', () => {
    const info = Types.row({
      id: Types.number(),
      name: Types.nullable(Types.string()),
      tags: Types.map(Types.string(), Types.array(Types.tuple(Types.int32(), Types.bigint()))),
    });
    expect(info.name).toBe(
      'row<id: number, name: string?, tags: map<string, array<tuple<int32, bigint>>>>',
    );
    expect(String(info)).toBe(info.name);
  });

  it.each([
    [
      'a non-TypeInformation field',
      () => Types.row({ id: 'number' as unknown as TypeInformation<number> }),
      'Types.row field "id"',
    ],
    ['a "__proto__" field', () => Types.row({ ['__proto__']: Types.string() }), 'fields'],
    [
      'a non-object row',
      () => Types.row(null as unknown as Record<string, TypeInformation<unknown>>),
      'fields',
    ],
    [
      'a bad array element',
      () => Types.array(undefined as unknown as TypeInformation<unknown>),
      'Types.array(element)',
    ],
    [
      'a bad map key',
      () => Types.map({} as TypeInformation<unknown>, Types.string()),
      'Types.map(key)',
    ],
    [
      'a bad nullable',
      () => Types.nullable(1 as unknown as TypeInformation<unknown>),
      'Types.nullable(type)',
    ],
    [
      'a bad tuple element',
      () => Types.tuple(Types.string(), null as unknown as TypeInformation<unknown>),
      'Types.tuple(element 1)',
    ],
  ])('rejects %s with CONFIG_INVALID naming the option', (_, build, option) => {
    expect(build).toThrow(
      expect.objectContaining({ name: 'ConfigError', code: 'CONFIG_INVALID', option }),
    );
  });
});
