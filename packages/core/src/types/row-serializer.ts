/**
 * Rows: objects with declared fields, written field by field in declaration order with no names
 * (the names live in the snapshot).
 *
 * Format versions:
 * - **Version 1** (frozen, read-only): each field with its own serializer; a nullable field is
 *   written by `sluice.nullable`, i.e. a 0/1 byte before its value.
 * - **Version 2** (current): a presence bitmap first, one bit per nullable field in declaration
 *   order (bit `i % 8` of byte `i / 8`, unused high bits zero), then the fields; a nullable field
 *   that is null takes no bytes and one that is present is written by its inner serializer.
 *   Rows with up to 8 nullable fields pay one byte in total instead of one byte per field.
 *
 * Schema evolution when reading older state, matched by field name: a field added since the
 * snapshot reads as `null` if it is nullable (else `STATE_INCOMPATIBLE`); a removed field is
 * skipped (its bytes are read with a serializer restored from the snapshot); fields may be
 * reordered; a field may become nullable but not the other way round.
 */
import type { DataInput, DataOutput } from './data-view.js';
import { NullableSerializer } from './nullable-serializer.js';
import {
  atPath,
  corrupt,
  describeValue,
  incompatible,
  inNested,
  nestedOf,
  readerOfVersion,
  snapshotsEqual,
  type ValueReader,
} from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/** A declared row field. */
export interface RowField {
  /** Field name (the object key). */
  readonly name: string;
  /** Serializer of the field's values; a `NullableSerializer` makes the field nullable. */
  readonly serializer: TypeSerializer<unknown>;
}

/** Builds a reader for bytes written under a snapshot with no current serializer at hand. */
export type SnapshotReaderFactory = (snapshot: SerializerSnapshot) => ValueReader<unknown>;

interface FieldPlan {
  readonly name: string;
  readonly serializer: TypeSerializer<unknown>;
  /** For a nullable field, the serializer of its non-null values. */
  readonly inner: TypeSerializer<unknown> | undefined;
  /** Index among the nullable fields, or -1. */
  readonly bit: number;
}

interface ReadStep {
  /** Index of the current field the value goes to, or -1 to drop it. */
  readonly target: number;
  /** Bit of the presence bitmap that gates this value, or -1. */
  readonly bit: number;
  readonly read: ValueReader<unknown>;
}

const NULLABLE_TYPE_ID = 'sluice.nullable';

/** Serializer of rows (`sluice.row`, version 2; version 1 readable). */
export class RowSerializer<TRow extends object> implements TypeSerializer<TRow> {
  readonly typeId = 'sluice.row';
  readonly version = 2;
  private readonly plan: readonly FieldPlan[];
  private readonly bitmapBytes: number;
  private readonly nullableCount: number;
  private readonly indexByName: ReadonlyMap<string, number>;

  /**
   * @param fields - the fields in the order they are written.
   * @param restoreReader - reads fields that were removed since a snapshot was taken.
   */
  constructor(
    fields: readonly RowField[],
    private readonly restoreReader: SnapshotReaderFactory,
  ) {
    let bit = 0;
    this.plan = fields.map(({ name, serializer }) => {
      const inner = serializer instanceof NullableSerializer ? serializer.inner : undefined;
      return { name, serializer, inner, bit: inner === undefined ? -1 : bit++ };
    });
    this.nullableCount = bit;
    this.bitmapBytes = Math.ceil(bit / 8);
    this.indexByName = new Map(fields.map((field, i) => [field.name, i]));
    if (this.indexByName.size !== fields.length)
      throw new TypeError('row field names must be unique');
  }

  /** The declared fields, in order. */
  get fields(): readonly RowField[] {
    return this.plan.map(({ name, serializer }) => ({ name, serializer }));
  }

