import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '@sluice/core';
import { partitionKey } from '../internal/topic-partition.js';
import { KafkaOffsetSentinel } from './partition-state/offsets.js';
import { StartingOffsets, resolveStartOffsets } from './starting-offsets.js';

const owned = [
  { topic: 't', partition: 0 },
  { topic: 't', partition: 1 },
  { topic: 'u', partition: 0 },
];

function logger() {
  return { warn: vi.fn() };
}

describe('start positions (checklist 2, 3)', () => {
  it.each([
    [StartingOffsets.groupOffsets(), KafkaOffsetSentinel.GROUP_OFFSET],
    [StartingOffsets.earliest(), KafkaOffsetSentinel.EARLIEST_OFFSET],
    [StartingOffsets.latest(), KafkaOffsetSentinel.LATEST_OFFSET],
  ])('%o gives its sentinel to every owned partition', async (startingOffsets, sentinel) => {
    const result = await resolveStartOffsets({ startingOffsets, partitions: owned, logger: logger() });
    expect([...result.values()]).toEqual([sentinel, sentinel, sentinel]);
  });

  it('specific offsets: value − 1; a missing partition gets GROUP_OFFSET with one warning; foreign entries ignored', async () => {
    const log = logger();
    const result = await resolveStartOffsets({
      startingOffsets: StartingOffsets.specificOffsets([
        { topic: 't', partition: 0, offset: 5 },
        { topic: 'u', partition: 0, offset: 0 },
        { topic: 'other', partition: 3, offset: 9 },
      ]),
      partitions: owned,
      logger: log,
    });
    expect(Object.fromEntries(result)).toEqual({
      [partitionKey({ topic: 't', partition: 0 })]: 4,
      [partitionKey({ topic: 't', partition: 1 })]: KafkaOffsetSentinel.GROUP_OFFSET,
      [partitionKey({ topic: 'u', partition: 0 })]: -1,
    });
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]?.[0]).toContain('t/1');
  });

  it('specific offsets reject negative offsets naming the option', () => {
    expect(() => StartingOffsets.specificOffsets([{ topic: 't', partition: 0, offset: -1 }])).toThrow(ConfigError);
  });

  it('timestamp: found offset − 1, no record with ts ≥ T → LATEST', async () => {
    const offsetsForTimes = vi.fn(() =>
      Promise.resolve(new Map<string, number | null>([[partitionKey({ topic: 't', partition: 0 }), 7], [partitionKey({ topic: 't', partition: 1 }), null]])),
    );
    const result = await resolveStartOffsets({
      startingOffsets: StartingOffsets.timestamp(1000, 2000),
      partitions: owned.slice(0, 2),
      offsetsForTimes,
      logger: logger(),
    });
    expect(offsetsForTimes).toHaveBeenCalledWith(owned.slice(0, 2), 1000);
    expect([...result.values()]).toEqual([6, KafkaOffsetSentinel.LATEST_OFFSET]);
  });

  it('timestamp must satisfy 0 ≤ T ≤ now when set', () => {
    expect(() => StartingOffsets.timestamp(-1)).toThrow(/startingOffsets|0 ≤ timestamp/);
    expect(() => StartingOffsets.timestamp(3000, 2000)).toThrow(ConfigError);
    expect(StartingOffsets.timestamp(2000, 2000)).toEqual({ kind: 'timestamp', timestamp: 2000 });
    try {
      StartingOffsets.timestamp(-1);
    } catch (error) {
      expect((error as ConfigError).option).toBe('startingOffsets');
      expect((error as ConfigError).code).toBe('KAFKA_CONFIG_INVALID');
    }
  });
});
