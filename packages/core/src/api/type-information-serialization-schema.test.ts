import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerdeError } from '../errors.js';
import { Types } from '../types/types.js';
import { TypeInformationSerializationSchema } from './type-information-serialization-schema.js';

const type = Types.row({ id: Types.safeInteger(), name: Types.nullable(Types.string()) });

describe('TypeInformationSerializationSchema', () => {
  const schema = new TypeInformationSerializationSchema(type);

  it('round-trips records with the type serializer and produces the type', () => {
    fc.assert(
      fc.property(
        fc.record({ id: fc.maxSafeInteger(), name: fc.option(fc.string(), { nil: null }) }),
        (record) => {
          expect(schema.deserialize(schema.serialize(record))).toStrictEqual(record);
        },
      ),
    );
    expect(schema.producedType).toBe(type);
    expect(schema.isEndOfStream(null)).toBe(false);
  });

  it.each([
    ['truncated bytes', Uint8Array.of(1)],
    ['trailing bytes', Uint8Array.of(0, 2, 9)],
    ['an invalid bitmap', Uint8Array.of(0xff, 2)],
  ])('wraps %s as SERDE_CORRUPT_RECORD with the cause', (_, bytes) => {
    const read = () => schema.deserialize(bytes);
    expect(read).toThrow(SerdeError);
    expect(read).toThrow(
      expect.objectContaining({
        code: 'SERDE_CORRUPT_RECORD',
        cause: expect.objectContaining({ code: 'STATE_CORRUPT' }),
        message: expect.stringMatching(
          /could not be read as row<id: safe-integer, name: string\?>.*return null/,
        ),
      }),
    );
  });

  it('wraps a record that does not match as SERDE_SERIALIZE_FAILED with the cause', () => {
    expect(() => schema.serialize({ id: 1.5, name: null })).toThrow(
      expect.objectContaining({
        code: 'SERDE_SERIALIZE_FAILED',
        cause: expect.any(RangeError),
        message: expect.stringMatching(/\.id: sluice.safe-integer expects/),
      }),
    );
  });

  it('rejects a missing type with CONFIG_INVALID', () => {
    expect(() => new TypeInformationSerializationSchema(undefined as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', option: 'type' }),
    );
  });
});
