/**
 * Records as the binary form of a {@link TypeInformation}'s serializer (Flink's
 * `TypeInformationSerializationSchema`), for Sluice jobs that exchange records with each other.
 */
import { ConfigError, CoreErrorCode, SerdeError } from '../errors.js';
import { deserializeFromBytes, serializeToBytes } from '../types/serialized-value.js';
import type { TypeInformation } from '../types/type-information.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import type { DeserializationSchema, SerializationSchema } from './serialization-schema.js';

/**
 * Writes each record with `type.createSerializer()` and reads it back the same way. Messages carry
 * no snapshot or version header (like Flink's), so producer and consumer must use the same type
 * and a Sluice release with the same serializer format versions; for data that outlives a
 * release, use a self-describing format (JSON, Avro) instead.
 *
 * Errors: a message that cannot be read (truncated, trailing bytes, invalid values) throws a
 * `SerdeError` with code `SERDE_CORRUPT_RECORD`; a record that does not match the type throws
 * one with `SERDE_SERIALIZE_FAILED`. Both keep the original error as `cause`.
 *
 * ```ts
 * const schema = new TypeInformationSerializationSchema(
 *   Types.row({ id: Types.safeInteger(), name: Types.string() }),
 * );
 * ```
 */
export class TypeInformationSerializationSchema<TRecord>
  implements DeserializationSchema<TRecord>, SerializationSchema<TRecord>
{
  /** The type of the records. */
  readonly producedType: TypeInformation<TRecord>;
  private readonly serializer: TypeSerializer<TRecord>;

  /** @param type - the records' type, e.g. `Types.row({...})`. */
  constructor(type: TypeInformation<TRecord>) {
    if (
      typeof (type as Partial<TypeInformation<TRecord>> | null)?.createSerializer !== 'function'
    ) {
      throw new ConfigError(
        `TypeInformationSerializationSchema takes a TypeInformation (e.g. Types.string()), got ${String(type)}.`,
        { option: 'type' },
      );
    }
    this.producedType = type;
    this.serializer = type.createSerializer();
  }

  /** Decodes one message; bytes not written with this type throw `SERDE_CORRUPT_RECORD`. */
  deserialize(message: Uint8Array): TRecord {
    try {
      return deserializeFromBytes(this.serializer, message);
    } catch (error) {
      throw new SerdeError(
        `A ${message.length}-byte message could not be read as ${this.producedType.name}: ` +
          `${error instanceof Error ? error.message : String(error)} Check that the producer ` +
          'writes with TypeInformationSerializationSchema of the same type, or wrap the schema and ' +
          'return null from deserialize to skip such records.',
        { code: CoreErrorCode.SERDE_CORRUPT_RECORD, cause: error },
      );
    }
  }

  /** Always false: no record ends the stream. */
  isEndOfStream(_nextElement: TRecord | null): boolean {
    return false;
  }

  /** Encodes one record; a record that does not match the type throws `SERDE_SERIALIZE_FAILED`. */
  serialize(element: TRecord): Uint8Array {
    try {
      return serializeToBytes(this.serializer, element);
    } catch (error) {
      throw new SerdeError(
        `A record could not be serialized as ${this.producedType.name}: ` +
          `${error instanceof Error ? error.message : String(error)}. Make the records match the ` +
          'declared type.',
        { code: CoreErrorCode.SERDE_SERIALIZE_FAILED, cause: error },
      );
    }
  }
}
