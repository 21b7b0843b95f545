// The public entry point of @sluice/kafka: every public name is listed here (STYLE.md §4).

// Errors
export { KafkaError, KafkaErrorCode } from './errors.js';
export type { KafkaErrorOptions } from './errors.js';

// Shared types
export type { KafkaLogger } from './internal/logger.js';
export type { TopicPartition, TopicPartitionOffset } from './internal/topic-partition.js';
export type { KafkaConnectionOptions, KafkaSaslOptions, KafkaTlsOptions } from './internal/kafka-client.js';

// Source
export { KafkaSource } from './source/kafka-source.js';
export type { DeserializationErrorPolicy } from './source/kafka-source.js';
export { deadLetter, DEAD_LETTER_HEADERS } from './source/dead-letter.js';
export type { DeadLetterPolicy } from './source/dead-letter.js';
export {
  KafkaSourceBuilder,
  KAFKA_SOURCE_PROPERTIES,
  DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS,
  DEFAULT_MAX_PARTITION_FETCH_BYTES,
  DEFAULT_FETCH_MAX_BYTES,
} from './source/kafka-source-builder.js';
export type { KafkaSourceProperty } from './source/kafka-source-builder.js';
export type { KafkaConsumerRecord, KafkaDeserializationSchema } from './source/kafka-deserialization-schema.js';
export { StartingOffsets } from './source/starting-offsets.js';
export { OffsetCommitMode } from './source/commit-mode.js';
export { KafkaOffsetSentinel } from './source/partition-state/offsets.js';
export { assignPartition } from './source/partition-state/partition-assigner.js';

// Sink
export { KafkaSink, DeliveryGuarantee } from './sink/kafka-sink.js';
export { KafkaSinkBuilder, DEFAULT_TRANSACTION_TIMEOUT_MS } from './sink/kafka-sink-builder.js';
export type { KafkaSinkFunction } from './sink/kafka-sink-builder.js';
export type { KafkaSerializationSchema } from './sink/kafka-serialization-schema.js';
export { FixedPartitioner } from './sink/partitioners/fixed-partitioner.js';
export type { KafkaTransactionState } from './sink/transactions/transaction-state.js';
// Operators: transactions a crashed job left open (also the `sluice-kafka transactions` command)
export { abortLingering, listLingeringTransactions } from './sink/transactions/lingering-transactions.js';
export type { LingeringTransaction, LingeringTransactionsOptions } from './sink/transactions/lingering-transactions.js';
// A kafkajs consumer that reads exactly-once output correctly (kafkajs 2.2.4's own read_committed
// filter lets some aborted records through when transactions of several producers interleave).
export { createReadCommittedConsumer } from './sink/transactions/kafkajs-internals.js';
