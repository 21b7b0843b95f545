/**
 * Faster decoding of fetched records for kafkajs's consumer.
 *
 * kafkajs 2.2.4 decodes every record of a fetch with 64-bit arithmetic on `BigInt`s: its varlong
 * reader allocates a `Long` per byte, and each record's timestamp and offset are the batch's
 * (parsed again from a string for every record) plus the record's delta, printed back to a string.
 * Its headers are merged with an object spread per header. This module replaces kafkajs's record
 * decoder (`src/protocol/recordBatch/record/v0/decoder.js`, through the module cache, see
 * `kafkajs-module-replacement.ts`) with one that reads the same fields with number arithmetic and
 * returns the same object (same fields in the same order, same values: a test compares them). A
 * record whose timestamp or offset would not fit in a number exactly (beyond 2^53) is decoded by
 * kafkajs's own decoder.
 *
 * Internal: not exported from the package.
 */
import { replaceKafkaJsModule } from './kafkajs-module-replacement.js';

/** What kafkajs's record decoder reads from: a kafkajs `Decoder` over one record's bytes. */
export interface RecordDecoderInput {
  buffer: Buffer;
  offset: number;
}

/** The batch fields kafkajs passes to its record decoder (src/protocol/recordBatch/v0/decoder.js). */
export interface RecordBatchContext {
  readonly firstOffset: string;
  readonly firstTimestamp: string;
  readonly maxTimestamp: string;
  readonly magicByte: number;
  readonly isControlBatch?: boolean;
  readonly timestampType: number;
}

/** kafkajs's decoded record. */
export interface DecodedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord: boolean;
  batchContext: RecordBatchContext;
}

type RecordDecoder = (decoder: RecordDecoderInput, batchContext?: RecordBatchContext) => DecodedRecord;

/** kafkajs's `TimestampTypes.LOG_APPEND_TIME`. */
const LOG_APPEND_TIME = 1;

/** Reads varints at an offset; `exact` turns false when a value went beyond 2^53. */
export class VarintReader {
  offset = 0;
  exact = true;
  constructor(readonly buffer: Buffer) {}

  unsigned(): number {
    const { buffer } = this;
    let result = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = buffer[this.offset++]!;
      result += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte >= 0x80);
    if (result > Number.MAX_SAFE_INTEGER) this.exact = false;
    return result;
  }

  /** A zig-zag varint or varlong. */
  signed(): number {
    const value = this.unsigned();
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  /** Varint length, then that many bytes (a view, as kafkajs's `buffer.slice`); null for -1. */
  bytes(): Buffer | null {
    const length = this.signed();
    if (length < 0) return null;
    const start = this.offset;
    this.offset += length;
    return this.buffer.subarray(start, this.offset);
  }

  string(): string | null {
    const length = this.signed();
    if (length < 0) return null;
    const start = this.offset;
    this.offset += length;
    return this.buffer.toString('utf8', start, this.offset);
  }
}

/** The batch's first offset and timestamp as numbers, parsed once per batch, not per record. */
let lastContext: RecordBatchContext | undefined;
let firstOffset = 0;
let firstTimestamp = 0;

/** Adds a delta to a batch base; undefined when the sum is not an exact number. */
function exactSum(base: number, delta: number): string | undefined {
  const sum = base + delta;
  return Number.isSafeInteger(base) && Number.isSafeInteger(sum) ? String(sum) : undefined;
}

/** kafkajs's record decoder, on number arithmetic; `original` decodes what numbers cannot. */
export function fastRecordDecoder(original: RecordDecoder): RecordDecoder {
  return (decoder, batchContext = {} as RecordBatchContext) => {
    if (batchContext !== lastContext) {
      lastContext = batchContext;
      firstOffset = Number(batchContext.firstOffset);
      firstTimestamp = Number(batchContext.firstTimestamp);
    }
    const start = decoder.offset;
    const reader = new VarintReader(decoder.buffer);
    reader.offset = start;
    const attributes = decoder.buffer.readInt8(reader.offset++);
    const timestampDelta = reader.signed();
    const offsetDelta = reader.signed();
    const timestamp =
      batchContext.timestampType === LOG_APPEND_TIME && batchContext.maxTimestamp
        ? batchContext.maxTimestamp
        : exactSum(firstTimestamp, timestampDelta);
    const offset = exactSum(firstOffset, offsetDelta);
    if (timestamp === undefined || offset === undefined || !reader.exact) return original(decoder, batchContext);
    const key = reader.bytes();
    const value = reader.bytes();
    const headers: DecodedRecord['headers'] = {};
    const headerCount = reader.signed();
    for (let i = 0; i < headerCount; i++) {
      const name = reader.string() as string;
      const headerValue = reader.bytes();
      const seen = Object.hasOwn(headers, name) ? headers[name] : undefined;
      const merged = seen === undefined ? headerValue : Array.isArray(seen) ? [...seen, headerValue] : [seen, headerValue];
      // An own property even for "__proto__" (kafkajs builds the object with computed keys).
      Object.defineProperty(headers, name, { value: merged, enumerable: true, writable: true, configurable: true });
    }
    decoder.offset = reader.offset;
    return {
      magicByte: batchContext.magicByte,
      attributes,
      timestamp,
      offset,
      key,
      value,
      headers,
      isControlRecord: batchContext.isControlBatch ?? false,
      batchContext,
    };
  };
}

/** Installs the decoder; returns whether kafkajs will use it. */
export function installFastRecordDecoding(): boolean {
  return replaceKafkaJsModule<RecordDecoder>({
    module: 'kafkajs/src/protocol/recordBatch/record/v0/decoder.js',
    capturedBy: ['kafkajs/src/protocol/recordBatch/v0/decoder.js'],
    replace: fastRecordDecoder,
  });
}

installFastRecordDecoding();
