// Scrapes the Prometheus endpoint of a running Kafka job (KafkaSource on a real broker) and
// sees the per-partition lag the source reports fall to 0 once every record was read.
import { randomBytes } from 'node:crypto';
import { InMemoryCheckpointStorage, SimpleStringSchema, StreamExecutionEnvironment } from '@sluice/core';
import type { Counter, JobHandle, RichFunction, RuntimeContext, Sink } from '@sluice/core';
import { KafkaSource, StartingOffsets } from '@sluice/kafka';
import { createKafkaTopic } from '@sluice/testkit';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { afterEach, expect, inject, it } from 'vitest';
import { createLogger, startMonitoring } from '../src/index.js';
import type { MonitoringServer } from '../src/index.js';
import { openDashboard, outputFolder } from './helpers/browser.js';
import { stopJob, waitFor } from './helpers/running-job.js';

let job: JobHandle | undefined;
let server: MonitoringServer | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await server?.close();
  server = undefined;
  await stopJob(job);
  job = undefined;
});

/** Lag samples of `topic` in Prometheus text, by partition. */
function lagByPartition(text: string, topic: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('sluice_operator_KafkaConsumer_recordsLag{') || !line.includes(`topic="${topic}"`)) continue;
    const partition = /partition="(\d+)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (partition !== undefined) out.set(Number(partition), value);
  }
  return out;
}

it('reports Kafka lag per partition on /metrics and it falls to 0', async () => {
  const brokers = inject('sluiceKafka').bootstrapServers;
  const suffix = randomBytes(6).toString('hex');
  const topic = `monitoring-lag-${suffix}`;
  const kafka = new Kafka({ clientId: `monitoring-test-${suffix}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createKafkaTopic({ brokers, topic, partitions: 3 });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // no duplicates when a send is retried
    await producer.connect();
    const total = 600;
    await producer.send({
      topic,
      messages: Array.from({ length: total }, (_, i) => ({ value: `v${i}`, partition: i % 3 })),
    });
    await producer.disconnect();

    let received = 0;
    const env = StreamExecutionEnvironment.create({ parallelism: 1, onWarning: () => undefined });
    env.enableCheckpointing(200);
    env.getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage());
    const source = KafkaSource.builder<string>()
      .setBootstrapServers(brokers)
      .setTopics(topic)
      .setGroupId(`monitoring-group-${suffix}`)
      .setValueOnlyDeserializer(new SimpleStringSchema())
      .setStartingOffsets(StartingOffsets.earliest())
      .build();
    env
      .addSource(source, { name: 'orders' })
      .uid('kafka-source')
      .map((value: string) => value.toUpperCase())
      .name('uppercase')
      .uid('uppercase')
      .rebalance()
      .addSink({
        open(context: RuntimeContext) {
          this.written = context.metricGroup.addGroup('writer').counter('recordsWritten');
        },
        invoke(this: { written?: Counter }) {
          received += 1;
          this.written?.inc();
        },
      } as Sink<string> & RichFunction & { written?: Counter })
      .name('count')
      .uid('count')
      .setParallelism(2);
    job = await env.executeAsync(`kafka-lag-${suffix}`);
    server = await startMonitoring(job, { logger: createLogger({ level: 'silent' }) });

    const lag = await waitFor(
      'recordsLag 0 on all 3 partitions in /metrics with every record received',
      async () => {
        const text = await (await fetch(`${server?.url}/metrics`)).text();
        const lags = lagByPartition(text, topic);
        return lags.size === 3 && [...lags.values()].every((v) => v === 0) && received === total ? lags : undefined;
      },
      60_000,
    );
    expect([...lag.keys()].sort()).toEqual([0, 1, 2]);

    const { partitions } = (await (await fetch(`${server.url}/jobs/${job.jobId}/kafka`)).json()) as {
      partitions: { topic: string; partition: number; currentOffset: number; lag: number }[];
    };
    expect(partitions.map((p) => [p.partition, p.lag])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    // The source's gauges also show how far it read and what it committed on checkpoints.
    await waitFor('committed offsets of every partition on /metrics', async () => {
      const text = await (await fetch(`${server?.url}/metrics`)).text();
      const committed = text
        .split('\n')
        .filter((l) => l.startsWith('sluice_operator_KafkaConsumer_committedOffsets{') && l.includes(topic))
        .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
      return committed.length === 3 && committed.every((c) => c >= 199) ? true : undefined;
    }, 30_000);

    // The dashboard shows the same lag per partition in a real browser.
    let page: Page;
    ({ browser, page } = await openDashboard(server.url, 900));
    const rows = page.locator(`#kafka-lag tbody tr[data-topic="${topic}"]`);
    await expect.poll(() => rows.count(), { timeout: 20_000, message: 'three Kafka partitions in the lag table' }).toBe(3);
    expect(await rows.locator('td:last-child').allTextContents()).toEqual(['0', '0', '0']);
    await expect
      .poll(() => page.locator('#checkpoints tbody tr[data-status="completed"]').count(), {
        timeout: 20_000,
        message: 'a completed checkpoint in the checkpoint table',
      })
      .toBeGreaterThan(0);
    await page.screenshot({ path: `${await outputFolder()}dashboard-kafka.png`, fullPage: true });
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});
