/** Arrays: a varint count, then the elements. */
import type { DataInput, DataOutput } from './data-view.js';
import {
  atPath,
  describeValue,
  inNested,
  mayEncodeEmpty,
  nestedOf,
  readCount,
  readerOfVersion,
  type ValueReader,
} from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/** Serializer of `T[]` (`sluice.array`, version 1): varint count + elements. */
export class ArraySerializer<T> implements TypeSerializer<T[]> {
  readonly typeId = 'sluice.array';
  readonly version = 1;
  private readonly elementsMayBeEmpty: boolean;

  /** @param element - serializer of the elements. */
  constructor(readonly element: TypeSerializer<T>) {
    this.elementsMayBeEmpty = mayEncodeEmpty(element.snapshot());
  }

  serialize(value: T[], out: DataOutput): void {
    if (!Array.isArray(value)) {
      throw new TypeError(`sluice.array expects an array, got ${describeValue(value)}`);
    }
    out.writeVarUint(value.length);
    for (let i = 0; i < value.length; i++) {
      try {
        this.element.serialize(value[i] as T, out);
      } catch (error) {
        throw atPath(`[${i}]`, error);
      }
    }
  }

  deserialize(input: DataInput): T[] {
    return readArray(input, this.elementsMayBeEmpty, (i) => this.element.deserialize(i));
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version, nested: [this.element.snapshot()] };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<T[]> {
    return readerOfVersion(this, snapshot, {
      1: () => {
        const [elementSnapshot] = nestedOf(snapshot, 1) as [SerializerSnapshot];
        const readElement = inNested('the elements of an array', () =>
          this.element.readerFor(elementSnapshot),
        );
        const mayBeEmpty = mayEncodeEmpty(elementSnapshot);
        return (input: DataInput) => readArray(input, mayBeEmpty, readElement);
      },
    });
  }
}

function readArray<T>(input: DataInput, mayBeEmpty: boolean, readElement: ValueReader<T>): T[] {
  const count = readCount(input, mayBeEmpty);
  const result: T[] = [];
  for (let i = 0; i < count; i++) result.push(readElement(input));
  return result;
}
