import type { Type } from 'avsc';
import type { SerializationSchema } from '@sluice/core';
import { ConfigError } from '@sluice/core';
import type { AvroRecord } from '../generic/avro-deserialization-schema.js';
import { encodeValue } from '../internal/decode.js';
import type { SchemaRegistryClient } from '../registry/schema-registry-client.js';
import { parseUserSchema } from '../schema/avro-schema.js';
import type { AvroSchema, AvroTypeOptions } from '../schema/avro-schema.js';
import { toClient } from './registry-option.js';
import type { SchemaRegistryOption } from './registry-option.js';
import { subjectName } from './subject-name-strategy.js';
import type { SubjectNameStrategy } from './subject-name-strategy.js';
import { wireHeader } from './wire-format.js';

/** Options of {@link ConfluentRegistryAvroSerializationSchema.forGeneric}. */
export interface ConfluentRegistryAvroSerializationOptions extends AvroTypeOptions {
  /**
   * The topic written to (needed by the `topic` and `topic-record` strategies).
   * @defaultValue undefined
   */
  readonly topic?: string;
  /**
   * How the subject is named.
   * @defaultValue 'topic'
   */
  readonly subjectNameStrategy?: SubjectNameStrategy;
  /**
   * Whether this schema writes record keys (subject `<topic>-key`) rather than values.
   * @defaultValue false
   */
  readonly isKey?: boolean;
  /**
   * Register the schema if the subject lacks it. Off by default: production registries are usually
   * managed, and the schema is then only looked up (`SERDE_SCHEMA_NOT_REGISTERED` if absent).
   * @defaultValue false
   */
  readonly autoRegister?: boolean;
  /**
   * Use this schema id and skip the registry entirely.
   * @defaultValue undefined (looked up or registered in `open()`)
   */
  readonly schemaId?: number;
}

/**
 * Writes records in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro
 * body). The schema id is looked up (or, with `autoRegister`, registered) once in `open()`, so
 * `serialize` stays synchronous; the sink calls `open()` before the first record.
 *
 * ```ts
 * const schema = ConfluentRegistryAvroSerializationSchema.forGeneric(userSchema, registryUrl, { topic: 'users' });
 * await schema.open();
 * const bytes = schema.serialize({ id: 1, name: 'a' });
 * ```
 */
export class ConfluentRegistryAvroSerializationSchema<TRecord = AvroRecord> implements SerializationSchema<TRecord> {
  /** The registry subject this schema is registered under. */
  readonly subject: string;
  /** The registry client. */
  readonly registry: SchemaRegistryClient;
  private schemaId: number | undefined;
  /** The wire-format header, once the schema id is known. */
  private header: Buffer | undefined;

  private constructor(
    private readonly type: Type,
    registry: SchemaRegistryClient,
    private readonly options: ConfluentRegistryAvroSerializationOptions & { readonly schemaText: string },
  ) {
    this.registry = registry;
    this.subject = subjectName(type, {
      strategy: options.subjectNameStrategy ?? 'topic',
      topic: options.topic,
      isKey: options.isKey ?? false,
    });
    this.schemaId = options.schemaId;
    this.header = options.schemaId === undefined ? undefined : wireHeader(options.schemaId);
  }

  /** A wire-format serializer for records of `schema`. */
  static forGeneric<TRecord = AvroRecord>(
    schema: AvroSchema,
    registry: SchemaRegistryOption,
    options: ConfluentRegistryAvroSerializationOptions = {},
  ): ConfluentRegistryAvroSerializationSchema<TRecord> {
    if (options.schemaId !== undefined && (!Number.isInteger(options.schemaId) || options.schemaId < 0 || options.schemaId > 0x7fffffff)) {
      throw new ConfigError(`Option schemaId must be an int32 ≥ 0, got ${String(options.schemaId)}.`, { option: 'schemaId' });
    }
    const type = parseUserSchema(schema, 'schema', options);
    // The registry gets the schema text as the user wrote it (what an out-of-band registration used).
    const schemaText = typeof schema === 'string' ? schema : JSON.stringify(schema);
    return new ConfluentRegistryAvroSerializationSchema<TRecord>(type, toClient(registry, undefined), { ...options, schemaText });
  }

  /**
   * Looks up (or registers) the schema id; call once before `serialize`. The schema is sent as
   * given (text as is, objects through `JSON.stringify`).
   */
  async open(): Promise<void> {
    if (this.schemaId !== undefined) return;
    const text = this.options.schemaText;
    this.schemaId =
      this.options.autoRegister === true
        ? await this.registry.register(this.subject, text)
        : (await this.registry.lookup(this.subject, text)).id;
    this.header = wireHeader(this.schemaId);
  }

  /** The schema id written into each message, once known. */
  get id(): number | undefined {
    return this.schemaId;
  }

  /** Encodes one record in the wire format. */
  serialize(element: TRecord): Uint8Array {
    if (this.header === undefined) {
      throw new ConfigError(
        `ConfluentRegistryAvroSerializationSchema for subject ${this.subject} was not opened: await open() before serialize() ` +
          '(sinks do this), or pass schemaId.',
        { option: 'open' },
      );
    }
    return encodeValue(this.type, element, this.header);
  }
}
