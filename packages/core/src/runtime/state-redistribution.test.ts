import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redistributeEvenSplit, redistributeUnion } from './state-redistribution.js';

describe('redistributeEvenSplit', () => {
  it('is the identity at unchanged parallelism', () => {
    expect(redistributeEvenSplit([[1, 2, 3], [], [4]], 3)).toEqual([[1, 2, 3], [], [4]]);
  });

  it('cuts 2 -> 3 into contiguous chunks, first n mod p taking one more', () => {
    expect(redistributeEvenSplit([[1, 2, 3], [4, 5, 6, 7]], 3)).toEqual([[1, 2, 3], [4, 5], [6, 7]]);
  });

  it('rotates the extra elements from startIndex', () => {
    expect(redistributeEvenSplit([[1, 2, 3, 4], [5]], 3, 2)).toEqual([[1, 2], [3], [4, 5]]);
  });

  it('scales down 3 -> 1 by concatenation', () => {
    expect(redistributeEvenSplit([[1], [2, 3], [4]], 1)).toEqual([[1, 2, 3, 4]]);
  });

  it('keeps every element once, in order, with sizes differing by at most one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer(), { maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat(20),
        (old, p, start) => {
          const chunks = redistributeEvenSplit(old, p, start);
          expect(chunks).toHaveLength(p);
          expect(chunks.flat()).toEqual(old.flat());
          if (old.length !== p) {
            const sizes = chunks.map((chunk) => chunk.length);
            expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('rejects a parallelism below 1', () => {
    expect(() => redistributeEvenSplit([[1]], 0)).toThrow(RangeError);
  });
});

describe('redistributeUnion', () => {
  it('gives every subtask the whole concatenation', () => {
    expect(redistributeUnion([[1], [2, 3]], 3)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });
});
