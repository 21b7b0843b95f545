/** Nullable values: a presence byte, then the value. */
import type { DataInput, DataOutput } from './data-view.js';
import {
  corrupt,
  inNested,
  nestedOf,
  readerOfVersion,
  type ValueReader,
} from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/**
 * Serializer of `T | null` (`sluice.nullable`, version 1): byte 0 for null, or byte 1 followed by
 * the value. `undefined` is written as null and so reads back as `null`.
 *
 * Reading state written by the plain (non-nullable) serializer of the same inner type is allowed:
 * making a type nullable is a compatible change.
 */
export class NullableSerializer<T> implements TypeSerializer<T | null> {
  readonly typeId = 'sluice.nullable';
  readonly version = 1;

  /** @param inner - serializer of the non-null values. */
  constructor(readonly inner: TypeSerializer<T>) {}

  serialize(value: T | null, out: DataOutput): void {
    if (value === null || value === undefined) {
      out.writeUint8(0);
      return;
    }
    out.writeUint8(1);
    this.inner.serialize(value, out);
  }

  deserialize(input: DataInput): T | null {
    return readPresence(input) ? this.inner.deserialize(input) : null;
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version, nested: [this.inner.snapshot()] };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<T | null> {
    if (snapshot.typeId !== this.typeId) {
      return inNested('the value of a nullable type', () => this.inner.readerFor(snapshot));
    }
    return readerOfVersion(this, snapshot, {
      1: () => {
        const [innerSnapshot] = nestedOf(snapshot, 1) as [SerializerSnapshot];
        const readInner = inNested('the value of a nullable type', () =>
          this.inner.readerFor(innerSnapshot),
        );
        return (input: DataInput) => (readPresence(input) ? readInner(input) : null);
      },
    });
  }
}

function readPresence(input: DataInput): boolean {
  const byte = input.readUint8();
  if (byte > 1) throw corrupt(`a null marker byte is ${byte}, expected 0 or 1`);
  return byte === 1;
}
