/**
 * Where a fresh source starts reading (reference §1.3, checklist 2-3). Ignored on restore: the
 * offsets in the checkpoint win.
 */
import { invalidOption } from '../errors.js';
import type { KafkaLogger } from '../internal/logger.js';
import { partitionKey } from '../internal/topic-partition.js';
import type { TopicPartition, TopicPartitionOffset } from '../internal/topic-partition.js';
import { KafkaOffsetSentinel, lastEmittedBefore } from './partition-state/offsets.js';

/** A start position of a {@link KafkaSource}. Build one with {@link StartingOffsets}. */
export type StartingOffsets =
  | { readonly kind: 'group-offsets' }
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'timestamp'; readonly timestamp: number }
  | { readonly kind: 'specific-offsets'; readonly offsets: readonly TopicPartitionOffset[] };

/** Factories of {@link StartingOffsets} (Flink's `setStartFrom...` setters). */
export const StartingOffsets = {
  /** The consumer group's committed offsets, else `auto.offset.reset` (Flink 1.6's default). */
  groupOffsets(): StartingOffsets {
    return { kind: 'group-offsets' };
  },
  /** The earliest offset of every partition. */
  earliest(): StartingOffsets {
    return { kind: 'earliest' };
  },
  /** The end of every partition: only records written after the start are read. */
  latest(): StartingOffsets {
    return { kind: 'latest' };
  },
  /**
   * The first record whose timestamp is ≥ `timestamp` (ms since the epoch); partitions with no
   * such record start at the end. Requires `0 ≤ timestamp ≤ now` when called.
   */
  timestamp(timestamp: number, now: number = Date.now()): StartingOffsets {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > now) {
      throw invalidOption(
        'startingOffsets',
        `StartingOffsets.timestamp(${timestamp}) needs an integer timestamp with 0 ≤ timestamp ≤ now (${now}).`,
      );
    }
    return { kind: 'timestamp', timestamp };
  },
  /**
   * Given offsets: each one is the **next** record to read. A partition of this source that is
   * not listed starts from the group offset (one warning lists them all); listed partitions the
   * source does not read are ignored.
   */
  specificOffsets(offsets: readonly TopicPartitionOffset[]): StartingOffsets {
    for (const entry of offsets) {
      if (!Number.isSafeInteger(entry.offset) || entry.offset < 0 || !Number.isInteger(entry.partition) || entry.partition < 0) {
        throw invalidOption(
          'startingOffsets',
          `StartingOffsets.specificOffsets: ${entry.topic}/${entry.partition} has offset ${entry.offset}; offsets and partitions must be integers ≥ 0.`,
        );
      }
    }
    return { kind: 'specific-offsets', offsets: offsets.map((o) => ({ ...o })) };
  },
} as const;

/** Looks up, per partition, the first offset with a timestamp ≥ `timestamp` (null: none). */
export type OffsetsForTimes = (
  partitions: readonly TopicPartition[],
  timestamp: number,
) => Promise<ReadonlyMap<string, number | null>>;

/** What {@link resolveStartOffsets} needs. */
export interface ResolveStartOffsetsOptions {
  readonly startingOffsets: StartingOffsets;
  /** The partitions this subtask owns. */
  readonly partitions: readonly TopicPartition[];
  /** Needed for `timestamp` start. Keys are {@link partitionKey}. */
  readonly offsetsForTimes?: OffsetsForTimes;
  readonly logger: KafkaLogger;
}

/**
 * The initial state ("last emitted" offset or sentinel) of each owned partition on a fresh start,
 * keyed by {@link partitionKey}. Values are sentinels except for specific offsets (value − 1) and
 * timestamp lookups (found offset − 1, else `LATEST_OFFSET`).
 */
export async function resolveStartOffsets(options: ResolveStartOffsetsOptions): Promise<Map<string, number>> {
  const { startingOffsets, partitions } = options;
  const result = new Map<string, number>();
  const fill = (value: number): Map<string, number> => {
    for (const tp of partitions) result.set(partitionKey(tp), value);
    return result;
  };
  switch (startingOffsets.kind) {
    case 'group-offsets':
      return fill(KafkaOffsetSentinel.GROUP_OFFSET);
    case 'earliest':
      return fill(KafkaOffsetSentinel.EARLIEST_OFFSET);
    case 'latest':
      return fill(KafkaOffsetSentinel.LATEST_OFFSET);
    case 'specific-offsets': {
      const given = new Map(startingOffsets.offsets.map((o) => [partitionKey(o), o.offset]));
      const missing: TopicPartition[] = [];
      for (const tp of partitions) {
        const offset = given.get(partitionKey(tp));
        if (offset === undefined) {
          missing.push(tp);
          result.set(partitionKey(tp), KafkaOffsetSentinel.GROUP_OFFSET);
        } else {
          result.set(partitionKey(tp), lastEmittedBefore(offset));
        }
      }
      if (missing.length > 0) {
        options.logger.warn(
          `No specific start offset was given for ${missing.length} partition(s) of this subtask; they start from the group offset: ` +
            missing.map((tp) => `${tp.topic}/${tp.partition}`).join(', '),
          { partitions: missing },
        );
      }
      return result;
    }
    case 'timestamp': {
      if (partitions.length === 0) return result;
      if (options.offsetsForTimes === undefined) throw new TypeError('resolveStartOffsets: offsetsForTimes is required for a timestamp start');
      const found = await options.offsetsForTimes(partitions, startingOffsets.timestamp);
      for (const tp of partitions) {
        const offset = found.get(partitionKey(tp));
        result.set(
          partitionKey(tp),
          offset === undefined || offset === null ? KafkaOffsetSentinel.LATEST_OFFSET : lastEmittedBefore(offset),
        );
      }
      return result;
    }
  }
}
