/**
 * Per-partition watermarks (Flink's per-Kafka-partition watermark generation): every partition a
 * subtask reads has its own generator from the user's {@link WatermarkStrategy}; the subtask emits
 * the minimum over its partitions that are not idle, so one partition that is ahead cannot make
 * the records of a slower one late. A subtask without partitions, or whose partitions are all
 * idle, marks itself idle.
 */
import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from '@sluice/core';

interface PartitionWatermark<TRecord> {
  readonly generator: WatermarkGenerator<TRecord>;
  readonly output: WatermarkOutput;
  watermark: number;
  idle: boolean;
}

/** Where the combined watermark goes (the source context). */
export interface CombinedWatermarkOutput {
  emitWatermark(watermark: number): void;
  markAsTemporarilyIdle(): void;
}

/** The watermark generators of one source subtask, one per partition. */
export class PartitionWatermarks<TRecord> {
  private readonly partitions = new Map<string, PartitionWatermark<TRecord>>();
  private emitted = -Infinity;
  private idle = false;
  private changed = false;

  constructor(
    private readonly strategy: WatermarkStrategy<TRecord>,
    private readonly output: CombinedWatermarkOutput,
  ) {}

  /** Starts a generator for a partition (`key` identifies it). Idempotent. */
  addPartition(key: string): void {
    if (this.partitions.has(key)) return;
    const state: PartitionWatermark<TRecord> = {
      generator: this.strategy.createWatermarkGenerator(),
      watermark: -Infinity,
      idle: false,
      output: {
        emitWatermark: (watermark) => {
          if (state.idle) this.changed = true;
          state.idle = false;
          if (watermark <= state.watermark) return;
          state.watermark = watermark;
          this.changed = true;
        },
        markIdle: () => {
          if (!state.idle) this.changed = true;
          state.idle = true;
        },
      },
    };
    this.partitions.set(key, state);
  }

  /** The event time of a record: the strategy's assigner, else the Kafka record timestamp. */
  timestampOf(record: TRecord, kafkaTimestamp: number): number {
    const assigner = this.strategy.timestampAssigner;
    return assigner === undefined ? kafkaTimestamp : assigner(record, kafkaTimestamp);
  }

  /** Feeds an emitted record to its partition's generator; emits at once if that moved the minimum. */
  onEvent(key: string, record: TRecord, timestamp: number): void {
    const state = this.partitions.get(key);
    if (state === undefined) return;
    if (state.idle) {
      state.idle = false;
      this.changed = true;
    }
    state.generator.onEvent(record, timestamp, state.output);
    if (this.changed) this.combine();
  }

  /** The periodic tick (auto-watermark interval): every generator's `onPeriodicEmit`, then the minimum. */
  onPeriodicEmit(): void {
    for (const state of this.partitions.values()) state.generator.onPeriodicEmit(state.output);
    this.combine();
  }

  private combine(): void {
    this.changed = false;
    let min = Infinity;
    let active = 0;
    for (const state of this.partitions.values()) {
      if (state.idle) continue;
      active += 1;
      if (state.watermark < min) min = state.watermark;
    }
    if (active === 0) {
      if (!this.idle) this.output.markAsTemporarilyIdle();
      this.idle = true;
      return;
    }
    if (min === -Infinity || min <= this.emitted) return;
    this.emitted = min;
    this.idle = false;
    this.output.emitWatermark(min);
  }
}
