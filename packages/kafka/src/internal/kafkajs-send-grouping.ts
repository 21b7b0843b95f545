/**
 * A linear grouping of a send's messages by partition for kafkajs's producer.
 *
 * kafkajs 2.2.4 groups the messages of every `send`/`sendBatch` by partition in
 * `src/producer/groupMessagesPerPartition.js`, copying the partition's array for each message
 * (`[...current, message]`). That is quadratic in the messages one send puts in one partition:
 * the sink's batch of 500 records to one partition (Flink's fixed partitioner) costs 125 000
 * element copies and 500 short-lived arrays. Measured with the connectors bench's Kafka → Kafka
 * jobs (`node bench/dist/connectors.js --only A,B,sluice`, runs with and without it alternated):
 * 6–10 % of the job's CPU per record, with 100 B and with 1 KB records.
 *
 * {@link installLinearSendGrouping} puts {@link groupMessagesPerPartition} (same result: an object
 * from partition to that partition's messages, in send order) in kafkajs's place. kafkajs reads the
 * function once, when its producer module loads, so this package loads kafkajs only through
 * `kafkajs.ts`, which imports this module first. Nothing changes (sends work as before, at the old cost) when kafkajs
 * was loaded earlier in the process, or when another kafkajs version is installed.
 *
 * Internal: not exported from the package.
 */
import { replaceKafkaJsModule } from './kafkajs-module-replacement.js';

/** What kafkajs passes to its grouping function (src/producer/sendMessages.js). */
export interface SendGroupingInput<TMessage, TPartitionMetadata> {
  readonly topic: string;
  readonly partitionMetadata: readonly TPartitionMetadata[];
  readonly messages: readonly TMessage[];
  readonly partitioner: (args: { topic: string; partitionMetadata: readonly TPartitionMetadata[]; message: TMessage }) => number;
}

/** The messages of one send by partition, in send order (empty when the topic has no partition metadata). */
export function groupMessagesPerPartition<TMessage, TPartitionMetadata>(
  input: SendGroupingInput<TMessage, TPartitionMetadata>,
): Record<number, TMessage[]> {
  const { topic, partitionMetadata, messages, partitioner } = input;
  const byPartition: Record<number, TMessage[]> = {};
  if (partitionMetadata.length === 0) return byPartition;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (byPartition[partition] ??= []).push(message);
  }
  return byPartition;
}

/**
 * Makes kafkajs's producer use {@link groupMessagesPerPartition}. Returns whether kafkajs will use
 * it: false when another kafkajs version is installed, its producer module was already loaded, or
 * its files cannot be resolved (an optimization that does not apply must not stop the package
 * from loading; the version check at first use of the transaction internals reports a mismatch).
 */
export function installLinearSendGrouping(): boolean {
  return replaceKafkaJsModule({
    module: 'kafkajs/src/producer/groupMessagesPerPartition.js',
    capturedBy: ['kafkajs/src/producer/sendMessages.js'],
    replace: () => groupMessagesPerPartition,
  });
}

installLinearSendGrouping();
