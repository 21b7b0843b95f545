import { describe, expect, it } from 'vitest';
import { FixedPartitioner } from './fixed-partitioner.js';

const target = (partitions: number[]) => ({ key: null, value: new Uint8Array(), topic: 't', partitions });

describe('FixedPartitioner (checklist 16)', () => {
  it('sends subtask i to partitions[i % n] of the sorted ids', () => {
    const picks = [0, 1, 2, 3, 4].map((subtask) => {
      const p = new FixedPartitioner();
      p.open(subtask, 5);
      return p.partition('x', target([0, 1, 2]));
    });
    expect(picks).toEqual([0, 1, 2, 0, 1]);
    const p = new FixedPartitioner();
    p.open(1, 2);
    expect(p.partition('x', target([3, 7, 9]))).toBe(7);
  });

  it('fails on an empty partition list naming the topic', () => {
    const p = new FixedPartitioner();
    p.open(0, 1);
    expect(() => p.partition('x', target([]))).toThrow(/no partitions for topic t/);
  });

  it('checks open arguments', () => {
    expect(() => new FixedPartitioner().open(-1, 1)).toThrow(RangeError);
    expect(() => new FixedPartitioner().open(0, 0)).toThrow(RangeError);
  });
});
