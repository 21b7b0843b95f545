import type { Type } from 'avsc';
import { CoreErrorCode, StateError } from '@sluice/core';
import type { DataInput, DataOutput, SerializerSnapshot, TypeInformation, TypeSerializer } from '@sluice/core';
import { schemaText } from '../schema/avro-schema.js';
import { decodeBody, encodeValue } from './decode.js';

const TYPE_ID = 'sluice.serialization-avro.record';
const VERSION = 1;

/**
 * The `TypeInformation` of records of an Avro schema: state stores each record as its Avro binary
 * (length-prefixed), with the schema text in the snapshot (format v1).
 */
export function avroTypeInfo<T>(type: Type): TypeInformation<T> {
  const snapshot: SerializerSnapshot = { typeId: TYPE_ID, version: VERSION, params: { schema: schemaText(type) } };
  const read = (input: DataInput): T => decodeBody(input.readBytes(), { type }) as T;
  const serializer: TypeSerializer<T> = {
    typeId: TYPE_ID,
    version: VERSION,
    serialize(value: T, out: DataOutput): void {
      out.writeBytes(encodeValue(type, value));
    },
    deserialize: read,
    snapshot: () => snapshot,
    readerFor(other: SerializerSnapshot) {
      if (other.typeId !== TYPE_ID) {
        throw new StateError(`State was written by serializer ${other.typeId}, which ${TYPE_ID} cannot read.`, {
          code: CoreErrorCode.STATE_INCOMPATIBLE,
        });
      }
      if (other.version > VERSION) {
        throw new StateError(`State was written by ${TYPE_ID} version ${other.version}; this release reads up to version ${VERSION}.`, {
          code: CoreErrorCode.STATE_UNKNOWN_VERSION,
        });
      }
      return read;
    },
  };
  return { name: `avro<${type.name ?? type.typeName}>`, createSerializer: () => serializer };
}
