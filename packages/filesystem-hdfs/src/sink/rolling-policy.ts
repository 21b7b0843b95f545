/**
 * Rolling policies of the FileSink (Flink's `RollingPolicy`): when an in-progress part file is
 * closed and a new one started.
 */
import { ConfigError } from '@sluice/core';

/**
 * What a rolling policy knows about the current in-progress part file of a bucket: a live view of
 * the part (as Flink's), so its values are those of the moment the policy is asked.
 */
export interface PartFileInfo {
  /** The bucket the part belongs to. */
  readonly bucketId: string;
  /** When the part was opened, ms since the epoch (processing time). */
  readonly creationTime: number;
  /** When the part was last written to, ms since the epoch (processing time). */
  readonly lastUpdateTime: number;
  /** Bytes written to the part so far (including bytes not yet flushed). */
  readonly size: number;
}

/** Decides when to roll the in-progress part file of a bucket. */
export interface RollingPolicy<TIn = unknown> {
  /** Asked at every checkpoint for each open part; `true` closes it, and it is committed with the checkpoint. */
  shouldRollOnCheckpoint(part: PartFileInfo): boolean;
  /** Asked before an element is written to an open part. */
  shouldRollOnEvent(part: PartFileInfo, element: TIn): boolean;
  /** Asked on every bucket check (timer) with the current processing time. */
  shouldRollOnProcessingTime(part: PartFileInfo, now: number): boolean;
}

/** Options of {@link DefaultRollingPolicy}. */
export interface DefaultRollingPolicyOptions {
  /**
   * Roll when the part is larger than this many bytes (checked on events and checkpoints).
   * @defaultValue `134217728` (128 MiB)
   */
  readonly maxPartSizeBytes?: number;
  /**
   * Roll when the part has been open longer than this, in ms.
   * @defaultValue `60000`
   */
  readonly rolloverIntervalMs?: number;
  /**
   * Roll when the part has not been written to for longer than this, in ms.
   * @defaultValue `60000`
   */
  readonly inactivityIntervalMs?: number;
}

function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${option} must be a positive integer, got ${String(value)}.`, { option });
  }
  return value;
}

/**
 * Flink's `DefaultRollingPolicy`: roll when the part is larger than `maxPartSizeBytes` (on events
 * and checkpoints), older than `rolloverIntervalMs`, or idle longer than `inactivityIntervalMs`
 * (on processing time). Defaults: 128 MiB, 60 s, 60 s.
 */
export class DefaultRollingPolicy implements RollingPolicy {
  /** Largest part size before rolling, bytes. */
  readonly maxPartSizeBytes: number;
  /** Longest time a part stays open, ms. */
  readonly rolloverIntervalMs: number;
  /** Longest idle time of a part, ms. */
  readonly inactivityIntervalMs: number;

  /** Creates the policy; every option must be a positive integer (`CONFIG_INVALID` names it otherwise). */
  constructor(options: DefaultRollingPolicyOptions = {}) {
    this.maxPartSizeBytes = positive('maxPartSizeBytes', options.maxPartSizeBytes ?? 128 * 1024 * 1024);
    this.rolloverIntervalMs = positive('rolloverIntervalMs', options.rolloverIntervalMs ?? 60_000);
    this.inactivityIntervalMs = positive('inactivityIntervalMs', options.inactivityIntervalMs ?? 60_000);
  }

  shouldRollOnCheckpoint(part: PartFileInfo): boolean {
    return part.size > this.maxPartSizeBytes;
  }

  shouldRollOnEvent(part: PartFileInfo): boolean {
    return part.size > this.maxPartSizeBytes;
  }

  shouldRollOnProcessingTime(part: PartFileInfo, now: number): boolean {
    return now - part.creationTime > this.rolloverIntervalMs || now - part.lastUpdateTime > this.inactivityIntervalMs;
  }
}

/**
 * Flink's `OnCheckpointRollingPolicy`: rolls at every checkpoint and never otherwise. The only
 * policy for bulk formats (Avro, Parquet), whose files cannot be resumed mid-way.
 */
export class OnCheckpointRollingPolicy implements RollingPolicy {
  shouldRollOnCheckpoint(): boolean {
    return true;
  }

  shouldRollOnEvent(): boolean {
    return false;
  }

  shouldRollOnProcessingTime(): boolean {
    return false;
  }
}
