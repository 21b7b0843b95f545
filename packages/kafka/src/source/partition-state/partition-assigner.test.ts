import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadJavaReference } from '../../../test/fixtures/java-reference.js';
import { assignPartition } from './partition-assigner.js';

describe('assignPartition (checklist 4: partition owner formula)', () => {
  it('gives the reference examples with P = 4', () => {
    expect([0, 1, 2, 3, 4, 5].map((p) => assignPartition('test', p, 4))).toEqual([2, 3, 0, 1, 2, 3]);
    expect([0, 1, 2, 3].map((p) => assignPartition('orders', p, 4))).toEqual([3, 0, 1, 2]);
  });

  it('matches the table computed with Java int arithmetic', () => {
    const { assignments } = loadJavaReference();
    expect(assignments.length).toBeGreaterThan(300);
    for (const [topic, parallelism, owners] of assignments) {
      const ours = owners.map((_, partition) => assignPartition(topic, partition, parallelism));
      expect({ topic, parallelism, owners: ours }).toEqual({ topic, parallelism, owners });
    }
  });

  it('spreads consecutive partitions of one topic round-robin', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), fc.nat(1000), (topic, p, partition) => {
        const owner = assignPartition(topic, partition, p);
        expect(owner).toBeGreaterThanOrEqual(0);
        expect(owner).toBeLessThan(p);
        expect(assignPartition(topic, partition + 1, p)).toBe((owner + 1) % p);
      }),
    );
  });

  it('rejects a non-positive parallelism', () => {
    expect(() => assignPartition('t', 0, 0)).toThrow(RangeError);
  });
});
