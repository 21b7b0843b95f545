/**
 * Avro object container files (the Avro spec's file format, what Java's `DataFileWriter` writes):
 * a header (magic `Obj\x01`, metadata with `avro.schema` and `avro.codec`, a 16-byte sync marker),
 * then blocks of records each followed by the sync marker. Codecs: `null` and `deflate`.
 * Synchronous, in memory, so a file sink can write the header once and a block per checkpoint.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import type { Type } from 'avsc';
import { ConfigError } from '@sluice/core';
import { AvroErrorCode, AvroSerdeError } from '../errors.js';
import { createResolver, encodeValue } from '../internal/decode.js';
import { asBuffer, hex } from '../internal/excerpt.js';
import { parseUserSchema, schemaText, toAvscType } from '../schema/avro-schema.js';
import type { AvroSchema, AvroTypeOptions } from '../schema/avro-schema.js';

/** Compression codecs of container blocks. */
export type AvroContainerCodec = 'null' | 'deflate';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const SYNC_SIZE = 16;
const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: SYNC_SIZE } },
  ],
});
const LONG = avro.Type.forSchema('long');

/** Options of {@link AvroContainerWriter.create}. */
export interface AvroContainerWriterOptions extends AvroTypeOptions {
  /**
   * Block compression.
   * @defaultValue 'null'
   */
  readonly codec?: AvroContainerCodec;
  /**
   * The 16-byte sync marker (random by default; fix it for reproducible files).
   * @defaultValue 16 random bytes
   */
  readonly syncMarker?: Uint8Array;
  /**
   * Extra header metadata (keys must not start with `avro.`).
   * @defaultValue {}
   */
  readonly metadata?: Readonly<Record<string, string | Uint8Array>>;
}

/**
 * Writes an Avro object container file in pieces: `header()` once, then `block(records)` for each
 * batch (e.g. at every checkpoint); the concatenation is a valid file after any block.
 */
export class AvroContainerWriter<TRecord = Record<string, unknown>> {
  private readonly sync: Buffer;

  private constructor(
    private readonly type: Type,
    private readonly options: AvroContainerWriterOptions,
  ) {
    const sync = options.syncMarker ?? randomBytes(SYNC_SIZE);
    if (sync.length !== SYNC_SIZE) {
      throw new ConfigError(`Option syncMarker must be ${SYNC_SIZE} bytes, got ${sync.length}.`, { option: 'syncMarker' });
    }
    const codec = options.codec ?? 'null';
    if (codec !== 'null' && codec !== 'deflate') {
      throw new ConfigError(`Option codec must be 'null' or 'deflate', got ${String(codec)}.`, { option: 'codec' });
    }
    this.sync = Buffer.from(sync);
  }

  /** A writer for records of `schema`. */
  static create<TRecord = Record<string, unknown>>(
    schema: AvroSchema,
    options: AvroContainerWriterOptions = {},
  ): AvroContainerWriter<TRecord> {
    return new AvroContainerWriter<TRecord>(parseUserSchema(schema, 'schema', options), options);
  }

  /** The file header. */
  header(): Uint8Array {
    const meta: Record<string, Buffer> = {};
    for (const [key, value] of Object.entries(this.options.metadata ?? {})) {
      if (key.startsWith('avro.')) {
        throw new ConfigError(`Option metadata cannot set reserved key ${key}.`, { option: 'metadata' });
      }
      meta[key] = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
    }
    meta['avro.schema'] = Buffer.from(schemaText(this.type));
    meta['avro.codec'] = Buffer.from(this.options.codec ?? 'null');
    return HEADER.toBuffer({ magic: MAGIC, meta, sync: this.sync });
  }

  /** One block holding `records` (empty input → empty output). */
  block(records: readonly TRecord[]): Uint8Array {
    if (records.length === 0) return new Uint8Array();
    const raw = Buffer.concat(records.map((record) => encodeValue(this.type, record)));
    const data = (this.options.codec ?? 'null') === 'deflate' ? deflateRawSync(raw) : raw;
    return Buffer.concat([LONG.toBuffer(records.length), LONG.toBuffer(data.length), data, this.sync]);
  }
}

/** Writes a whole container file: header, then blocks of at most `blockRecords` records. */
export function writeAvroContainer<TRecord>(
  schema: AvroSchema,
  records: readonly TRecord[],
  options: AvroContainerWriterOptions & { readonly blockRecords?: number } = {},
): Uint8Array {
  const writer = AvroContainerWriter.create<TRecord>(schema, options);
  const size = options.blockRecords ?? 1000;
  const parts: Uint8Array[] = [writer.header()];
  for (let i = 0; i < records.length; i += size) parts.push(writer.block(records.slice(i, i + size)));
  return Buffer.concat(parts);
}

