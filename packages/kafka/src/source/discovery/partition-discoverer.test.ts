import { describe, expect, it } from 'vitest';
import { matchesWhole, ownedPartitions } from './partition-discoverer.js';

describe('topic pattern and ownership (checklist 1, 4)', () => {
  it('a pattern must match the whole topic name', () => {
    expect(matchesWhole(/orders-\d+/, 'orders-1')).toBe(true);
    expect(matchesWhole(/orders-\d+/, 'orders-1-dlq')).toBe(false);
    expect(matchesWhole(/orders|payments/, 'payments')).toBe(true);
    expect(matchesWhole(/orders|payments/, 'xpayments')).toBe(false);
    expect(matchesWhole(/a/g, 'a')).toBe(true);
    expect(matchesWhole(/a/g, 'a')).toBe(true);
  });

  it('every partition is owned by exactly one subtask', () => {
    const partitions = [0, 1, 2, 3, 4, 5].map((partition) => ({ topic: 'test', partition }));
    const owners = [0, 1, 2, 3].map((subtaskIndex) => ownedPartitions(partitions, { subtaskIndex, parallelism: 4 }));
    expect(owners.map((list) => list.map((tp) => tp.partition))).toEqual([[2], [3], [0, 4], [1, 5]]);
  });
});
