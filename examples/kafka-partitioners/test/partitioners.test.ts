// Runs the producer job with each partitioner and checks where the records landed with kafkajs.
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { createKafkaTopic, injectKafka } from '@sluice/testkit';
import { writeOrders } from '../src/orders-job.js';
import type { Order, PartitionerChoice } from '../src/orders-job.js';

const kafka = injectKafka(inject);
const client = new Kafka({ brokers: kafka.bootstrapServers, logLevel: logLevel.NOTHING });
const COUNT = 200;

/** Runs the job into a fresh 4-partition topic; returns the orders found in each partition. */
async function placement(partitioner: PartitionerChoice): Promise<Map<number, Order[]>> {
  const topic = `orders-${partitioner}-${Math.random().toString(36).slice(2, 8)}`;
  // Waits until all 4 partitions are hosted: a sink opened earlier may see fewer in its metadata.
  await createKafkaTopic({ brokers: kafka.bootstrapServers, topic, partitions: 4 });
  await writeOrders({ brokers: kafka.bootstrapServers, topic, count: COUNT, partitioner });

  const found = new Map<number, Order[]>();
  let total = 0;
  const consumer = client.consumer({ groupId: `reader-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      found.set(partition, [...(found.get(partition) ?? []), JSON.parse(message.value?.toString() ?? '') as Order]);
      total += 1;
    },
  });
  const deadline = Date.now() + 60_000;
  while (total < COUNT) {
    if (Date.now() > deadline) throw new Error(`read ${total} of ${COUNT} orders from ${topic}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await consumer.disconnect();
  return found;
}

describe('producer job with each partitioner', () => {
  it('FixedPartitioner: sink subtask i writes only to partition i', async () => {
    const found = await placement('fixed');
    expect([...found.keys()].sort()).toEqual([0, 1]); // 2 sink subtasks, 4 partitions
    expect((found.get(0)?.length ?? 0) + (found.get(1)?.length ?? 0)).toBe(COUNT);
  });

  it('null partitioner (Kafka key hashing): every customer in exactly one partition', async () => {
    const found = await placement('key-hash');
    const partitionOf = new Map<string, Set<number>>();
    for (const [partition, orders] of found) {
      for (const order of orders) partitionOf.set(order.customer, (partitionOf.get(order.customer) ?? new Set()).add(partition));
    }
    expect(partitionOf.size).toBe(20);
    expect([...partitionOf.values()].every((partitions) => partitions.size === 1)).toBe(true);
    expect(found.size).toBeGreaterThan(1);
  });

  it('custom RegionPartitioner: one partition per region', async () => {
    const found = await placement('region');
    const regions = ['eu', 'us', 'apac', 'latam'];
    for (const [partition, orders] of found) {
      expect(new Set(orders.map((o) => o.region))).toEqual(new Set([regions[partition]]));
    }
    expect(found.size).toBe(4);
  });
});
