import { describe, expect, it } from 'vitest';
import { checkContents, describeReport, isExactlyOnce } from './jobs/exactly-once-checker.js';

describe('exactly-once checker (used by the SIGKILL tests)', () => {
  it('accepts every input exactly once across files, empty files included', () => {
    const report = checkContents(
      new Map([
        ['a.txt', '0\n2\n'],
        ['b.txt', ''],
        ['c.txt', '1\n3\n'],
      ]),
      { count: 4 },
    );
    expect(isExactlyOnce(report), describeReport(report)).toBe(true);
    expect(report.records).toBe(4);
  });

  it('flags a duplicate, a missing input, a torn file, an unexpected value and a foreign file', () => {
    const report = checkContents(
      new Map([
        ['a.txt', '0\n1\n'],
        ['b.txt', '1\n7\nx\n'],
        ['c.txt', '2'],
      ]),
      { count: 4, foreignFiles: ['d.tmp'] },
    );
    expect(isExactlyOnce(report)).toBe(false);
    expect(report.duplicates).toEqual([[1, 2]]);
    expect(report.missing).toEqual([3]);
    expect(report.unexpected).toEqual(['7', 'x']);
    expect(report.tornFiles).toEqual(['c.txt']);
    expect(report.foreignFiles).toEqual(['d.tmp']);
    expect(describeReport(report)).toMatch(/missing 1 \[3\].*duplicated 1 \[1×2\]/);
  });
});
