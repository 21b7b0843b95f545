import { describe, expect, it } from 'vitest';
import { DECODED_RECORD_OVERHEAD_BYTES, FETCH_MEMORY_BUDGET_BYTES, FetchSizer } from './fetch-sizer.js';

const MiB = 1024 * 1024;
const caps = { maxBytes: 10 * MiB, maxPartitionBytes: MiB };

/** The sizer after `fetches` fetches of records of `size` bytes. */
function learned(size: number, fetches = 12, limits = caps): FetchSizer {
  const sizer = new FetchSizer(limits);
  for (let i = 0; i < fetches; i += 1) sizer.observe(1000, 1000 * size);
  return sizer;
}

describe('FetchSizer', () => {
  it('starts at ≈ 500 KB per fetch (what 100-byte records get)', () => {
    const { fetchBytes, partitionBytes } = new FetchSizer(caps).limits();
    expect(fetchBytes).toBe(Math.round((FETCH_MEMORY_BUDGET_BYTES * 100) / (2 * 100 + DECODED_RECORD_OVERHEAD_BYTES)));
    expect(fetchBytes).toBeGreaterThan(480_000);
    expect(fetchBytes).toBeLessThan(520_000);
    expect(partitionBytes).toBe(fetchBytes);
  });

  it('asks for more bytes as records get larger, each partition within its cap', () => {
    const small = learned(100).limits();
    const large = learned(1024).limits();
    expect(large.fetchBytes).toBeGreaterThan(MiB);
    expect(large.fetchBytes).toBeLessThan(FETCH_MEMORY_BUDGET_BYTES / 2);
    expect(large.partitionBytes).toBe(MiB);
    expect(small.fetchBytes).toBeLessThan(large.fetchBytes / 2);
  });

  it('keeps the memory a fetch takes about the same whatever the record size', () => {
    for (const size of [10, 100, 1024, 10_240]) {
      const { fetchBytes } = learned(size).limits();
      const decoded = 2 * fetchBytes + (fetchBytes / size) * DECODED_RECORD_OVERHEAD_BYTES;
      expect(decoded / FETCH_MEMORY_BUDGET_BYTES).toBeCloseTo(1, 1);
    }
  });

  it('never exceeds the caps, and never asks for less than 64 KiB', () => {
    const capped = learned(10_240, 12, { maxBytes: 300_000, maxPartitionBytes: 100_000 }).limits();
    expect(capped).toEqual({ fetchBytes: 300_000, partitionBytes: 100_000 });
    expect(learned(0).limits().fetchBytes).toBe(64 * 1024);
    expect(learned(0, 12, { maxBytes: 1000, maxPartitionBytes: 1000 }).limits().fetchBytes).toBe(1000);
  });

  it('follows a change of record size within a few fetches and ignores empty fetches', () => {
    const sizer = learned(100);
    const before = sizer.limits();
    sizer.observe(0, 0);
    expect(sizer.limits()).toEqual(before);
    for (let i = 0; i < 6; i += 1) sizer.observe(100, 100 * 1024);
    expect(sizer.limits().fetchBytes).toBeGreaterThan(0.95 * learned(1024).limits().fetchBytes);
  });
});
