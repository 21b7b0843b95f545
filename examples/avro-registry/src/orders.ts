// Both ends of the example outside the job: a producer that writes orders with schema version 1,
// and an independent reader of the job's output (read_committed, decoded with the registry).
import { Kafka, logLevel } from 'kafkajs';
import { createReadCommittedConsumer } from '@sluice/kafka';
import {
  ConfluentRegistryAvroDeserializationSchema,
  ConfluentRegistryAvroSerializationSchema,
} from '@sluice/serialization-avro';
import { ORDER_TOTAL, ORDER_V1 } from './schemas.js';
import type { OrderTotal, OrderV1 } from './schemas.js';

/** A Kafka cluster and a schema registry. */
export interface Servers {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
}

const client = (servers: Servers): Kafka =>
  new Kafka({ brokers: [...servers.brokers], clientId: 'avro-registry-example', logLevel: logLevel.NOTHING });

/** Order `id` of the generated input: 1 or 2 lines, decimal prices. */
export function sampleOrder(id: number): OrderV1 {
  const lines = [{ sku: `sku-${id % 5}`, quantity: 1 + (id % 3), unitPrice: `${(id % 40) + 1}.${String(id % 100).padStart(2, '0')}` }];
  if (id % 2 === 0) lines.push({ sku: 'gift-wrap', quantity: 1, unitPrice: '2.50' });
  return { id, customer: `customer-${id % 7}`, placedAt: new Date(Date.UTC(2026, 0, 1) + id * 60_000), lines };
}

/**
 * Writes orders 0 … count-1 to `topic` in the Confluent wire format with schema `ORDER_V1`, which
 * is registered under `<topic>-value` first (as producers with auto-registration do). Returns its id.
 */
export async function produceOrders(servers: Servers, topic: string, count: number): Promise<number> {
  const serializer = ConfluentRegistryAvroSerializationSchema.forGeneric<OrderV1>(ORDER_V1, servers.registryUrl, {
    topic,
    autoRegister: true,
  });
  await serializer.open();
  const producer = client(servers).producer({ idempotent: true });
  await producer.connect();
  try {
    const messages = Array.from({ length: count }, (_, id) => {
      const order = sampleOrder(id);
      return { key: order.customer, value: Buffer.from(serializer.serialize(order)) };
    });
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
  return serializer.id as number;
}

async function waitUntil(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after 60 s waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Reads the job's output topic from the beginning with `read_committed` (what the job has
 * committed, never an aborted or open transaction), decoding each record with the writer schema
 * named by its schema id.
 */
export class TotalsReader {
  /** The totals read so far, in the order read. */
  readonly totals: OrderTotal[] = [];
  private readonly marker = `marker-${Math.random().toString(36).slice(2)}`;
  private readonly positions = new Set<string>();
  private markers = 0;
  private stopped = false;

  private constructor(
    private readonly servers: Servers,
    private readonly topic: string,
    private readonly consumer: ReturnType<typeof createReadCommittedConsumer>,
  ) {}

  /** Starts reading `topic`. */
  static async start(servers: Servers, topic: string): Promise<TotalsReader> {
    const deserializer = ConfluentRegistryAvroDeserializationSchema.forGeneric<OrderTotal>(ORDER_TOTAL, servers.registryUrl);
    // @sluice/kafka's read_committed consumer: kafkajs's own filter lets some aborted records through.
    const consumer = createReadCommittedConsumer(client(servers), { groupId: `totals-reader-${Math.random()}`, maxWaitTimeInMs: 100 });
    const reader = new TotalsReader(servers, topic, consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const position = `${partition}:${message.offset}`;
        if (reader.positions.has(position)) return; // handed again after a rebalance: same record
        reader.positions.add(position);
        const value = message.value ?? Buffer.alloc(0);
        if (value.toString('latin1') === reader.marker) reader.markers += 1;
        else reader.totals.push(await deserializer.deserialize(value));
      },
    });
    return reader;
  }

  /** Resolves once `count` totals were read. */
  waitForTotals(count: number): Promise<void> {
    return waitUntil(`${count} totals on ${this.topic}`, () => this.stopped || this.totals.length >= count);
  }

  /**
   * Writes a marker into every partition and reads until each arrived: everything written before
   * (a duplicate too) has been read by then. Returns every total read.
   */
  async finish(): Promise<OrderTotal[]> {
    const kafka = client(this.servers);
    const admin = kafka.admin();
    await admin.connect();
    const partitions = (await admin.fetchTopicOffsets(this.topic)).map((p) => p.partition);
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: this.topic, acks: -1, messages: partitions.map((partition) => ({ partition, value: this.marker })) });
    await producer.disconnect();
    await waitUntil(`the markers in all ${partitions.length} partitions of ${this.topic}`, () => this.stopped || this.markers === partitions.length);
    return this.totals;
  }

  /** Stops reading (ends the waits too). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer.disconnect();
  }
}
