import { describe, expect, it } from 'vitest';
import { DataInput } from './data-view.js';
import { restoreReader, restoreSerializer } from './restore-serializer.js';
import { serializeToBytes } from './serialized-value.js';
import type { JsonValue } from './json-value-serializer.js';
import { Types } from './types.js';

describe('restoreSerializer', () => {
  it('rebuilds a serializer of the same format from a snapshot alone', () => {
    const info = Types.row({
      a: Types.map(Types.string(), Types.array(Types.nullable(Types.int64()))),
      b: Types.tuple(Types.json(), Types.bytes()),
    });
    const serializer = info.createSerializer();
    const restored = restoreSerializer(serializer.snapshot());
    expect(restored.snapshot()).toStrictEqual(serializer.snapshot());
    const value = {
      a: new Map([['k', [1n, null]]]),
      b: [{ x: 1 }, Uint8Array.of(1)] as [JsonValue, Uint8Array],
    };
    const bytes = serializeToBytes(serializer, value);
    expect(restoreReader(serializer.snapshot())(new DataInput(bytes))).toStrictEqual(value);
  });

  it.each([
    ['a plugin type', { typeId: 'acme.point', version: 1 }, 'STATE_INCOMPATIBLE'],
    [
      'a nullable with no nested snapshot',
      { typeId: 'sluice.nullable', version: 1 },
      'STATE_CORRUPT',
    ],
    [
      'a row with no field names',
      { typeId: 'sluice.row', version: 2, nested: [] },
      'STATE_CORRUPT',
    ],
  ])('rejects %s', (_, snapshot, code) => {
    expect(() => restoreReader(snapshot)).toThrow(expect.objectContaining({ code }));
  });
});
