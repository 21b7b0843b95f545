import type { Type } from 'avsc';
import type { DeserializationSchema, TypeInformation } from '@sluice/core';
import { AvroBodyDecoder, createResolver } from '../internal/decode.js';
import { avroTypeInfo } from '../internal/type-info.js';
import { parseUserSchema } from '../schema/avro-schema.js';
import type { AvroSchema, AvroTypeOptions } from '../schema/avro-schema.js';

/** A generic Avro record: field name → value (see the README for the value mapping). */
export type AvroRecord = Record<string, unknown>;

/** Options of {@link AvroDeserializationSchema.forGeneric}. */
export interface AvroDeserializationOptions extends AvroTypeOptions {
  /**
   * The schema the bytes were written with, when it differs from the reader schema: values are
   * then converted by Avro schema resolution (added fields take their defaults, removed fields are
   * skipped, ints widen to longs, ...). An unresolvable pair fails at build with `SERDE_SCHEMA_RESOLUTION`.
   * @defaultValue the reader schema (reader = writer, as in Flink)
   */
  readonly writerSchema?: AvroSchema;
}

/**
 * Reads raw Avro binary (no header, no schema id) with a given schema (Flink's
 * `AvroDeserializationSchema`). `forGeneric` produces plain records; declare the record's
 * TypeScript type as the type parameter to get typed records (Flink's `forSpecific`).
 *
 * ```ts
 * interface User { id: number; name: string }
 * const schema = AvroDeserializationSchema.forGeneric<User>(userSchemaJson);
 * ```
 */
export class AvroDeserializationSchema<TRecord = AvroRecord> implements DeserializationSchema<TRecord> {
  /** Type of the produced records. */
  readonly producedType: TypeInformation<TRecord>;
  private readonly decoder: AvroBodyDecoder;

  private constructor(type: Type, writer: Type | undefined, options: AvroTypeOptions) {
    this.decoder = new AvroBodyDecoder({ type, resolver: writer === undefined ? undefined : createResolver(type, writer) });
    this.producedType = avroTypeInfo<TRecord>(type, options);
  }

  /** A deserializer for records of `schema` (the reader schema). */
  static forGeneric<TRecord = AvroRecord>(
    schema: AvroSchema,
    options: AvroDeserializationOptions = {},
  ): AvroDeserializationSchema<TRecord> {
    const reader = parseUserSchema(schema, 'schema', options);
    const writer = options.writerSchema === undefined ? undefined : parseUserSchema(options.writerSchema, 'writerSchema', options);
    return new AvroDeserializationSchema<TRecord>(reader, writer, options);
  }

  /** Decodes one message; `SERDE_AVRO_CORRUPT` for truncated or corrupt bytes. */
  deserialize(message: Uint8Array): TRecord {
    return this.decoder.decode(message) as TRecord;
  }

  /** Always false. */
  isEndOfStream(): boolean {
    return false;
  }
}
