import { WatermarkStrategies } from '@sluice/core';
import type { WatermarkGenerator } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { PartitionWatermarks } from './partition-watermarks.js';

function recorder() {
  const events: (number | 'idle')[] = [];
  return { events, output: { emitWatermark: (w: number) => void events.push(w), markAsTemporarilyIdle: () => void events.push('idle') } };
}

describe('per-partition watermarks', () => {
  it('emits the minimum over partitions; a partition without records holds it back', () => {
    const { events, output } = recorder();
    const marks = new PartitionWatermarks<number>(WatermarkStrategies.forMonotonousTimestamps(), output);
    marks.addPartition('p0');
    marks.addPartition('p1');
    marks.onEvent('p0', 0, 3000);
    marks.onPeriodicEmit();
    expect(events).toEqual([]);
    marks.onEvent('p1', 0, 1500);
    marks.onPeriodicEmit();
    expect(events).toEqual([1499]);
    marks.onEvent('p1', 0, 5000);
    marks.onPeriodicEmit();
    marks.onPeriodicEmit();
    // never above the slower partition, never repeated
    expect(events).toEqual([1499, 2999]);
  });

  it('skips idle partitions, marks the subtask idle when all are idle or it has none, and resumes', () => {
    let idleP1 = true;
    const generator = (key: string): WatermarkGenerator<number> => {
      let max = -Infinity;
      return {
        onEvent: (_r, ts) => {
          max = Math.max(max, ts);
        },
        onPeriodicEmit: (out) => {
          if (key === 'p1' && idleP1) out.markIdle();
          else if (max > -Infinity) out.emitWatermark(max);
        },
      };
    };
    const keys = ['p0', 'p1'];
    const { events, output } = recorder();
    const marks = new PartitionWatermarks<number>(WatermarkStrategies.forGenerator(() => generator(keys.shift() ?? 'x')), output);
    marks.onPeriodicEmit();
    expect(events).toEqual(['idle']);
    marks.addPartition('p0');
    marks.addPartition('p1');
    marks.onEvent('p0', 0, 100);
    marks.onPeriodicEmit();
    expect(events).toEqual(['idle', 100]);
    idleP1 = false;
    marks.onEvent('p1', 0, 50);
    marks.onPeriodicEmit();
    // p1 is active again and behind: it holds the minimum at 100 until it passes p0
    expect(events).toEqual(['idle', 100]);
    marks.onEvent('p1', 0, 400);
    marks.onPeriodicEmit();
    expect(events).toEqual(['idle', 100]);
    marks.onEvent('p0', 0, 600);
    marks.onPeriodicEmit();
    expect(events).toEqual(['idle', 100, 400]);
  });

  it('uses the strategy timestamp assigner, else the Kafka timestamp', () => {
    const { output } = recorder();
    const plain = new PartitionWatermarks<{ t: number }>(WatermarkStrategies.forMonotonousTimestamps(), output);
    expect(plain.timestampOf({ t: 5 }, 77)).toBe(77);
    const assigned = new PartitionWatermarks<{ t: number }>(WatermarkStrategies.forMonotonousTimestamps((r) => r.t), output);
    expect(assigned.timestampOf({ t: 5 }, 77)).toBe(5);
  });
});
