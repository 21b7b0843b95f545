// The public entry point of @sluice/serialization-json: every public name is listed here.

// Errors
export { JsonErrorCode, JsonSerdeError } from './errors.js';
export type { JsonSerdeErrorOptions } from './errors.js';

// Object JSON (Flink JSONDeserializationSchema)
export { JsonDeserializationSchema } from './object/json-deserialization-schema.js';
export type { JsonDeserializationOptions } from './object/json-deserialization-schema.js';
export { JsonSerializationSchema } from './object/json-serialization-schema.js';
export type { JsonSerializationOptions } from './object/json-serialization-schema.js';
export type { JsonValue, JsonObject } from './internal/json-value.js';

// Key/value JSON with metadata (Flink JSONKeyValueDeserializationSchema)
export { JsonKeyValueDeserializationSchema } from './key-value/json-key-value-deserialization-schema.js';
export type {
  JsonKeyValue,
  JsonKeyValueMetadata,
  JsonKeyValueOptions,
} from './key-value/json-key-value-deserialization-schema.js';
export type { KeyedMessage } from './key-value/keyed-message.js';

// Rows with declared fields (Flink JsonRowDeserializationSchema / JsonRowSerializationSchema)
export { JsonFields } from './row/json-field-types.js';
export type { JsonFieldKind, JsonFieldType, JsonFieldValue, JsonRow, JsonRowFields } from './row/json-field-types.js';
export { JsonRowDeserializationSchema } from './row/json-row-deserialization-schema.js';
export type { JsonRowDeserializationOptions } from './row/json-row-deserialization-schema.js';
export { JsonRowSerializationSchema } from './row/json-row-serialization-schema.js';

// JSON Schema validation
export type { JsonSchemaDocument } from './validation/json-schema-validator.js';
