/**
 * How the FileSink turns elements into bytes: row formats (an {@link Encoder} per element, the
 * part file can be resumed after a crash) and bulk formats (a {@link BulkWriter} owning the whole
 * file, e.g. Avro container files; such parts roll at every checkpoint).
 */
import type { FileOutput } from '../../filesystem/file-system.js';

/** Encodes one element of a row format (Flink's `Encoder`). */
export interface Encoder<TIn> {
  /** The bytes of `element` (strings are written as UTF-8). */
  encode(element: TIn): Uint8Array | string;
}

/** Flink's `SimpleStringEncoder`: `String(element)` followed by `'\n'`, as UTF-8. */
export class SimpleStringEncoder<TIn = unknown> implements Encoder<TIn> {
  encode(element: TIn): string {
    return `${String(element)}\n`;
  }
}

/** Writes a whole part file of a bulk format (Flink's `BulkWriter`). */
export interface BulkWriter<TIn> {
  /** Adds one element. */
  addElement(element: TIn): void | Promise<void>;
  /** Writes what is buffered to the output (not called by the sink before `finish`; for writers' own use). */
  flush(): void | Promise<void>;
  /** Writes the file's trailer; the sink closes the output afterwards. */
  finish(): void | Promise<void>;
}

/** Creates the {@link BulkWriter} of a new part file (Flink's `BulkWriter.Factory`). */
export interface BulkWriterFactory<TIn> {
  /** A writer writing into `output` (a fresh, empty part file). */
  create(output: FileOutput): BulkWriter<TIn> | Promise<BulkWriter<TIn>>;
}
