/**
 * How records become bytes and back (Flink's `DeserializationSchema` / `SerializationSchema`).
 * Connectors take these; formats (JSON, Avro, ...) implement them in their own packages.
 */
import type { TypeInformation } from '../types/type-information.js';

/**
 * Turns the bytes of one message into a record.
 *
 * Returning `null` means "skip this record": the source advances its position without emitting
 * anything (Flink's documented way to skip corrupt messages). Throwing fails the job unless the
 * connector's error policy says otherwise; throw a `SerdeError` with code `SERDE_CORRUPT_RECORD`.
 */
export interface DeserializationSchema<TRecord> {
  /** Called once per subtask before the first record. */
  open?(): void | Promise<void>;
  /** Decodes one message. May return a promise (e.g. when a schema registry must be asked). */
  deserialize(message: Uint8Array): TRecord | null | Promise<TRecord | null>;
  /**
   * Whether `nextElement` ends the stream; called for every record, also for `null` results.
   * When true the record is not emitted and the source's subtask finishes.
   */
  isEndOfStream(nextElement: TRecord | null): boolean;
  /** The type of the records this schema produces. */
  readonly producedType: TypeInformation<TRecord>;
}

/** Turns a record into the bytes of one message. */
export interface SerializationSchema<TRecord> {
  /** Called once per subtask before the first record. */
  open?(): void | Promise<void>;
  /** Encodes one record. */
  serialize(element: TRecord): Uint8Array;
}
