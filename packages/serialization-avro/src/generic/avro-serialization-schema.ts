import type { Type } from 'avsc';
import type { SerializationSchema } from '@sluice/core';
import { encodeValue } from '../internal/decode.js';
import { parseUserSchema } from '../schema/avro-schema.js';
import type { AvroSchema, AvroTypeOptions } from '../schema/avro-schema.js';
import type { AvroRecord } from './avro-deserialization-schema.js';

/**
 * Writes records as raw Avro binary (no header, no schema id). A record that does not match the
 * schema fails with `SERDE_AVRO_INVALID_VALUE` naming the field path, expected type and found value.
 */
export class AvroSerializationSchema<TRecord = AvroRecord> implements SerializationSchema<TRecord> {
  private constructor(private readonly type: Type) {}

  /** A serializer for records of `schema`. */
  static forGeneric<TRecord = AvroRecord>(schema: AvroSchema, options: AvroTypeOptions = {}): AvroSerializationSchema<TRecord> {
    return new AvroSerializationSchema<TRecord>(parseUserSchema(schema, 'schema', options));
  }

  /** Encodes one record. */
  serialize(element: TRecord): Uint8Array {
    return encodeValue(this.type, element);
  }
}
