/** Numbers as IEEE-754 doubles: every `number` round-trips, including `-0`, `NaN` and infinities. */
import type { DataInput, DataOutput } from './data-view.js';
import { describeValue, leafReaderFor, type ValueReader } from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/** Serializer of `number` (`sluice.float64`, version 1): 8 bytes, big-endian IEEE-754. */
export class Float64Serializer implements TypeSerializer<number> {
  readonly typeId = 'sluice.float64';
  readonly version = 1;

  serialize(value: number, out: DataOutput): void {
    if (typeof value !== 'number') {
      throw new TypeError(`sluice.float64 expects a number, got ${describeValue(value)}`);
    }
    out.writeFloat64(value);
  }

  deserialize(input: DataInput): number {
    return input.readFloat64();
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<number> {
    return leafReaderFor(this, snapshot);
  }
}
