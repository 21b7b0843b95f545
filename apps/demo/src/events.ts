// The demo's data: click events in, per-user running aggregates out, and the generator that
// produces the events into the input topic.
import { AvroDeserializationSchema, AvroSerializationSchema } from '@sluice/serialization-avro';
import { Kafka, logLevel } from 'kafkajs';

/** How the click events are encoded in the input topic. */
export type EventFormat = 'json' | 'avro';

/** One click: what the generator writes into the input topic (JSON). */
export interface ClickEvent {
  /** 0 … records-1, unique: the checkers count outputs by it. */
  readonly id: number;
  readonly user: string;
  readonly region: string;
  readonly page: string;
  /** Cents spent on the click (0 for a page view). */
  readonly amount: number;
  readonly at: number;
}

/** The end marker written last into every input partition; the source ends there. */
export interface EndMarker {
  readonly end: true;
}

/**
 * The Avro schema of the input (`--format avro`): a click, or the end marker (`end: true`, other
 * fields empty). Raw Avro binary, reader schema = writer schema.
 */
export const CLICK_AVRO_SCHEMA = {
  type: 'record',
  name: 'Click',
  namespace: 'dev.sluice.demo',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'user', type: 'string' },
    { name: 'region', type: 'string' },
    { name: 'page', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'at', type: 'long' },
    { name: 'end', type: 'boolean', default: false },
  ],
};

/** The Avro form of a click or end marker. */
export interface AvroClick extends ClickEvent {
  readonly end: boolean;
}

const END_AS_AVRO: AvroClick = { id: -1, user: '', region: '', page: '', amount: 0, at: 0, end: true };

/** Encodes input records (events or the end marker) in `format`. */
export function inputEncoder(format: EventFormat): (record: ClickEvent | EndMarker) => Buffer {
  if (format === 'json') return (record) => Buffer.from(JSON.stringify(record));
  const avro = AvroSerializationSchema.forGeneric<AvroClick>(CLICK_AVRO_SCHEMA);
  return (record) => Buffer.from(avro.serialize('end' in record ? END_AS_AVRO : { ...record, end: false }));
}

/** Decodes input records written by {@link inputEncoder}; the end marker decodes to `{ end: true }`. */
export function inputDecoder(format: EventFormat): (bytes: Uint8Array) => ClickEvent | EndMarker {
  if (format === 'json') return (bytes) => JSON.parse(Buffer.from(bytes).toString('utf8')) as ClickEvent | EndMarker;
  const avro = AvroDeserializationSchema.forGeneric<AvroClick>(CLICK_AVRO_SCHEMA);
  return (bytes) => {
    const { end, ...event } = avro.deserialize(bytes);
    return end ? { end: true } : event;
  };
}

/** One output record per input event: the user's running aggregate after that event. */
export interface UserAggregate {
  readonly id: number;
  readonly user: string;
  readonly region: string;
  /** Events of this user so far (1, 2, 3, … without gaps when nothing was lost or repeated). */
  readonly count: number;
  /** Cents spent by this user so far. */
  readonly total: number;
}

const REGIONS = ['eu', 'us', 'apac', 'latam'] as const;
const PAGES = ['/', '/search', '/product', '/cart', '/checkout'] as const;
const USERS = 50;

/** Event number `id` (deterministic: the same id always gives the same event). */
export function clickEvent(id: number): ClickEvent {
  const userNo = (id * 7919) % USERS;
  const page = PAGES[(id * 31) % PAGES.length] ?? '/';
  return {
    id,
    user: `user-${String(userNo).padStart(2, '0')}`,
    region: REGIONS[userNo % REGIONS.length] ?? 'eu',
    page,
    amount: page === '/checkout' ? 100 + ((id * 13) % 900) : 0,
    at: Date.now(),
  };
}

/** Options of {@link produceClicks}. */
export interface ProduceOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly partitions: number;
  readonly records: number;
  /** Events per second; 0 = as fast as possible. */
  readonly rate: number;
  /** Encoding of the events. */
  readonly format: EventFormat;
  /** Stops producing early (Ctrl-C); the end markers are written anyway. */
  readonly signal?: AbortSignal;
  /** Called after each acknowledged batch with the number produced so far. */
  readonly onProgress?: (produced: number) => void;
  /**
   * Written before the end markers are (chaos mode holds them back until every planned kill
   * happened, so the job cannot finish early).
   */
  readonly endAfter?: Promise<void>;
}

/** Creates the input topic with one partition per subtask (each subtask reads one and ends at its marker). */
export async function createTopics(
  brokers: readonly string[],
  topics: readonly { topic: string; partitions: number }[],
): Promise<void> {
  const admin = new Kafka({ brokers: [...brokers], clientId: 'sluice-demo-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
    });
    // Kafka 4 may answer metadata with UNKNOWN_TOPIC_OR_PARTITION for a moment after a create.
    const deadline = Date.now() + 30_000;
    for (const { topic } of topics) {
      for (;;) {
        try {
          await admin.fetchTopicOffsets(topic);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`topic ${topic} not ready after 30 s`, { cause: error });
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces `records` click events keyed by user (so each user lives in one partition, read by one
 * subtask), paced at `rate` per second, then one end marker into every partition. The producer is
 * idempotent, so a retried batch is not written twice. Resolves with the number of events written.
 */
export async function produceClicks(options: ProduceOptions): Promise<number> {
  const kafka = new Kafka({ brokers: [...options.brokers], clientId: 'sluice-demo-generator', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = Date.now();
  const encode = inputEncoder(options.format);
  let produced = 0;
  try {
    const batch = options.rate === 0 ? 1000 : Math.max(1, Math.min(1000, Math.round(options.rate / 10)));
    while (produced < options.records && options.signal?.aborted !== true) {
      const count = Math.min(batch, options.records - produced);
      const messages = Array.from({ length: count }, (_, i) => {
        const event = clickEvent(produced + i);
        return { key: event.user, value: encode(event) };
      });
      await producer.send({ topic: options.topic, acks: -1, messages });
      produced += count;
      options.onProgress?.(produced);
      if (options.rate > 0) {
        const due = started + (produced / options.rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    await options.endAfter;
    const end: EndMarker = { end: true };
    await producer.send({
      topic: options.topic,
      acks: -1,
      messages: Array.from({ length: options.partitions }, (_, partition) => ({
        partition,
        value: encode(end),
      })),
    });
    return produced;
  } finally {
    await producer.disconnect();
  }
}
