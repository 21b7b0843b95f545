import { StreamExecutionEnvironment } from '@sluice/core';
import { DeliveryGuarantee, KafkaSink, KafkaSource, StartingOffsets } from '@sluice/kafka';
import {
  ConfluentRegistryAvroDeserializationSchema,
  ConfluentRegistryAvroSerializationSchema,
} from '@sluice/serialization-avro';
import { ORDER, ORDER_TOTAL } from './schemas.js';
import type { Order, OrderTotal } from './schemas.js';

/** Where the job reads and writes. */
export interface AvroRegistryJobOptions {
  readonly brokers: string;
  /** The schema registry's Confluent-compatible API, e.g. `http://localhost:8081`. */
  readonly registryUrl: string;
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly checkpointDir: string;
  /** Start of the sink's transactional ids: unique per job on the cluster. */
  readonly transactionalIdPrefix: string;
}

/**
 * Orders (Avro, Confluent wire format) → one total per order (Avro, wire format), exactly once.
 * Each input record names its writer schema by id; the deserializer fetches it from the registry
 * once and resolves it to the reader schema `ORDER`. The serializer registers `ORDER_TOTAL` under
 * the subject `<outputTopic>-value` when the sink opens and writes its id into every record.
 */
export function avroRegistryJob(options: AvroRegistryJobOptions): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.create({ parallelism: 2 });
  env.enableCheckpointing(1000); // output transactions commit when a checkpoint completes
  env.getCheckpointConfig().setCheckpointStorage(options.checkpointDir);

  const source = KafkaSource.builder<Order>()
    .setBootstrapServers(options.brokers)
    .setTopics(options.inputTopic)
    .setGroupId('avro-registry-example')
    .setValueOnlyDeserializer(ConfluentRegistryAvroDeserializationSchema.forGeneric<Order>(ORDER, options.registryUrl))
    .setStartingOffsets(StartingOffsets.earliest())
    .build();
  const sink = KafkaSink.builder<OrderTotal>()
    .setBootstrapServers(options.brokers)
    .setTopic(options.outputTopic)
    .setValueSerializer(
      ConfluentRegistryAvroSerializationSchema.forGeneric<OrderTotal>(ORDER_TOTAL, options.registryUrl, {
        topic: options.outputTopic,
        autoRegister: true, // off by default: usually schemas are registered by a deployment step
      }),
    )
    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
    .setTransactionalIdPrefix(options.transactionalIdPrefix)
    .setTransactionTimeoutMs(600_000) // under the brokers' default transaction.max.timeout.ms (15 min)
    .build();

  env
    .addSource(source).uid('orders').name('orders')
    .map(orderTotal).name('order-total')
    .addSink(sink).uid('order-totals').name('order-totals');
  return env;
}

/** The total of an order, computed exactly in cents (decimals arrive as text with 2 fraction digits). */
export function orderTotal(order: Order): OrderTotal {
  let cents = 0n;
  let items = 0;
  for (const line of order.lines) {
    cents += BigInt(line.quantity) * BigInt(line.unitPrice.replace('.', ''));
    items += line.quantity;
  }
  const sign = cents < 0n ? '-' : '';
  const digits = (cents < 0n ? -cents : cents).toString().padStart(3, '0');
  return {
    orderId: order.id,
    customer: order.customer,
    items,
    total: `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`,
    currency: order.currency,
    placedAt: order.placedAt,
  };
}
