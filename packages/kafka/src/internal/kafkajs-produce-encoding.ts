/**
 * Faster encoding of kafkajs's Produce requests and request frames.
 *
 * kafkajs 2.2.4 builds a Produce request from an `Encoder` per record, per record batch, per
 * partition and per topic, and then copies the payload twice more into the request frame
 * (`src/protocol/request.js`), each `Encoder` a zero-filled buffer that doubles as it grows. This
 * module replaces two kafkajs modules (see `kafkajs-module-replacement.ts`):
 *
 * - `src/protocol/requests/produce/v3/request.js` (Produce v3, which v4–v7 reuse): an uncompressed
 *   request is sized first (batches by {@link planRecordBatch}) and written into one buffer of
 *   the exact size, with room in front for its frame. Compressed requests, and batches holding
 *   something the fast encoder does not take, use kafkajs's encoder as before.
 * - `src/protocol/request.js`: the frame (size, API key and version, correlation id, client id) is
 *   written into that room in front of a Produce payload, and around a copy of other payloads.
 *
 * The bytes sent are kafkajs's (tests compare them), except for the batch timestamps described in
 * `record-batch-encoder.ts`.
 *
 * Internal: not exported from the package.
 */
import { createRequire } from 'node:module';
import type { Message } from 'kafkajs';
import { replaceKafkaJsModule } from './kafkajs-module-replacement.js';
import { planRecordBatch } from './record-batch-encoder.js';
import type { RecordBatchPlan } from './record-batch-encoder.js';

const require = createRequire(import.meta.url);

/** What kafkajs's `Encoder` is to the code that reads an encoded request. */
interface Encoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
}
type EncoderClass = new (initialSize?: number) => Encoder;

/** The arguments of kafkajs's Produce v3 request (src/protocol/requests/produce/v3/request.js). */
export interface ProduceRequestArgs {
  readonly acks: number;
  readonly timeout: number;
  readonly transactionalId?: string | null;
  readonly producerId?: unknown;
  readonly producerEpoch?: number;
  readonly compression?: number;
  readonly topicData: readonly {
    readonly topic: string;
    readonly partitions: readonly { readonly partition: number; readonly firstSequence?: number; readonly messages: readonly Message[] }[];
  }[];
}

interface KafkaJsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  encode(): Promise<Encoder>;
}
type ProduceRequestFactory = (args: ProduceRequestArgs) => KafkaJsRequest;
type CreateRequest = (args: { correlationId: number; clientId: string | null; request: KafkaJsRequest }) => Promise<Encoder>;

const loadEncoder = (): EncoderClass => require('kafkajs/src/protocol/encoder.js') as EncoderClass;
const loadLong = (): { fromValue(value: unknown): { value: bigint } } =>
  require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): { value: bigint } };

/** `bytes` as a kafkajs `Encoder` holding exactly them (what kafkajs's callers read). */
function asEncoder(bytes: Buffer): Encoder {
  const Encoder = loadEncoder();
  const encoder = new Encoder(0);
  encoder.buf = bytes;
  encoder.offset = bytes.length;
  return encoder;
}

/** Writes sequential fields into a buffer of a known size, from `offset`. */
class FieldWriter {
  constructor(
    readonly buffer: Buffer,
    public offset = 0,
  ) {}
  int16(value: number): this {
    this.offset = this.buffer.writeInt16BE(value, this.offset);
    return this;
  }
  int32(value: number): this {
    this.offset = this.buffer.writeInt32BE(value, this.offset);
    return this;
  }
  /** A Kafka STRING / NULLABLE_STRING: int16 length (-1 for null), then UTF-8. */
  string(value: string | null | undefined): this {
    if (value == null) return this.int16(-1);
    this.int16(Buffer.byteLength(value));
    this.offset += this.buffer.write(value, this.offset, 'utf8');
    return this;
  }
  bytes(value: Buffer): this {
    this.offset += value.copy(this.buffer, this.offset);
    return this;
  }
}

const stringSize = (value: string | null | undefined): number => 2 + (value == null ? 0 : Buffer.byteLength(value));

/**
 * Room left in front of a Produce payload for its frame ({@link frameRequest}): the frame's fixed
 * fields and a client id of up to 242 bytes, so that the frame is written in place instead of
 * copying the payload.
 */
const FRAME_HEADROOM = 256;

