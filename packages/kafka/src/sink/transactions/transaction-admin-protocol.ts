/**
 * Our own encoder and decoder of the two admin requests kafkajs 2.2.4 does not have (KIP-664,
 * brokers ≥ 3.0): **ListTransactions v0** (API key 66) and **DescribeTransactions v0** (API key
 * 65). Both are "flexible" versions (KIP-482): compact strings and arrays (unsigned varint length
 * + 1) and an empty tagged-field section after every struct. kafkajs writes request header v1;
 * header v2 of a flexible request is v1 followed by a tagged-field section, so every body here
 * starts with that empty section (one 0 byte). The response header v1 likewise ends with a
 * tagged-field section, which the decoders skip first.
 */
import { KafkaError, KafkaErrorCode } from '../../errors.js';

/** API key of ListTransactions. */
export const LIST_TRANSACTIONS_API_KEY = 66;
/** API key of DescribeTransactions. */
export const DESCRIBE_TRANSACTIONS_API_KEY = 65;

/** One entry of a ListTransactions response. */
export interface ListedTransaction {
  readonly transactionalId: string;
  readonly producerId: number;
  /** `Empty`, `Ongoing`, `PrepareCommit`, `PrepareAbort`, `CompleteCommit`, `CompleteAbort`, `Dead`, `PrepareEpochFence`. */
  readonly state: string;
}

/** A decoded ListTransactions response of one broker. */
export interface ListTransactionsResponse {
  readonly errorCode: number;
  readonly unknownStateFilters: readonly string[];
  readonly transactions: readonly ListedTransaction[];
}

/** One entry of a DescribeTransactions response. */
export interface DescribedTransaction {
  readonly errorCode: number;
  readonly transactionalId: string;
  readonly state: string;
  readonly transactionTimeoutMs: number;
  /** -1 when no transaction is running. */
  readonly transactionStartTimeMs: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly number[] }[];
}

class CompactWriter {
  private readonly chunks: Buffer[] = [];

  uvarint(value: number): this {
    const bytes: number[] = [];
    let v = value >>> 0;
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
    this.chunks.push(Buffer.from(bytes));
    return this;
  }

  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    this.uvarint(bytes.length + 1);
    this.chunks.push(bytes);
    return this;
  }

  int64(value: number): this {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(BigInt(value));
    this.chunks.push(buffer);
    return this;
  }

  array<T>(values: readonly T[], write: (value: T) => void): this {
    this.uvarint(values.length + 1);
    for (const value of values) write(value);
    return this;
  }

  /** An empty tagged-field section. */
  noTags(): this {
    return this.uvarint(0);
  }

  build(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

class CompactReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.take(1).readUInt8(0);
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw protocolError('an unsigned varint longer than 5 bytes');
  }

  int16(): number {
    return this.take(2).readInt16BE(0);
  }

  int32(): number {
    return this.take(4).readInt32BE(0);
  }

  int64(): number {
    const value = this.take(8).readBigInt64BE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw protocolError(`an INT64 (${value}) beyond the safe integer range`);
    }
    return Number(value);
  }

  string(): string {
    const length = this.uvarint() - 1;
    if (length < 0) throw protocolError('a null string where a string was expected');
    return this.take(length).toString('utf8');
  }

  array<T>(read: () => T): T[] {
    const length = this.uvarint() - 1;
    if (length < 0) return [];
    return Array.from({ length }, read);
  }

  /** Skips a tagged-field section (this package reads no tagged field). */
  skipTags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i += 1) {
      this.uvarint();
      this.take(this.uvarint());
    }
  }

  private take(length: number): Buffer {
    if (this.offset + length > this.buffer.length) throw protocolError('a response shorter than its fields');
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

function protocolError(what: string): KafkaError {
  return new KafkaError(`The broker sent ${what} in a transaction admin response.`, { code: KafkaErrorCode.KAFKA_PROTOCOL });
}

/** The body of ListTransactions v0 (after the v1 header): state and producer id filters. */
export function encodeListTransactionsV0(filters: { states: readonly string[]; producerIds: readonly number[] }): Buffer {
  const w = new CompactWriter().noTags();
  w.array(filters.states, (s) => w.string(s));
  w.array(filters.producerIds, (id) => w.int64(id));
  return w.noTags().build();
}

/** Decodes a ListTransactions v0 response (after the correlation id). */
export function decodeListTransactionsV0(payload: Buffer): ListTransactionsResponse {
  const r = new CompactReader(payload);
  r.skipTags();
  r.int32(); // throttle time
  const errorCode = r.int16();
  const unknownStateFilters = r.array(() => r.string());
  const transactions = r.array(() => {
    const transactionalId = r.string();
    const producerId = r.int64();
    const state = r.string();
    r.skipTags();
    return { transactionalId, producerId, state };
  });
  r.skipTags();
  return { errorCode, unknownStateFilters, transactions };
}

/** The body of DescribeTransactions v0 (after the v1 header). */
export function encodeDescribeTransactionsV0(transactionalIds: readonly string[]): Buffer {
  const w = new CompactWriter().noTags();
  w.array(transactionalIds, (id) => w.string(id));
  return w.noTags().build();
}

/** Decodes a DescribeTransactions v0 response (after the correlation id). */
export function decodeDescribeTransactionsV0(payload: Buffer): DescribedTransaction[] {
  const r = new CompactReader(payload);
  r.skipTags();
  r.int32(); // throttle time
  const described = r.array(() => {
    const errorCode = r.int16();
    const transactionalId = r.string();
    const state = r.string();
    const transactionTimeoutMs = r.int32();
    const transactionStartTimeMs = r.int64();
    const producerId = r.int64();
    const producerEpoch = r.int16();
    const topics = r.array(() => {
      const topic = r.string();
      const partitions = r.array(() => r.int32());
      r.skipTags();
      return { topic, partitions };
    });
    r.skipTags();
    return { errorCode, transactionalId, state, transactionTimeoutMs, transactionStartTimeMs, producerId, producerEpoch, topics };
  });
  r.skipTags();
  return described;
}
