/** Fixed-length tuples: the elements one after another, with no count. */
import type { DataInput, DataOutput } from './data-view.js';
import {
  atPath,
  describeValue,
  incompatible,
  inNested,
  readerOfVersion,
  type ValueReader,
} from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/**
 * Serializer of a fixed-length tuple such as `[string, number]` (`sluice.tuple`, version 1): each
 * element with its own serializer, in order. Reading state written with another arity is
 * `STATE_INCOMPATIBLE`; elements may change type only in the ways their serializers allow
 * (e.g. `T` to `T | null`).
 */
export class TupleSerializer<TTuple extends unknown[]> implements TypeSerializer<TTuple> {
  readonly typeId = 'sluice.tuple';
  readonly version = 1;

  /** @param elements - serializer of each position. */
  constructor(readonly elements: readonly TypeSerializer<unknown>[]) {}

  serialize(value: TTuple, out: DataOutput): void {
    if (!Array.isArray(value)) {
      throw new TypeError(`sluice.tuple expects an array, got ${describeValue(value)}`);
    }
    if (value.length !== this.elements.length) {
      throw new TypeError(
        `sluice.tuple expects ${this.elements.length} elements, got an array of ${value.length}`,
      );
    }
    for (let i = 0; i < this.elements.length; i++) {
      try {
        (this.elements[i] as TypeSerializer<unknown>).serialize(value[i], out);
      } catch (error) {
        throw atPath(`[${i}]`, error);
      }
    }
  }

  deserialize(input: DataInput): TTuple {
    return this.elements.map((element) => element.deserialize(input)) as TTuple;
  }

  snapshot(): SerializerSnapshot {
    return {
      typeId: this.typeId,
      version: this.version,
      nested: this.elements.map((element) => element.snapshot()),
    };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<TTuple> {
    return readerOfVersion(this, snapshot, {
      1: () => {
        const nested = snapshot.nested ?? [];
        if (nested.length !== this.elements.length) {
          throw incompatible(
            this.typeId,
            snapshot,
            `it has ${nested.length} elements, this tuple has ${this.elements.length}`,
          );
        }
        const readers = this.elements.map((element, i) =>
          inNested(`tuple element ${i}`, () => element.readerFor(nested[i] as SerializerSnapshot)),
        );
        return (input: DataInput) => readers.map((read) => read(input)) as TTuple;
      },
    });
  }
}
