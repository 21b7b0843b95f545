// The whole example in one call: topics, input, the job until every order is out, and a count.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaTopic } from '@sluice/testkit';
import { avroRegistryJob } from './avro-registry-job.js';
import { produceOrders, TotalsReader } from './orders.js';
import type { Servers } from './orders.js';
import type { OrderTotal } from './schemas.js';

/** What {@link runExample} did. */
export interface ExampleRun {
  readonly inputTopic: string;
  readonly outputTopic: string;
  /** The registry id of the producers' schema (`ORDER_V1`). */
  readonly inputSchemaId: number;
  /** Every total read back (read_committed), in the order read. */
  readonly totals: readonly OrderTotal[];
  /** Order ids without a total, and totals beyond one per order. */
  readonly lost: number;
  readonly duplicated: number;
}

/**
 * Creates fresh input and output topics (2 partitions each), produces `orders` orders, runs the job
 * until a `read_committed` reader has seen a total for each, cancels it, and counts the output.
 */
export async function runExample(servers: Servers, orders: number): Promise<ExampleRun> {
  const run = Math.random().toString(36).slice(2, 8);
  const inputTopic = `orders-${run}`;
  const outputTopic = `order-totals-${run}`;
  for (const topic of [inputTopic, outputTopic]) await createKafkaTopic({ brokers: servers.brokers, topic, partitions: 2 });
  const inputSchemaId = await produceOrders(servers, inputTopic, orders);

  const checkpointDir = await mkdtemp(join(tmpdir(), 'sluice-avro-registry-'));
  const reader = await TotalsReader.start(servers, outputTopic);
  try {
    const env = avroRegistryJob({
      brokers: servers.brokers.join(','),
      registryUrl: servers.registryUrl,
      inputTopic,
      outputTopic,
      checkpointDir,
      transactionalIdPrefix: `avro-registry-${run}`,
    });
    const handle = await env.executeAsync('avro-registry');
    try {
      const ended = handle.result.then((result) => {
        throw new Error(`The job ended (${result.status}) before all ${orders} totals were out.`);
      });
      await Promise.race([reader.waitForTotals(orders), ended]);
    } finally {
      await handle.cancel();
      await handle.result;
    }
    const totals = await reader.finish();
    const perOrder = new Map<number, number>();
    for (const total of totals) perOrder.set(total.orderId, (perOrder.get(total.orderId) ?? 0) + 1);
    let lost = 0;
    for (let id = 0; id < orders; id += 1) if (!perOrder.has(id)) lost += 1;
    return { inputTopic, outputTopic, inputSchemaId, totals, lost, duplicated: totals.length - perOrder.size };
  } finally {
    await reader.stop();
    await rm(checkpointDir, { recursive: true, force: true });
  }
}
