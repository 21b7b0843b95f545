import { describe, expect, it } from 'vitest';
import { compareOutput, describeComparison } from './compare-output.js';

describe('compareOutput', () => {
  it('passes exactly-once for the same records in any order, repeats included', () => {
    const result = compareOutput(['a', 'b', 'b', 'c'], ['c', 'b', 'a', 'b'], 'exactly-once');
    expect(result.passed).toBe(true);
    expect(describeComparison(result)).toMatch(/^exactly-once held: 4 records read, 4 expected/);
  });

  it('counts missing copies, duplicates and unexpected records', () => {
    const result = compareOutput(['a', 'b', 'b', 'c'], ['a', 'a', 'a', 'b', 'x'], 'exactly-once');
    expect(result).toMatchObject({
      missingCount: 2,
      missing: ['b', 'c'],
      duplicates: 2,
      unexpectedCount: 1,
      unexpected: ['x'],
      passed: false,
    });
    expect(result.duplicated).toEqual([['a', 3]]);
  });

  it('at-least-once allows duplicates but not loss or strangers', () => {
    expect(compareOutput(['a', 'b'], ['a', 'b', 'b'], 'at-least-once')).toMatchObject({
      passed: true,
      duplicates: 1,
    });
    expect(compareOutput(['a', 'b'], ['a', 'a'], 'at-least-once').passed).toBe(false);
    expect(compareOutput(['a'], ['a', 'z'], 'at-least-once').passed).toBe(false);
  });
});
