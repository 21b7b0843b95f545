// `sluice-testkit produce`: each line of stdin becomes one record (Kafka's console producer).
import { createInterface } from 'node:readline';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { createKafkaTopic } from '../kafka/create-topic.js';

/** Options of {@link runConsoleProducer}. */
export interface ConsoleProducerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Split each line at the first separator into key and value; without it, keys are null. */
  readonly keySeparator?: string | undefined;
  /** The lines to send (stdin). */
  readonly input: NodeJS.ReadableStream;
}

/** Turns one input line into a record; throws when a key separator is set but missing. */
export function lineToMessage(
  line: string,
  lineNumber: number,
  keySeparator: string | undefined,
): Message {
  if (keySeparator === undefined) return { value: line };
  const at = line.indexOf(keySeparator);
  if (at < 0) {
    throw new TestkitError(
      `line ${lineNumber} has no key separator "${keySeparator}": ${JSON.stringify(line.slice(0, 80))}`,
      {
        code: TESTKIT_ERROR_CODES.COMMAND_FAILED,
      },
    );
  }
  return { key: line.slice(0, at), value: line.slice(at + keySeparator.length) };
}

/**
 * Sends every line of `input` to `topic` (created with one partition if missing) until the input
 * ends; lines that arrive while a send is in flight go out together in the next one. Returns the
 * number of records sent.
 */
export async function runConsoleProducer(options: ConsoleProducerOptions): Promise<number> {
  await createKafkaTopic({ brokers: options.brokers, topic: options.topic });
  const kafka = new Kafka({
    clientId: 'sluice-testkit-producer',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  // Idempotent: a send retried right after the topic was created (NOT_LEADER_OR_FOLLOWER) does not
  // write lines twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    let sent = 0;
    let lineNumber = 0;
    let queued: Message[] = [];
    let failure: { error: unknown } | undefined;
    let sending: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      while (queued.length > 0 && failure === undefined) {
        const batch = queued;
        queued = [];
        await producer.send({ topic: options.topic, messages: batch });
        sent += batch.length;
      }
    };
    const enqueue = (): void => {
      sending = sending.then(flush).catch((error: unknown) => {
        failure ??= { error };
      });
    };
    for await (const line of createInterface({ input: options.input, crlfDelay: Infinity })) {
      if (failure !== undefined) break;
      lineNumber += 1;
      queued.push(lineToMessage(line, lineNumber, options.keySeparator));
      enqueue();
    }
    enqueue();
    await sending;
    if (failure !== undefined) throw failure.error;
    return sent;
  } finally {
    await producer.disconnect();
  }
}
