// A producer job: a bounded source of orders → KafkaSink, with the partitioner of your choice.
import { StreamExecutionEnvironment } from '@sluice/core';
import type { Partitioner, PartitionTarget, RichFunction, RuntimeContext, Source, SourceContext } from '@sluice/core';
import { FixedPartitioner, KafkaSink } from '@sluice/kafka';
import type { KafkaSerializationSchema } from '@sluice/kafka';

/** One order; `customer` is the Kafka key. */
export interface Order {
  readonly id: number;
  readonly customer: string;
  readonly region: 'eu' | 'us' | 'apac' | 'latam';
}

const REGIONS = ['eu', 'us', 'apac', 'latam'] as const;

/** Emits orders 0 … count-1; subtask s of p emits the ids with id mod p = s. */
class OrderSource implements Source<Order>, RichFunction {
  private subtask = 0;
  private parallelism = 1;
  private running = true;

  constructor(private readonly count: number) {}

  open(context: RuntimeContext): void {
    this.subtask = context.subtaskIndex;
    this.parallelism = context.parallelism;
  }

  async run(context: SourceContext<Order>): Promise<void> {
    for (let id = this.subtask; id < this.count && this.running; id += this.parallelism) {
      const pressure = context.collect({ id, customer: `customer-${id % 20}`, region: REGIONS[id % 4] ?? 'eu' });
      if (pressure !== undefined) await pressure;
    }
  }

  cancel(): void {
    this.running = false;
  }
}

/** A custom partitioner: one partition per region (Flink's `FlinkKafkaPartitioner`). */
export class RegionPartitioner implements Partitioner<Order> {
  partition(order: Order, target: PartitionTarget): number {
    const index = REGIONS.indexOf(order.region) % target.partitions.length;
    return target.partitions[index] ?? 0;
  }
}

/** Which partitioner the sink uses. */
export type PartitionerChoice = 'fixed' | 'key-hash' | 'region';

const encoder = new TextEncoder();
const orderSchema: KafkaSerializationSchema<Order> = {
  serializeKey: (order) => encoder.encode(order.customer),
  serializeValue: (order) => encoder.encode(JSON.stringify(order)),
  getTargetTopic: () => null,
};

/** Writes `count` orders into `topic` with sink parallelism 2 and the chosen partitioner. */
export async function writeOrders(options: {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly count: number;
  readonly partitioner: PartitionerChoice;
}): Promise<void> {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  const partitioner: Partitioner<Order> | null =
    options.partitioner === 'fixed'
      ? new FixedPartitioner<Order>() // the default: sink subtask i writes to partition i mod n
      : options.partitioner === 'key-hash'
        ? null // Kafka's own key hashing (murmur2): same placement as the Java client
        : new RegionPartitioner();
  const sink = KafkaSink.builder<Order>()
    .setBootstrapServers([...options.brokers])
    .setTopic(options.topic)
    .setSerializer(orderSchema)
    .setPartitioner(partitioner)
    .build();
  env.addSource(new OrderSource(options.count)).name('orders').addSink(sink).uid('kafka-sink').name('kafka');
  await env.execute(`orders-${options.partitioner}`);
}
