import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Types } from '../types/types.js';
import type { TypeInformation } from '../types/type-information.js';
import { KeyGroupAssigner, isValueKey, keyGroupForBytes, latin1String, serializeKey } from './key-groups.js';

function direct<TKey>(type: TypeInformation<TKey>, key: TKey): { keyGroup: number; keyBytes: string } {
  const bytes = serializeKey(key, type.createSerializer());
  return { keyGroup: keyGroupForBytes(bytes, 128), keyBytes: latin1String(bytes) };
}

describe('KeyGroupAssigner', () => {
  it('gives exactly the serialized bytes and key group, memoized or not', () => {
    const check = <TKey>(type: TypeInformation<TKey>, keys: fc.Arbitrary<TKey>): void => {
      const assigner = new KeyGroupAssigner(type.createSerializer(), { maxParallelism: 128, memoSize: 8 });
      fc.assert(
        fc.property(fc.array(keys, { maxLength: 40 }), (sample) => {
          // Twice: the second pass is served from the memo where it still holds the key.
          for (const key of [...sample, ...sample]) expect(assigner.info(key)).toEqual(direct(type, key));
        }),
      );
    };
    check(Types.number(), fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double(), fc.constantFrom(0, -0, NaN)));
    check(Types.string(), fc.oneof(fc.string({ maxLength: 3 }), fc.fullUnicodeString({ maxLength: 200 })));
    check(Types.boolean(), fc.boolean());
    check(Types.tuple(Types.string(), Types.number()), fc.tuple(fc.string({ maxLength: 2 }), fc.integer({ min: 0, max: 3 })));
  });

  it('route and keyGroup: the same key group (float64 keys hashed from their bits), bytes only for non-value keys', () => {
    const check = <TKey>(type: TypeInformation<TKey>, keys: fc.Arbitrary<TKey>): void => {
      const assigner = new KeyGroupAssigner(type.createSerializer(), { maxParallelism: 128 });
      fc.assert(
        fc.property(keys, (key) => {
          const expected = direct(type, key);
          expect(assigner.keyGroup(key)).toBe(expected.keyGroup);
          const route = assigner.route(key);
          expect(route).toEqual(isValueKey(key) ? expected.keyGroup : expected);
        }),
      );
    };
    check(
      Types.number(),
      fc.oneof(
        fc.double(),
        fc.integer(),
        // small integers have their key groups kept in an array: met twice, on both sides of its bound
        fc.integer({ min: -2, max: 70_000 }),
        fc.constantFrom(0, -0, 0.5, 65_535, 65_536, NaN, Infinity, -Infinity, 2 ** 53),
      ),
    );
    check(Types.int32(), fc.integer());
    check(Types.string(), fc.string({ maxLength: 5 }));
    check(Types.row({ id: Types.number() }), fc.record({ id: fc.integer() }));
  });

  it('keeps -0 and 0 apart (a Map would not)', () => {
    const assigner = new KeyGroupAssigner(Types.number().createSerializer(), { maxParallelism: 128 });
    const zero = assigner.info(0);
    expect(assigner.info(-0)).toEqual(direct(Types.number(), -0));
    expect(assigner.info(-0).keyBytes).not.toBe(zero.keyBytes);
    expect(assigner.info(0)).toBe(zero);
  });
});
