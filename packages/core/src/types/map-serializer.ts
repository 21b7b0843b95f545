/** Maps: a varint count, then key/value pairs in the map's iteration order. */
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

/**
 * Serializer of `Map<K, V>` (`sluice.map`, version 1): varint count + (key, value) pairs in
 * insertion order, which is kept on read.
 */
export class MapSerializer<K, V> implements TypeSerializer<Map<K, V>> {
  readonly typeId = 'sluice.map';
  readonly version = 1;
  private readonly entryWidth: EncodedWidth;

  /**
   * @param key - serializer of the keys.
   * @param value - serializer of the values.
   */
  constructor(
    readonly key: TypeSerializer<K>,
    readonly value: TypeSerializer<V>,
  ) {
    this.entryWidth = encodedWidth([key.snapshot(), value.snapshot()]);
  }

  serialize(map: Map<K, V>, out: DataOutput): void {
    if (!(map instanceof Map)) {
      throw new TypeError(`sluice.map expects a Map, got ${describeValue(map)}`);
    }
    out.writeVarUint(map.size);
    let i = 0;
    for (const [k, v] of map) {
      try {
        this.key.serialize(k, out);
      } catch (error) {
        throw atPath(`key #${i}`, error);
      }
      try {
        this.value.serialize(v, out);
      } catch (error) {
        throw atPath(`value #${i}`, error);
      }
      i++;
    }
  }

  deserialize(input: DataInput): Map<K, V> {
    return readMap(input, this.entryWidth, [
      (i) => this.key.deserialize(i),
      (i) => this.value.deserialize(i),
    ]);
  }

  snapshot(): SerializerSnapshot {
    return {
      typeId: this.typeId,
      version: this.version,
      nested: [this.key.snapshot(), this.value.snapshot()],
    };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<Map<K, V>> {
    return readerOfVersion(this, snapshot, {
      1: () => {
        const [keySnapshot, valueSnapshot] = nestedOf(snapshot, 2) as [
          SerializerSnapshot,
          SerializerSnapshot,
        ];
        const readKey = inNested('the keys of a map', () => this.key.readerFor(keySnapshot));
        const readValue = inNested('the values of a map', () =>
          this.value.readerFor(valueSnapshot),
        );
        const width = encodedWidth([keySnapshot, valueSnapshot]);
        return (input: DataInput) => readMap(input, width, [readKey, readValue]);
      },
    });
  }
}

function readMap<K, V>(
  input: DataInput,
  width: EncodedWidth,
  [readKey, readValue]: readonly [ValueReader<K>, ValueReader<V>],
): Map<K, V> {
  const count = readCount(input, width);
  const map = new Map<K, V>();
  for (let i = 0; i < count; i++) {
    const key = readKey(input);
    map.set(key, readValue(input));
  }
  return map;
}
