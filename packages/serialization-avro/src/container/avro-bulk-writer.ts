/**
 * Flink's `AvroWriters`: a bulk-format writer factory that writes each part file of a file sink
 * (e.g. `FileSink.forBulkFormat` of `@sluice/filesystem-hdfs`) as an Avro object container file.
 *
 * The factory matches the sink's `BulkWriterFactory` interface by shape: this package does not
 * depend on the file-system package, and the file-system package does not depend on Avro.
 */
import { ConfigError } from '@sluice/core';
import { AvroContainerWriter } from './avro-container-file.js';
import type { AvroContainerWriterOptions } from './avro-container-file.js';
import type { AvroSchema } from '../schema/avro-schema.js';

/** Where a bulk writer writes a part file's bytes (a file sink's `FileOutput` has this method). */
export interface AvroBulkOutput {
  /** Appends bytes to the part file. */
  write(data: Uint8Array): Promise<void>;
}

/** Writes one Avro container part file (the shape of a file sink's `BulkWriter`). */
export interface AvroBulkWriter<TRecord> {
  /** Buffers one record; a full block is written out. */
  addElement(record: TRecord): Promise<void>;
  /** Writes the buffered records as a block. */
  flush(): Promise<void>;
  /** Writes the last block; the sink closes the file afterwards. */
  finish(): Promise<void>;
}

/** Creates an {@link AvroBulkWriter} per part file (the shape of a file sink's `BulkWriterFactory`). */
export interface AvroBulkWriterFactory<TRecord> {
  /** A writer writing the header into `output` (a fresh part file), then blocks. */
  create(output: AvroBulkOutput): Promise<AvroBulkWriter<TRecord>>;
}

/** Options of {@link AvroWriters.forGenericRecord}. */
export interface AvroWritersOptions extends AvroContainerWriterOptions {
  /**
   * Records per block: a block is written (and compressed) when this many are buffered, and at
   * the end of the file.
   * @defaultValue 1000
   */
  readonly blockRecords?: number;
}

class ContainerBulkWriter<TRecord> implements AvroBulkWriter<TRecord> {
  private buffer: TRecord[] = [];
  constructor(
    private readonly writer: AvroContainerWriter<TRecord>,
    private readonly target: { output: AvroBulkOutput; blockRecords: number },
  ) {}

  async addElement(record: TRecord): Promise<void> {
    this.buffer.push(record);
    if (this.buffer.length >= this.target.blockRecords) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const records = this.buffer;
    this.buffer = [];
    await this.target.output.write(this.writer.block(records));
  }

  finish(): Promise<void> {
    return this.flush();
  }
}

/** Bulk writer factories for Avro container files (Flink's `AvroWriters`). */
export const AvroWriters = {
  /**
   * Part files as Avro container files of records of `schema` (each file with its own random
   * sync marker unless `syncMarker` is set). Invalid options fail here, not at the first record.
   */
  forGenericRecord<TRecord = Record<string, unknown>>(
    schema: AvroSchema,
    options: AvroWritersOptions = {},
  ): AvroBulkWriterFactory<TRecord> {
    const blockRecords = options.blockRecords ?? 1000;
    if (!Number.isSafeInteger(blockRecords) || blockRecords < 1) {
      throw new ConfigError(`Option blockRecords must be a positive integer, got ${String(blockRecords)}.`, {
        option: 'blockRecords',
      });
    }
    AvroContainerWriter.create<TRecord>(schema, options).header();
    return {
      async create(output) {
        const writer = AvroContainerWriter.create<TRecord>(schema, options);
        await output.write(writer.header());
        return new ContainerBulkWriter(writer, { output, blockRecords });
      },
    };
  },
};
