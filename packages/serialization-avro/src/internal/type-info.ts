import type { Type } from 'avsc';
import { CoreErrorCode, StateError } from '@sluice/core';
import type { DataInput, DataOutput, SerializerSnapshot, TypeInformation, TypeSerializer } from '@sluice/core';
import { schemaText, toAvscType } from '../schema/avro-schema.js';
import type { AvroTypeOptions } from '../schema/avro-schema.js';
import { AvroBodyDecoder, createResolver, encodeValue } from './decode.js';

const TYPE_ID = 'sluice.serialization-avro.record';
const VERSION = 1;

/**
 * The `TypeInformation` of records of an Avro schema: state stores each record as its Avro binary
 * (length-prefixed), with the schema text in the snapshot (format v1). State written under an
 * older schema is read through Avro schema resolution.
 */
export function avroTypeInfo<T>(type: Type, options: AvroTypeOptions = {}): TypeInformation<T> {
  const text = schemaText(type);
  const snapshot: SerializerSnapshot = { typeId: TYPE_ID, version: VERSION, params: { schema: text } };
  const reader = (decoder: AvroBodyDecoder) => (input: DataInput): T => decoder.decode(input.readBytes()) as T;
  const read = reader(new AvroBodyDecoder({ type }));
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
      const written = other.params?.['schema'];
      if (typeof written !== 'string' || written === text) return read;
      let writer: Type;
      try {
        writer = toAvscType(written, options);
      } catch (error) {
        throw new StateError(`State was written with an Avro schema this release cannot parse: ${String(error)}.`, {
          code: CoreErrorCode.STATE_INCOMPATIBLE,
          cause: error,
        });
      }
      let resolver: ReturnType<typeof createResolver>;
      try {
        resolver = createResolver(type, writer);
      } catch (error) {
        throw new StateError(`State written with schema ${writer.name ?? writer.typeName} cannot be read with the current schema: ${(error as Error).message}`, {
          code: CoreErrorCode.STATE_INCOMPATIBLE,
          cause: error,
        });
      }
      return reader(new AvroBodyDecoder({ type, resolver }));
    },
  };
  return { name: `avro<${type.name ?? type.typeName}>`, createSerializer: () => serializer };
}