/** Full buffers of payloads encoded with room in front, by the encoder kafkajs is given. */
const withHeadroom = new WeakMap<Encoder, Buffer>();

/**
 * The Produce v3 payload of an uncompressed request, after `headroom` unwritten bytes, or undefined
 * when a batch needs kafkajs's own encoder. Every batch is written straight into this one buffer.
 */
export function encodeProduceRequest(args: ProduceRequestArgs, now = Date.now(), headroom = 0): Buffer | undefined {
  const transactionalId = args.transactionalId ?? null;
  const producerId = args.producerId == null ? -1n : loadLong().fromValue(args.producerId).value;
  const producerEpoch = args.producerEpoch ?? 0;
  const topics: { topic: string; batches: { partition: number; batch: RecordBatchPlan }[] }[] = [];
  let size = stringSize(transactionalId) + 2 + 4 + 4;
  for (const { topic, partitions } of args.topicData) {
    const batches: { partition: number; batch: RecordBatchPlan }[] = [];
    size += stringSize(topic) + 4;
    for (const { partition, firstSequence, messages } of partitions) {
      const batch = planRecordBatch({
        messages,
        transactional: transactionalId !== null,
        producerId,
        producerEpoch,
        firstSequence: firstSequence ?? 0,
        now,
      });
      if (batch === undefined) return undefined;
      batches.push({ partition, batch });
      size += 4 + 4 + batch.size;
    }
    topics.push({ topic, batches });
  }
  const writer = new FieldWriter(Buffer.allocUnsafe(headroom + size), headroom);
  writer.string(transactionalId).int16(args.acks).int32(args.timeout).int32(topics.length);
  for (const { topic, batches } of topics) {
    writer.string(topic).int32(batches.length);
    for (const { partition, batch } of batches) {
      writer.int32(partition).int32(batch.size);
      batch.writeTo(writer.buffer, writer.offset);
      writer.offset += batch.size;
    }
  }
  return writer.buffer;
}

/** kafkajs's Produce v3 request, encoding uncompressed requests with {@link encodeProduceRequest}. */
function fastProduceRequest(original: ProduceRequestFactory): ProduceRequestFactory {
  return (args) => {
    const request = original(args);
    if ((args.compression ?? 0) !== 0) return request;
    return {
      ...request,
      encode: async () => {
        const buffer = encodeProduceRequest(args, Date.now(), FRAME_HEADROOM);
        if (buffer === undefined) return request.encode();
        const encoder = asEncoder(buffer.subarray(FRAME_HEADROOM));
        withHeadroom.set(encoder, buffer);
        return encoder;
      },
    };
  };
}

/**
 * The request frame: int32 size, then API key, API version, correlation id, client id, payload.
 * Written in place in front of a payload encoded with room for it, else around a copy.
 */
export async function frameRequest({ correlationId, clientId, request }: Parameters<CreateRequest>[0]): Promise<Encoder> {
  const encoded = await request.encode();
  const payload = encoded.buffer;
  const headerSize = 4 + 2 + 2 + 4 + stringSize(clientId);
  const full = withHeadroom.get(encoded);
  const inPlace = full !== undefined && full.length - payload.length >= headerSize;
  const frame = inPlace ? full.subarray(full.length - payload.length - headerSize) : Buffer.allocUnsafe(headerSize + payload.length);
  const writer = new FieldWriter(frame);
  writer.int32(headerSize - 4 + payload.length).int16(request.apiKey).int16(request.apiVersion).int32(correlationId).string(clientId);
  if (!inPlace) writer.bytes(payload);
  return asEncoder(frame);
}

/** Installs both replacements; returns whether kafkajs will use each. */
export function installFastProduceEncoding(): { produce: boolean; frame: boolean } {
  const produceVersionsOnV3 = [4, 5, 6, 7].map((version) => `kafkajs/src/protocol/requests/produce/v${version}/request.js`);
  return {
    produce: replaceKafkaJsModule<ProduceRequestFactory>({
      module: 'kafkajs/src/protocol/requests/produce/v3/request.js',
      capturedBy: produceVersionsOnV3,
      replace: fastProduceRequest,
    }),
    frame: replaceKafkaJsModule<CreateRequest>({
      module: 'kafkajs/src/protocol/request.js',
      capturedBy: ['kafkajs/src/network/connection.js'],
      replace: () => frameRequest,
    }),
  };
}

installFastProduceEncoding();
