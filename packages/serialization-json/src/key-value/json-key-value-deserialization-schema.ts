import { Types } from '@sluice/core';
import type { TypeInformation } from '@sluice/core';
import type { JsonValue } from '../internal/json-value.js';
import { parseJsonBytes } from '../internal/parse-json.js';
import { withPlace } from '../internal/with-place.js';
import type { KeyedMessage } from './keyed-message.js';

/** Record metadata added by {@link JsonKeyValueDeserializationSchema} when `includeMetadata` is on. */
export interface JsonKeyValueMetadata {
  /** Offset of the record (a number; offsets stay far below 2^53). */
  offset: number;
  /** Topic of the record. */
  topic: string;
  /** Partition of the record. */
  partition: number;
}

/**
 * What {@link JsonKeyValueDeserializationSchema} produces: `key` and `value` are present only when
 * their bytes were non-null (a JSON `null` body is present and `null`).
 */
export interface JsonKeyValue {
  /** The parsed key; absent when the record has no key bytes. */
  key?: JsonValue;
  /** The parsed value; absent when the record has no value bytes (tombstone). */
  value?: JsonValue;
  /** Present only with `includeMetadata: true`. */
  metadata?: JsonKeyValueMetadata;
}

/** Options of {@link JsonKeyValueDeserializationSchema.create}. */
export interface JsonKeyValueOptions {
  /**
   * Add `metadata: { offset, topic, partition }` to every record.
   * @defaultValue false
   */
  readonly includeMetadata?: boolean;
}

// Key/value records are JSON values: core's Types.json() stores them (compact tagged binary).
const KEY_VALUE_TYPE_INFO = Types.json() as unknown as TypeInformation<JsonKeyValue>;

function toNumber(offset: number | bigint | string): number {
  return typeof offset === 'number' ? offset : Number(offset);
}

/**
 * Reads key and value of a Kafka record as JSON into one object (Flink's
 * `JSONKeyValueDeserializationSchema`): `{ key?, value?, metadata? }`. Errors name the part
 * (key or value) and carry topic, partition and offset.
 *
 * ```ts
 * const schema = JsonKeyValueDeserializationSchema.create({ includeMetadata: true });
 * schema.deserialize({ key: null, value: bytes, topic: 't', partition: 0, offset: 42 });
 * // { value: {...}, metadata: { offset: 42, topic: 't', partition: 0 } }
 * ```
 */
export class JsonKeyValueDeserializationSchema {
  /** Type of the produced records. */
  readonly producedType: TypeInformation<JsonKeyValue> = KEY_VALUE_TYPE_INFO;
  private readonly includeMetadata: boolean;

  private constructor(options: JsonKeyValueOptions) {
    this.includeMetadata = options.includeMetadata ?? false;
  }

  /** A key/value JSON schema. */
  static create(options: JsonKeyValueOptions = {}): JsonKeyValueDeserializationSchema {
    return new JsonKeyValueDeserializationSchema(options);
  }

  /** Decodes one record; throws a `JsonSerdeError` (with topic/partition/offset) for bad input. */
  deserialize(message: KeyedMessage): JsonKeyValue {
    const result: JsonKeyValue = {};
    try {
      if (message.key !== null) result.key = parseJsonBytes(message.key, 'key') as JsonValue;
      if (message.value !== null) result.value = parseJsonBytes(message.value, 'value') as JsonValue;
    } catch (error) {
      throw withPlace(error, {
        topic: message.topic,
        partition: message.partition,
        offset: typeof message.offset === 'string' ? toNumber(message.offset) : message.offset,
      });
    }
    if (this.includeMetadata) {
      result.metadata = { offset: toNumber(message.offset), topic: message.topic, partition: message.partition };
    }
    return result;
  }

  /** Always false. */
  isEndOfStream(): boolean {
    return false;
  }
}