  serialize(value: TRow, out: DataOutput): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TypeError(`sluice.row expects an object, got ${describeValue(value)}`);
    }
    const record = value as Record<string, unknown>;
    let byte = 0;
    for (const field of this.plan) {
      if (field.bit < 0) continue;
      const present = record[field.name] !== null && record[field.name] !== undefined;
      if (present) byte |= 1 << (field.bit & 7);
      if ((field.bit & 7) === 7 || field.bit === this.nullableCount - 1) {
        out.writeUint8(byte);
        byte = 0;
      }
    }
    for (const field of this.plan) {
      const fieldValue = record[field.name];
      try {
        if (field.inner === undefined) field.serializer.serialize(fieldValue, out);
        else if (fieldValue !== null && fieldValue !== undefined) {
          field.inner.serialize(fieldValue, out);
        }
      } catch (error) {
        throw atPath(`.${field.name}`, error);
      }
    }
  }

  deserialize(input: DataInput): TRow {
    const bitmap = readBitmap(input, this.bitmapBytes, this.nullableCount);
    const row: Record<string, unknown> = {};
    for (const field of this.plan) {
      if (field.inner === undefined) row[field.name] = field.serializer.deserialize(input);
      else row[field.name] = isSet(bitmap, field.bit) ? field.inner.deserialize(input) : null;
    }
    return row as TRow;
  }

  snapshot(): SerializerSnapshot {
    return {
      typeId: this.typeId,
      version: this.version,
      params: { fields: this.plan.map((field) => field.name) },
      nested: this.plan.map((field) => field.serializer.snapshot()),
    };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<TRow> {
    return readerOfVersion(this, snapshot, {
      1: () => this.evolvingReader(snapshot, 1),
      2: () =>
        snapshotsEqual(snapshot, this.snapshot())
          ? (input: DataInput) => this.deserialize(input)
          : this.evolvingReader(snapshot, 2),
    });
  }

  private evolvingReader(snapshot: SerializerSnapshot, version: 1 | 2): ValueReader<TRow> {
    const names = rowFieldNames(snapshot);
    const nested = nestedOf(snapshot, names.length);
    let bits = 0;
    const steps: ReadStep[] = names.map((name, i) => {
      const written = nested[i] as SerializerSnapshot;
      const gated = version === 2 && written.typeId === NULLABLE_TYPE_ID;
      const bit = gated ? bits++ : -1;
      const valueSnapshot = gated ? (nestedOf(written, 1)[0] as SerializerSnapshot) : written;
      const target = this.indexByName.get(name);
      if (target === undefined) {
        const read = inNested(`removed field "${name}" of a row`, () =>
          this.restoreReader(valueSnapshot),
        );
        return { target: -1, bit, read };
      }
      const field = this.plan[target] as FieldPlan;
      if (gated && field.inner === undefined) {
        throw incompatible(
          this.typeId,
          snapshot,
          `field "${name}" was nullable and is now declared not nullable; declare it ` +
            'Types.nullable(...) to read this state',
        );
      }
      const read = inNested(`field "${name}" of a row`, () =>
        gated
          ? (field.inner as TypeSerializer<unknown>).readerFor(valueSnapshot)
          : field.serializer.readerFor(written),
      );
      return { target, bit, read };
    });
    const written = new Set(names);
    for (const field of this.plan) {
      if (!written.has(field.name) && field.inner === undefined) {
        throw incompatible(
          this.typeId,
          snapshot,
          `field "${field.name}" was added and is not nullable, so older state has no value for ` +
            'it; declare it Types.nullable(...) to read it as null',
        );
      }
    }
    const bitmapBytes = version === 2 ? Math.ceil(bits / 8) : 0;
    return (input: DataInput) => {
      const bitmap = readBitmap(input, bitmapBytes, bits);
      const values: unknown[] = this.plan.map(() => null);
      for (const step of steps) {
        const value = step.bit >= 0 && !isSet(bitmap, step.bit) ? null : step.read(input);
        if (step.target >= 0) values[step.target] = value;
      }
      const row: Record<string, unknown> = {};
      this.plan.forEach((field, i) => {
        row[field.name] = values[i];
      });
      return row as TRow;
    };
  }
}

/** The field names a row snapshot records (`params.fields`), validated. */
export function rowFieldNames(snapshot: SerializerSnapshot): readonly string[] {
  const fields = snapshot.params?.['fields'];
  if (
    !Array.isArray(fields) ||
    !fields.every((name): name is string => typeof name === 'string' && name !== '__proto__') ||
    new Set(fields).size !== fields.length
  ) {
    throw corrupt('a row snapshot does not list its field names as unique strings');
  }
  return fields;
}

const EMPTY_BITMAP = new Uint8Array(0);

function readBitmap(input: DataInput, bytes: number, bits: number): Uint8Array {
  if (bytes === 0) return EMPTY_BITMAP;
  const bitmap = input.readRaw(bytes);
  const unused = bits % 8;
  if (unused !== 0 && (bitmap[bytes - 1] as number) >> unused !== 0) {
    throw corrupt('a row presence bitmap has bits set beyond its nullable fields');
  }
  return bitmap;
}

function isSet(bitmap: Uint8Array, bit: number): boolean {
  return (((bitmap[bit >> 3] as number) >> (bit & 7)) & 1) === 1;
}
