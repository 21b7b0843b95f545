import { describe, expect, it } from 'vitest';
import { KafkaOffsetSentinel, isSentinel, lastEmittedBefore, nextOffsetAfter, readPositionOf } from './offsets.js';

describe('offset convention (checklist 7, 8)', () => {
  it('has Flink 1.6 sentinel values, all negative', () => {
    expect(KafkaOffsetSentinel).toEqual({
      OFFSET_NOT_SET: -915623761776,
      EARLIEST_OFFSET: -915623761775,
      LATEST_OFFSET: -915623761774,
      GROUP_OFFSET: -915623761773,
    });
    for (const value of Object.values(KafkaOffsetSentinel)) {
      expect(isSentinel(value)).toBe(true);
      expect(Number.isSafeInteger(value)).toBe(true);
    }
  });

  it('stores the last emitted offset; commit and next read are state + 1', () => {
    expect(nextOffsetAfter(41)).toBe(42);
    expect(lastEmittedBefore(42)).toBe(41);
    expect(() => nextOffsetAfter(KafkaOffsetSentinel.GROUP_OFFSET)).toThrow(RangeError);
  });

  it('resolves sentinels to seeks and real offsets to state + 1', () => {
    expect(readPositionOf(KafkaOffsetSentinel.EARLIEST_OFFSET)).toEqual({ kind: 'earliest' });
    expect(readPositionOf(KafkaOffsetSentinel.LATEST_OFFSET)).toEqual({ kind: 'latest' });
    expect(readPositionOf(KafkaOffsetSentinel.GROUP_OFFSET)).toEqual({ kind: 'group' });
    expect(readPositionOf(10)).toEqual({ kind: 'offset', offset: 11 });
    // a user offset 0 is stored as -1 and reads from 0
    expect(readPositionOf(lastEmittedBefore(0))).toEqual({ kind: 'offset', offset: 0 });
    expect(() => readPositionOf(-5)).toThrow(RangeError);
  });
});
