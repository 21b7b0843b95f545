/** Arrays: a varint count, then the elements. */
import type { DataInput, DataOutput } from './data-view.js';
import {
  atPath,
  type EncodedWidth,
  describeValue,
  inNested,
  encodedWidth,
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
  private readonly elementWidth: EncodedWidth;

  /** @param element - serializer of the elements. */
  constructor(readonly element: TypeSerializer<T>) {
    this.elementWidth = encodedWidth([element.snapshot()]);
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
    return readArray(input, this.elementWidth, (i) => this.element.deserialize(i));
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
        const width = encodedWidth([elementSnapshot]);
        return (input: DataInput) => readArray(input, width, readElement);
      },
    });
  }
}

function readArray<T>(input: DataInput, width: EncodedWidth, readElement: ValueReader<T>): T[] {
  const count = readCount(input, width);
  const result: T[] = [];
  for (let i = 0; i < count; i++) result.push(readElement(input));
  return result;
}
