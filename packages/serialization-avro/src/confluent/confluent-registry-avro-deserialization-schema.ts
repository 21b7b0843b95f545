import type { Type } from 'avsc';
import type { DeserializationSchema, TypeInformation } from '@sluice/core';
import { AvroErrorCode, AvroSerdeError } from '../errors.js';
import type { AvroRecord } from '../generic/avro-deserialization-schema.js';
import { AvroBodyDecoder, createResolver } from '../internal/decode.js';
import { avroTypeInfo } from '../internal/type-info.js';
import { LruCache } from '../registry/lru-cache.js';
import type { SchemaRegistryClient } from '../registry/schema-registry-client.js';
import { parseUserSchema, toAvscType } from '../schema/avro-schema.js';
import type { AvroSchema, AvroTypeOptions } from '../schema/avro-schema.js';
import { toClient } from './registry-option.js';
import type { SchemaRegistryOption } from './registry-option.js';
import { HEADER_LENGTH, readSchemaId } from './wire-format.js';

/** Options of {@link ConfluentRegistryAvroDeserializationSchema.forGeneric}. */
export interface ConfluentRegistryAvroDeserializationOptions extends AvroTypeOptions {
  /**
   * How many writer schemas (by id) are kept (Flink's `identityMapCapacity`); least recently used
   * ones are dropped and fetched again when needed.
   * @defaultValue 1000
   */
  readonly identityMapCapacity?: number;
}

/**
 * Reads Confluent wire-format Avro (Flink's `ConfluentRegistryAvroDeserializationSchema`): checks
 * the magic byte, fetches the writer schema by id from the registry (cached), and resolves it to
 * the reader schema. `deserialize` returns a promise only when a schema must be fetched.
 *
 * ```ts
 * const schema = ConfluentRegistryAvroDeserializationSchema.forGeneric(readerSchema, 'http://127.0.0.1:8081');
 * const record = await schema.deserialize(message);
 * ```
 */
export class ConfluentRegistryAvroDeserializationSchema<TRecord = AvroRecord> implements DeserializationSchema<TRecord> {
  /** Type of the produced records (the reader schema's). */
  readonly producedType: TypeInformation<TRecord>;
  /** The registry client (shared or created from the URL). */
  readonly registry: SchemaRegistryClient;
  private readonly decoders: LruCache<number, AvroBodyDecoder>;

  private constructor(
    private readonly reader: Type,
    registry: SchemaRegistryClient,
    private readonly options: ConfluentRegistryAvroDeserializationOptions,
  ) {
    this.registry = registry;
    this.decoders = new LruCache(options.identityMapCapacity ?? 1000);
    this.producedType = avroTypeInfo<TRecord>(reader, options);
  }

  /** A deserializer resolving every writer schema to `readerSchema`. */
  static forGeneric<TRecord = AvroRecord>(
    readerSchema: AvroSchema,
    registry: SchemaRegistryOption,
    options: ConfluentRegistryAvroDeserializationOptions = {},
  ): ConfluentRegistryAvroDeserializationSchema<TRecord> {
    const reader = parseUserSchema(readerSchema, 'readerSchema', options);
    return new ConfluentRegistryAvroDeserializationSchema<TRecord>(reader, toClient(registry, options.identityMapCapacity), options);
  }

  /** Decodes one wire-format message. */
  deserialize(message: Uint8Array): TRecord | Promise<TRecord> {
    const id = readSchemaId(message);
    const decoder = this.decoders.get(id);
    if (decoder !== undefined) return decoder.decode(message) as TRecord;
    return this.loadWriter(id).then((loaded) => loaded.decode(message) as TRecord);
  }

  /** Always false. */
  isEndOfStream(): boolean {
    return false;
  }

  /** The decoder for writer schema `id` (resolving it to the reader schema), fetched and cached. */
  private async loadWriter(id: number): Promise<AvroBodyDecoder> {
    const text = await this.registry.getSchemaById(id);
    let type: Type;
    try {
      type = toAvscType(text, this.options);
    } catch (error) {
      throw new AvroSerdeError(
        `Schema id ${id} from the schema registry at ${this.registry.url} is not a valid Avro schema: ${error instanceof Error ? error.message : String(error)}.`,
        { code: AvroErrorCode.SERDE_INVALID_SCHEMA, schemaId: id, registryUrl: this.registry.url, cause: error },
      );
    }
    const context = { schemaId: id, registryUrl: this.registry.url };
    const decoder = new AvroBodyDecoder({
      type: this.reader,
      resolver: createResolver(this.reader, type, context),
      offset: HEADER_LENGTH,
      what: `the Avro body (writer schema id ${id})`,
      context,
    });
    this.decoders.set(id, decoder);
    return decoder;
  }
}
