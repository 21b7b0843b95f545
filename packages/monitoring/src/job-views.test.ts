import { describe, expect, it } from 'vitest';
import type { MetricSample } from '@sluice/core';
import { fileSinkStatus, kafkaLag, vertexMetrics } from './job-views.js';

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

  it('sums bytes where an operator counts them and leaves them null elsewhere', () => {
    const one = { labels: { job_name: 'j', operator_id: 'src', subtask_index: '1' } };
    const sink = { labels: { job_name: 'j', operator_id: 'sink', subtask_index: '0' } };
    const out = vertexMetrics([
      sample('numBytesIn', 100, { kind: 'counter' }),
      sample('numBytesIn', 20, { ...one, kind: 'counter' }),
      sample('numRecordsIn', 3, sink),
    ]);
    expect(out.get('src')).toMatchObject({ numBytesIn: 120, numBytesOut: null });
    expect(out.get('sink')).toMatchObject({ numRecordsIn: 3, numBytesIn: null, numBytesOut: null });
  });
});

describe('fileSinkStatus', () => {
  it('sums part counts and bytes written per file sink operator over its subtasks', () => {
    const at = (operator: string, subtask: string) => ({ labels: { job_name: 'j', operator_id: operator, subtask_index: subtask } });
    expect(
      fileSinkStatus([
        sample('partsInProgress', 1, at('files', '0')),
        sample('partsInProgress', 1, at('files', '1')),
        sample('partsPending', 2, at('files', '1')),
        sample('partsFinished', 5, { ...at('files', '0'), kind: 'counter' }),
        sample('numBytesOut', 4096, { ...at('files', '0'), kind: 'counter' }),
        sample('numBytesOut', 1024, { ...at('files', '1'), kind: 'counter' }),
        sample('numBytesOut', 77, { ...at('kafka-out', '0'), kind: 'counter' }),
        sample('partsFinished', 9, { ...at('files', '0'), groups: ['user'] }),
      ]),
    ).toEqual([
      { operator: 'files', subtasks: 2, partsInProgress: 2, partsPending: 2, partsFinished: 5, bytesWritten: 5120 },
    ]);
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
