/** Booleans as one byte. */
import type { DataInput, DataOutput } from './data-view.js';
import { describeValue, leafReaderFor, type ValueReader } from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/** Serializer of `boolean` (`sluice.boolean`, version 1): one byte, 0 or 1. */
export class BooleanSerializer implements TypeSerializer<boolean> {
  readonly typeId = 'sluice.boolean';
  readonly version = 1;

  serialize(value: boolean, out: DataOutput): void {
    if (typeof value !== 'boolean') {
      throw new TypeError(`sluice.boolean expects a boolean, got ${describeValue(value)}`);
    }
    out.writeBoolean(value);
  }

  deserialize(input: DataInput): boolean {
    return input.readBoolean();
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<boolean> {
    return leafReaderFor(this, snapshot);
  }
}
