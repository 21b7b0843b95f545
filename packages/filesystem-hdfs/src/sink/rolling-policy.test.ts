import { ConfigError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { DefaultRollingPolicy, OnCheckpointRollingPolicy } from './rolling-policy.js';
import type { PartFileInfo } from './rolling-policy.js';

const part = (over: Partial<PartFileInfo> = {}): PartFileInfo => ({
  bucketId: 'b',
  creationTime: 1_000_000,
  lastUpdateTime: 1_000_000,
  size: 0,
  ...over,
});

describe('DefaultRollingPolicy', () => {
  it('has Flink defaults: 128 MiB, 60 s rollover, 60 s inactivity', () => {
    const p = new DefaultRollingPolicy();
    expect([p.maxPartSizeBytes, p.rolloverIntervalMs, p.inactivityIntervalMs]).toEqual([128 * 1024 * 1024, 60_000, 60_000]);
  });

  it('rolls on events and checkpoints only when the part is larger than the max size', () => {
    const p = new DefaultRollingPolicy({ maxPartSizeBytes: 100 });
    for (const [size, expected] of [[99, false], [100, false], [101, true]] as const) {
      expect(p.shouldRollOnEvent(part({ size }))).toBe(expected);
      expect(p.shouldRollOnCheckpoint(part({ size }))).toBe(expected);
    }
  });

  it('rolls on processing time after the rollover interval or the inactivity interval', () => {
    const p = new DefaultRollingPolicy({ rolloverIntervalMs: 1000, inactivityIntervalMs: 300 });
    const t = 1_000_000;
    expect(p.shouldRollOnProcessingTime(part({ lastUpdateTime: t + 900 }), t + 1000)).toBe(false);
    expect(p.shouldRollOnProcessingTime(part({ lastUpdateTime: t + 900 }), t + 1001)).toBe(true);
    expect(p.shouldRollOnProcessingTime(part({ lastUpdateTime: t }), t + 300)).toBe(false);
    expect(p.shouldRollOnProcessingTime(part({ lastUpdateTime: t }), t + 301)).toBe(true);
  });

  it.each([
    ['maxPartSizeBytes', 0],
    ['rolloverIntervalMs', -1],
    ['inactivityIntervalMs', 1.5],
    ['maxPartSizeBytes', Number.NaN],
  ] as const)('rejects %s = %s naming the option', (option, value) => {
    let error: unknown;
    try {
      new DefaultRollingPolicy({ [option]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', option });
    expect(String((error as Error).message)).toContain(option);
  });
});

describe('OnCheckpointRollingPolicy', () => {
  it('rolls at every checkpoint and never otherwise', () => {
    const p = new OnCheckpointRollingPolicy();
    expect(p.shouldRollOnCheckpoint()).toBe(true);
    expect(p.shouldRollOnEvent()).toBe(false);
    expect(p.shouldRollOnProcessingTime()).toBe(false);
  });
});
