import { describe, expect, it } from 'vitest';
import { MetricRegistry } from './metric-registry.js';

describe('MetricRegistry', () => {
  it('scopes metrics job → operator → subtask → user groups', () => {
    const registry = new MetricRegistry();
    const subtask = registry.group(['job', 'src', '1']);
    subtask.counter('numRecordsOut').inc(3);
    const partition = subtask
      .addGroup('KafkaConsumer')
      .addGroup('topic', 'orders')
      .addGroup('partition', '0');
    partition.gauge('recordsLag', () => 7);
    registry.group(['job']).gauge('lastCheckpointSize', () => 10);

    expect(partition.scope).toEqual([
      'job',
      'src',
      '1',
      'KafkaConsumer',
      'topic',
      'orders',
      'partition',
      '0',
    ]);
    expect(registry.snapshot()).toEqual({
      'job.src.1.numRecordsOut': 3,
      'job.src.1.KafkaConsumer.topic.orders.partition.0.recordsLag': 7,
      'job.lastCheckpointSize': 10,
    });
    const lag = registry.collect().find((s) => s.name === 'recordsLag');
    expect(lag).toMatchObject({
      kind: 'gauge',
      level: 'operator',
      groups: ['KafkaConsumer'],
      labels: {
        job_name: 'job',
        operator_id: 'src',
        subtask_index: '1',
        topic: 'orders',
        partition: '0',
      },
      value: 7,
    });
    expect(registry.collect().find((s) => s.name === 'lastCheckpointSize')).toMatchObject({
      level: 'job',
      labels: { job_name: 'job' },
    });
  });

  it('returns the same counter, meter and histogram for the same name', () => {
    const registry = new MetricRegistry();
    const group = registry.group(['j', 'op', '0']);
    expect(group.counter('c')).toBe(group.counter('c'));
    expect(group.meter?.('m')).toBe(group.meter?.('m'));
    expect(group.histogram?.('h')).toBe(group.histogram?.('h'));
  });

  it('reports meters as rates and histograms as statistics', () => {
    const registry = new MetricRegistry();
    const group = registry.group(['j', 'op', '0']);
    group.meter?.('m').markEvent(5);
    const histogram = group.histogram?.('latency');
    for (let v = 1; v <= 10; v += 1) histogram?.update(v);
    const snapshot = registry.snapshot();
    expect(typeof snapshot['j.op.0.m']).toBe('number');
    expect(snapshot['j.op.0.latency.p50']).toBe(5);
    expect(snapshot['j.op.0.latency.count']).toBe(10);
    const meter = registry.collect().find((s) => s.kind === 'meter');
    expect(meter?.count).toBe(5);
  });

  it('reads a throwing or non-finite gauge as null', () => {
    const registry = new MetricRegistry();
    const group = registry.group(['j']);
    group.gauge('bad', () => {
      throw new Error('no');
    });
    group.gauge('inf', () => -Infinity);
    expect(registry.snapshot()).toEqual({ 'j.bad': null, 'j.inf': null });
  });

  it('describes the job graph and registers uptime and restarts', () => {
    const registry = new MetricRegistry();
    const fn = {};
    registry.describeJob({
      jobId: 'id',
      jobName: 'j',
      nodes: [
        {
          id: 0,
          kind: 'source',
          uid: 's',
          uidExplicit: true,
          name: 'S',
          parallelism: 2,
          function: fn,
          inputId: undefined,
          inputPartitioning: 'forward',
        },
        {
          id: 1,
          kind: 'map',
          uid: 'm',
          uidExplicit: false,
          name: 'M',
          parallelism: 1,
          function: fn,
          inputId: 0,
          inputPartitioning: 'rebalance',
        },
      ],
    });
    registry.tracker.checkpoint({ type: 'triggered', id: 1, timestamp: 5, final: false });
    registry.tracker.alignment(1, 3);
    registry.tracker.checkpoint({ type: 'completed', id: 1, durationMs: 9, sizeBytes: 100 });
    registry.tracker.checkpoint({ type: 'triggered', id: 2, timestamp: 6, final: false });
    registry.tracker.checkpoint({
      type: 'failed',
      id: 2,
      durationMs: 1,
      error: new Error('disk full'),
    });
    registry.tracker.exception(
      Object.assign(new Error('boom'), { code: 'JOB_TASK_FAILED', operator: 'm' }),
    );
    const status = registry.status();
    expect(status.graph).toEqual({
      vertices: [
        { uid: 's', name: 'S', kind: 'source', parallelism: 2 },
        { uid: 'm', name: 'M', kind: 'map', parallelism: 1 },
      ],
      edges: [{ source: 's', target: 'm', partitioning: 'rebalance' }],
    });
    expect(status.checkpoints.completed).toBe(1);
    expect(status.checkpoints.failed).toBe(1);
    expect(status.checkpoints.history).toMatchObject([
      { id: 2, status: 'failed', failureMessage: 'disk full' },
      {
        id: 1,
        status: 'completed',
        durationMs: 9,
        sizeBytes: 100,
        alignmentMs: 3,
        triggerTimestamp: 5,
      },
    ]);
    expect(status.exceptions[0]).toMatchObject({
      message: 'boom',
      code: 'JOB_TASK_FAILED',
      operator: 'm',
    });
    expect(status.state).toBe('running');
    expect(status.metrics.map((s) => s.id).sort()).toEqual(['j.lastCheckpointAlignmentTime', 'j.numRestarts', 'j.uptime']);
    registry.tracker.ended('finished');
    expect(registry.status().state).toBe('finished');
  });
});