/** Options of {@link readAvroContainer}. */
export interface ReadAvroContainerOptions extends AvroTypeOptions {
  /**
   * Read the records into this schema (Avro schema resolution from the file's schema).
   * @defaultValue the file's own schema
   */
  readonly readerSchema?: AvroSchema;
}

/** What {@link readAvroContainer} returns. */
export interface AvroContainerContents<TRecord> {
  /** The writer schema stored in the file (JSON text). */
  readonly writerSchema: string;
  /** The codec of the file. */
  readonly codec: string;
  /** Header metadata other than `avro.schema` and `avro.codec`. */
  readonly metadata: Readonly<Record<string, Uint8Array>>;
  /** All records, in file order. */
  readonly records: TRecord[];
}

function containerError(detail: string, cause?: unknown): AvroSerdeError {
  return new AvroSerdeError(`Not a valid Avro container file: ${detail}.`, {
    code: AvroErrorCode.SERDE_CONTAINER_FILE,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Reads a whole container file (codecs `null` and `deflate`). */
export function readAvroContainer<TRecord = Record<string, unknown>>(
  bytes: Uint8Array,
  options: ReadAvroContainerOptions = {},
): AvroContainerContents<TRecord> {
  const buf = asBuffer(bytes);
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) {
    throw containerError(`expected the magic bytes 4f 62 6a 01 ("Obj\\x01"), found ${hex(buf, 0, 4) || 'an empty file'}`);
  }
  let header: { value: { meta: Record<string, Buffer>; sync: Buffer }; offset: number };
  try {
    header = HEADER.decode(buf, 0) as typeof header;
  } catch (error) {
    throw containerError('the header is corrupt', error);
  }
  if (header.offset < 0) throw containerError('the header is truncated');
  const meta = header.value.meta;
  const schemaBytes = meta['avro.schema'];
  if (schemaBytes === undefined) throw containerError('the header has no avro.schema');
  const writerSchema = schemaBytes.toString('utf8');
  const codec = meta['avro.codec']?.toString('utf8') ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') {
    throw containerError(`codec ${codec} is not supported (expected null or deflate)`);
  }
  let writer: Type;
  try {
    writer = toAvscType(writerSchema, options);
  } catch (error) {
    throw containerError(`the stored schema is not valid Avro (${error instanceof Error ? error.message : String(error)})`, error);
  }
  const reader = options.readerSchema === undefined ? writer : parseUserSchema(options.readerSchema, 'readerSchema', options);
  const resolver = createResolver(reader, writer);
  const records: TRecord[] = [];
  let pos = header.offset;
  let block = 0;
  while (pos < buf.length) {
    const count = LONG.decode(buf, pos);
    const size = count.offset < 0 ? count : LONG.decode(buf, count.offset);
    if (count.offset < 0 || size.offset < 0) throw containerError(`block ${block} at byte ${pos} has a truncated header`);
    const n = count.value as number;
    const length = size.value as number;
    const dataEnd = size.offset + length;
    if (n < 0 || length < 0 || dataEnd + SYNC_SIZE > buf.length) {
      throw containerError(`block ${block} at byte ${pos} declares ${n} records in ${length} bytes but the file ends at byte ${buf.length} (truncated)`);
    }
    if (!buf.subarray(dataEnd, dataEnd + SYNC_SIZE).equals(header.value.sync)) {
      throw containerError(`block ${block} at byte ${pos}: expected the sync marker ${hex(header.value.sync, 0, 16)}, found ${hex(buf, dataEnd, 16)}`);
    }
    let data = buf.subarray(size.offset, dataEnd);
    if (codec === 'deflate') {
      try {
        data = inflateRawSync(data);
      } catch (error) {
        throw containerError(`block ${block} at byte ${pos} does not inflate (deflate codec)`, error);
      }
    }
    let at = 0;
    for (let i = 0; i < n; i += 1) {
      const result = reader.decode(data, at, resolver);
      if (result.offset < 0) throw containerError(`block ${block} holds fewer than the ${n} records it declares`);
      records.push(result.value as TRecord);
      at = result.offset;
    }
    if (at !== data.length) throw containerError(`block ${block} has ${data.length - at} bytes after its ${n} records`);
    pos = dataEnd + SYNC_SIZE;
    block += 1;
  }
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(meta)) if (!key.startsWith('avro.')) metadata[key] = value;
  return { writerSchema, codec, metadata, records };
}
