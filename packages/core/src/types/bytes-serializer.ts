/** Byte arrays as a varint length and the raw bytes. */
import type { DataInput, DataOutput } from './data-view.js';
import { describeValue, leafReaderFor, type ValueReader } from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/**
 * Serializer of `Uint8Array` (`sluice.bytes`, version 1): varint length + bytes. Accepts any
 * `Uint8Array` (a Node `Buffer` too) and reads back a plain `Uint8Array` that owns its memory.
 */
export class BytesSerializer implements TypeSerializer<Uint8Array> {
  readonly typeId = 'sluice.bytes';
  readonly version = 1;

  serialize(value: Uint8Array, out: DataOutput): void {
    if (!(value instanceof Uint8Array)) {
      throw new TypeError(`sluice.bytes expects a Uint8Array, got ${describeValue(value)}`);
    }
    out.writeBytes(value);
  }

  deserialize(input: DataInput): Uint8Array {
    const bytes = input.readBytes();
    // A DataInput over a Node Buffer hands out Buffer views (Buffer#slice shares memory): copy those.
    return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes);
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<Uint8Array> {
    return leafReaderFor(this, snapshot);
  }
}
