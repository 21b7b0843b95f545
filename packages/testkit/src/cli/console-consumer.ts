// `sluice-testkit consume`: prints the records of a topic (Kafka's console consumer).
import { Kafka, logLevel, type Consumer, type ConsumerConfig } from 'kafkajs';
import { createKafkaTopic } from '../kafka/create-topic.js';

/** Options of {@link runConsoleConsumer}. */
export interface ConsoleConsumerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Start at the earliest offset when the group has no committed offset (else at the end). */
  readonly fromBeginning: boolean;
  /** Only records of committed transactions (isolation.level=read_committed). */
  readonly readCommitted: boolean;
  readonly groupId: string;
  /** Stop after printing this many records; else run until `signal` aborts. */
  readonly maxMessages?: number | undefined;
  /** Print `key<separator>value`; else only the value. */
  readonly keySeparator?: string | undefined;
  readonly print: (line: string) => void;
  /** Warnings (e.g. about the read_committed filter in use). */
  readonly warn: (line: string) => void;
  readonly signal: AbortSignal;
}

type CreateReadCommittedConsumer = (kafka: Kafka, config: ConsumerConfig) => Consumer;

/**
 * A read_committed consumer: `@sluice/kafka`'s `createReadCommittedConsumer` when that package is
 * installed (it is not a dependency: it depends on the testkit for its own tests), else kafkajs's
 * own read_committed, with a warning about its known gap.
 */
async function readCommittedConsumer(
  kafka: Kafka,
  config: ConsumerConfig,
  warn: (line: string) => void,
): Promise<Consumer> {
  const name = '@sluice/kafka';
  try {
    const module = (await import(name)) as {
      createReadCommittedConsumer?: CreateReadCommittedConsumer;
    };
    if (typeof module.createReadCommittedConsumer === 'function')
      return module.createReadCommittedConsumer(kafka, config);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
  warn(
    "sluice-testkit: @sluice/kafka is not installed, so --read-committed uses kafkajs's own filter, which can let " +
      'aborted records through when transactions of several producers interleave on one partition. Install @sluice/kafka for the correct one.',
  );
  return kafka.consumer({ ...config, readUncommitted: false });
}

/** Prints records of `topic` until `maxMessages` or `signal`; returns the number printed. */
export async function runConsoleConsumer(options: ConsoleConsumerOptions): Promise<number> {
  await createKafkaTopic({ brokers: options.brokers, topic: options.topic });
  const kafka = new Kafka({
    clientId: 'sluice-testkit-consumer',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  const config: ConsumerConfig = { groupId: options.groupId };
  const consumer = options.readCommitted
    ? await readCommittedConsumer(kafka, config, options.warn)
    : kafka.consumer({ ...config, readUncommitted: true });
  let printed = 0;
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      if (options.signal.aborted) return resolve();
      options.signal.addEventListener('abort', () => resolve(), { once: true });
      // kafkajs restarts the consumer itself after a retriable crash (e.g. the group coordinator
      // still loading on a fresh broker); only a crash it gives up on ends the command.
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) reject(event.payload.error);
      });
      const limit = options.maxMessages ?? Number.POSITIVE_INFINITY;
      consumer
        .subscribe({ topic: options.topic, fromBeginning: options.fromBeginning })
        .then(() =>
          consumer.run({
            eachMessage: ({ message }) => {
              if (printed >= limit) return Promise.resolve();
              const value = message.value?.toString('utf8') ?? 'null';
              const key = message.key?.toString('utf8') ?? 'null';
              options.print(
                options.keySeparator === undefined
                  ? value
                  : `${key}${options.keySeparator}${value}`,
              );
              printed += 1;
              if (printed >= limit) resolve();
              return Promise.resolve();
            },
          }),
        )
        .catch(reject);
    });
    return printed;
  } finally {
    await consumer.disconnect();
  }
}
