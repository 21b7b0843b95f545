/**
 * Creates a Kafka topic for a test and returns once every partition is really hosted.
 *
 * kafkajs's own `createTopics` waits for leaders by default (`waitForLeaders: true`), and that
 * wait does not retry the `UNKNOWN_TOPIC_OR_PARTITION` ("This server does not host this
 * topic-partition") that Kafka 4 may answer right after a topic is created: tests that use it
 * fail now and then. This helper creates without that wait and polls ListOffsets instead.
 */
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '../internal/wait-for.js';

/** Options of {@link createKafkaTopic}. */
export interface CreateKafkaTopicOptions {
  /** Bootstrap servers, e.g. `KafkaServer.bootstrapServers`. */
  readonly brokers: readonly string[];
  /** The topic name. */
  readonly topic: string;
  /** @defaultValue 1 */
  readonly partitions?: number;
  /** Topic configuration entries, e.g. `{ 'retention.ms': '60000' }`. @defaultValue none */
  readonly config?: Readonly<Record<string, string>>;
  /** How long to wait until every partition is hosted. @defaultValue 30000 */
  readonly timeoutMs?: number;
}

/**
 * Creates `topic` (replication factor 1) and waits until ListOffsets answers for each of its
 * partitions. Creating a topic that exists already is not an error.
 */
export async function createKafkaTopic(options: CreateKafkaTopicOptions): Promise<void> {
  const partitions = options.partitions ?? 1;
  const admin = new Kafka({
    clientId: 'sluice-testkit-admin',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic: options.topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: Object.entries(options.config ?? {}).map(([name, value]) => ({
            name,
            value,
          })),
        },
      ],
    });
    await waitFor(
      async () => (await admin.fetchTopicOffsets(options.topic)).length === partitions,
      {
        description: `all ${partitions} partitions of topic ${options.topic} to be hosted`,
        timeoutMs: options.timeoutMs ?? 30_000,
        intervalMs: 100,
      },
    );
  } finally {
    await admin.disconnect();
  }
}
