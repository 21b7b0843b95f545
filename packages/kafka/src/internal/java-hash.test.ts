import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadJavaReference } from '../../test/fixtures/java-reference.js';
import { javaStringHashCode } from './java-hash.js';

describe('javaStringHashCode (reference §0)', () => {
  it('matches String.hashCode computed by the JVM on this machine', () => {
    const { hashCodes } = loadJavaReference();
    expect(hashCodes.length).toBeGreaterThan(40);
    for (const [value, expected] of hashCodes) expect([value, javaStringHashCode(value)]).toEqual([value, expected]);
  });

  it('gives the values of Flink test cases: "test" → 3556498', () => {
    expect(javaStringHashCode('test')).toBe(3556498);
  });

  it('is always an int32', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const h = javaStringHashCode(s);
        expect(h).toBe(h | 0);
      }),
    );
  });
});
