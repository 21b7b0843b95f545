/**
 * Dead-letter topic for records the deserializer cannot read (`onDeserializationError:
 * deadLetter(topic)`): the raw record (key, value, headers, timestamp) goes to the topic with
 * headers describing the error and the original place, and the source advances past it only after
 * the broker acknowledged the write.
 */
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { KafkaError, KafkaErrorCode, wrapKafkaJsError } from '../errors.js';
import type { KafkaConsumerRecord } from './kafka-deserialization-schema.js';

/** The dead-letter policy: write unreadable records to `topic`. Make one with {@link deadLetter}. */
export interface DeadLetterPolicy {
  readonly kind: 'deadLetter';
  /** The dead-letter topic. */
  readonly topic: string;
}

/**
 * `onDeserializationError` policy that writes each record the deserializer throws on to `topic`
 * (see {@link DEAD_LETTER_HEADERS}) and goes on. The topic must not be one the source reads.
 */
export function deadLetter(topic: string): DeadLetterPolicy {
  return { kind: 'deadLetter', topic };
}

/** Names of the headers added to a dead-lettered record (its own headers are kept). */
export const DEAD_LETTER_HEADERS = {
  /** Stable error code: `SERDE_CORRUPT_RECORD`, or the thrown error's own string `code`. */
  errorCode: 'sluice.dlq.error.code',
  /** Name of the thrown error's class (`Error`, `SyntaxError`, ...). */
  errorClass: 'sluice.dlq.error.class',
  /** The thrown error's message, at most 2000 characters. */
  errorMessage: 'sluice.dlq.error.message',
  /** Topic the record was read from. */
  topic: 'sluice.dlq.original.topic',
  /** Partition it was read from (decimal). */
  partition: 'sluice.dlq.original.partition',
  /** Its offset (decimal). */
  offset: 'sluice.dlq.original.offset',
  /** Its timestamp, ms since the epoch (decimal); the dead-letter record carries it too. */
  timestamp: 'sluice.dlq.original.timestamp',
} as const;

const MAX_MESSAGE_LENGTH = 2000;
const DEFAULT_ERROR_CODE = 'SERDE_CORRUPT_RECORD';

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The dead-letter message for `record` whose deserialization threw `error`. */
export function deadLetterMessage(record: KafkaConsumerRecord, error: unknown): Message {
  const headers: Record<string, Buffer | Buffer[]> = {};
  for (const [name, values] of Object.entries(record.headers)) headers[name] = values.map(toBuffer);
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const info: Record<string, string> = {
    [DEAD_LETTER_HEADERS.errorCode]: typeof code === 'string' && code !== '' ? code : DEFAULT_ERROR_CODE,
    [DEAD_LETTER_HEADERS.errorClass]: error instanceof Error ? error.name : typeof error,
    [DEAD_LETTER_HEADERS.errorMessage]: message.slice(0, MAX_MESSAGE_LENGTH),
    [DEAD_LETTER_HEADERS.topic]: record.topic,
    [DEAD_LETTER_HEADERS.partition]: String(record.partition),
    [DEAD_LETTER_HEADERS.offset]: String(record.offset),
    [DEAD_LETTER_HEADERS.timestamp]: String(record.timestamp),
  };
  for (const [name, value] of Object.entries(info)) headers[name] = Buffer.from(value, 'utf8');
  return {
    key: record.key === null ? null : toBuffer(record.key),
    value: record.value === null ? null : toBuffer(record.value),
    timestamp: String(record.timestamp),
    headers,
  };
}

/** Writes dead letters with an idempotent producer, waiting for the acknowledgement of all replicas. */
export class DeadLetterWriter {
  private producer: Producer | undefined;

  constructor(private readonly topic: string) {}

  /**
   * Checks that the topic exists (`KAFKA_UNKNOWN_TOPIC` naming the option if not: better at start
   * than at the first unreadable record) and connects the producer.
   */
  async open(clients: { readonly kafka: Kafka; readonly admin: Admin }): Promise<void> {
    let topics: string[];
    try {
      topics = await clients.admin.listTopics();
    } catch (error) {
      throw wrapKafkaJsError(error, { action: 'checking the dead-letter topic', topic: this.topic });
    }
    if (!topics.includes(this.topic)) {
      throw new KafkaError(
        `The dead-letter topic ${this.topic} does not exist. Create it before starting the job (the source does not create topics), or change onDeserializationError.`,
        { code: KafkaErrorCode.KAFKA_UNKNOWN_TOPIC, topic: this.topic, option: 'onDeserializationError' },
      );
    }
    const producer = clients.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    try {
      await producer.connect();
    } catch (error) {
      throw wrapKafkaJsError(error, { action: 'connecting the dead-letter producer', topic: this.topic });
    }
    this.producer = producer;
  }

  /** Writes `record` with `error`; resolves once acknowledged, rejects with a `KafkaError` naming the record's place. */
  async write(record: KafkaConsumerRecord, error: unknown): Promise<void> {
    const producer = this.producer;
    if (producer === undefined) throw new Error('DeadLetterWriter.write before open');
    try {
      await producer.send({ topic: this.topic, acks: -1, messages: [deadLetterMessage(record, error)] });
    } catch (sendError) {
      throw wrapKafkaJsError(sendError, {
        action: `writing an unreadable record to the dead-letter topic ${this.topic}`,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        fallbackCode: KafkaErrorCode.KAFKA_SEND_FAILED,
        hint: 'The record is not skipped: the job fails and reads it again after a restart. Check that the dead-letter topic exists and is writable.',
      });
    }
  }

  /** Disconnects. Idempotent. */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
