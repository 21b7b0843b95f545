import { describe, expect, it } from 'vitest';
import type { MetricSample } from '@sluice/core';
import { kafkaLag, vertexMetrics } from './job-views.js';

function sample(name: string, value: number | null, extra: Partial<MetricSample> = {}): MetricSample {
  return {
    id: name,
    name,
    kind: 'gauge',
    level: 'operator',
    scope: [],
    groups: [],
    labels: { job_name: 'j', operator_id: 'src', subtask_index: '0' },
    value,
    ...extra,
  };
}

describe('vertexMetrics', () => {
  it('sums counts and rates over subtasks and takes the minimum watermark', () => {
    const one = { labels: { job_name: 'j', operator_id: 'src', subtask_index: '1' } };
    const out = vertexMetrics([
      sample('numRecordsOut', 10),
      sample('numRecordsOut', 5, one),
      sample('numRecordsOutPerSecond', 2.5),
      sample('currentInputWatermark', 100),
      sample('currentInputWatermark', 50, one),
      sample('currentInputWatermark', null),
      sample('numRecordsOut', 999, { groups: ['user'] }),
    ]);
    expect(out.get('src')).toMatchObject({ numRecordsOut: 15, numRecordsOutPerSecond: 2.5, currentInputWatermark: 50 });
  });
});

describe('kafkaLag', () => {
  it('joins the KafkaConsumer gauges per topic and partition', () => {
    const partition = (p: string) => ({
      groups: ['KafkaConsumer'],
      labels: { job_name: 'j', operator_id: 'src', subtask_index: '0', topic: 'orders', partition: p },
    });
    expect(
      kafkaLag([
        sample('currentOffsets', 41, partition('1')),
        sample('recordsLag', 3, partition('1')),
        sample('committedOffsets', 40, partition('0')),
        sample('recordsLag', 0, partition('0')),
        sample('recordsLag', 7),
      ]),
    ).toEqual([
      { operator: 'src', subtask: 0, topic: 'orders', partition: 0, currentOffset: null, committedOffset: 40, lag: 0 },
      { operator: 'src', subtask: 0, topic: 'orders', partition: 1, currentOffset: 41, committedOffset: null, lag: 3 },
    ]);
  });
});
