/**
 * The contract of every versioned binary serializer in Sluice. State written into a checkpoint is
 * stored together with its serializer's {@link SerializerSnapshot}, so a later release can read it
 * with {@link TypeSerializer.readerFor} (Flink's `TypeSerializer` + `TypeSerializerSnapshot`).
 */
import type { DataInput, DataOutput } from './data-view.js';

/**
 * What a serializer records about the format it wrote: its type id, format version and the
 * snapshots of nested serializers (element, field, key and value serializers), plus any
 * parameters it needs (such as a row's field names).
 */
export interface SerializerSnapshot {
  /** Stable id of the serializer kind, e.g. `sluice.string` or `sluice.row`. */
  readonly typeId: string;
  /** Format version the bytes were written with. */
  readonly version: number;
  /** Snapshots of nested serializers, in the serializer's own order. */
  readonly nested?: readonly SerializerSnapshot[];
  /** Serializer-specific parameters (JSON-compatible), e.g. field names. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A compact, versioned binary serializer for values of type `T`. */
export interface TypeSerializer<T> {
  /** Stable id of this serializer kind; part of the snapshot. */
  readonly typeId: string;
  /** The format version that {@link TypeSerializer.serialize} writes. */
  readonly version: number;
  /** Writes `value` in the current format. */
  serialize(value: T, out: DataOutput): void;
  /** Reads a value written in the current format. */
  deserialize(input: DataInput): T;
  /** Describes the current format, to be stored beside the bytes. */
  snapshot(): SerializerSnapshot;
  /**
   * Returns a reader for bytes written under `snapshot` (this or an earlier release).
   * Throws a `StateError` with `STATE_INCOMPATIBLE` when the snapshot is of another type, or
   * `STATE_UNKNOWN_VERSION` (naming both versions) when its version is newer than this release knows.
   */
  readerFor(snapshot: SerializerSnapshot): (input: DataInput) => T;
}
