/**
 * The offset convention of Flink's Kafka consumer (reference §1.2, checklist 7-8): the state of a
 * partition is the offset of the **last emitted** record, so the next record read is state + 1
 * and the offset committed to Kafka is state + 1. Negative values are sentinels that are resolved
 * when the partition is first read and never committed.
 */

/** Sentinel offsets (Flink's values; every negative value counts as a sentinel). */
export const KafkaOffsetSentinel = {
  /** No offset known yet (the `committedOffsets` gauge starts here). */
  OFFSET_NOT_SET: -915623761776,
  /** Start from the earliest offset of the partition. */
  EARLIEST_OFFSET: -915623761775,
  /** Start from the end of the partition. */
  LATEST_OFFSET: -915623761774,
  /** Start from the consumer group's committed offset (else the `auto.offset.reset` policy). */
  GROUP_OFFSET: -915623761773,
} as const;

/** One of {@link KafkaOffsetSentinel}. */
export type KafkaOffsetSentinel = (typeof KafkaOffsetSentinel)[keyof typeof KafkaOffsetSentinel];

/** True for every negative value: a sentinel, not a real "last emitted" offset. */
export function isSentinel(offset: number): boolean {
  return offset < 0;
}

/** The offset to commit to Kafka (and to read next) for a last-emitted offset: `state + 1`. */
export function nextOffsetAfter(lastEmitted: number): number {
  if (isSentinel(lastEmitted)) throw new RangeError(`offset ${lastEmitted} is a sentinel, not a position`);
  return lastEmitted + 1;
}

/**
 * The state value for a position given as "the next record to read" (user-specified offsets,
 * timestamp lookups, a consumer's position): `next - 1`. Position 0 gives -1, which is a valid
 * "nothing emitted yet" state here (not one of the sentinels, but negative).
 */
export function lastEmittedBefore(next: number): number {
  return next - 1;
}

/**
 * Where to start reading a partition whose state is `state`: a real offset v ≥ -1 reads from
 * v + 1; a sentinel says which reset to apply.
 */
export type ReadPosition =
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'group' };

/** Turns a state value into the position to seek to (reference §1.2 resolution rules). */
export function readPositionOf(state: number): ReadPosition {
  switch (state) {
    case KafkaOffsetSentinel.EARLIEST_OFFSET:
      return { kind: 'earliest' };
    case KafkaOffsetSentinel.LATEST_OFFSET:
      return { kind: 'latest' };
    case KafkaOffsetSentinel.GROUP_OFFSET:
    case KafkaOffsetSentinel.OFFSET_NOT_SET:
      return { kind: 'group' };
    default:
      if (state >= -1) return { kind: 'offset', offset: state + 1 };
      throw new RangeError(`offset state ${state} is neither a known sentinel nor a position`);
  }
}
