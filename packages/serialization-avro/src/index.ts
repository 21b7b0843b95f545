// The public entry point of @sluice/serialization-avro: every public name is listed here.

// Errors
export { AvroErrorCode, AvroSerdeError } from './errors.js';
export type { AvroSerdeErrorOptions } from './errors.js';

// Schemas and value mapping
export type { AvroSchema, AvroTypeOptions } from './schema/avro-schema.js';

// Raw Avro binary (Flink AvroDeserializationSchema)
export { AvroDeserializationSchema } from './generic/avro-deserialization-schema.js';
export type { AvroDeserializationOptions, AvroRecord } from './generic/avro-deserialization-schema.js';
export { AvroSerializationSchema } from './generic/avro-serialization-schema.js';

// Confluent wire format + schema registry (Flink ConfluentRegistryAvroDeserializationSchema)
export { ConfluentRegistryAvroDeserializationSchema } from './confluent/confluent-registry-avro-deserialization-schema.js';
export type { ConfluentRegistryAvroDeserializationOptions } from './confluent/confluent-registry-avro-deserialization-schema.js';
export { ConfluentRegistryAvroSerializationSchema } from './confluent/confluent-registry-avro-serialization-schema.js';
export type { ConfluentRegistryAvroSerializationOptions } from './confluent/confluent-registry-avro-serialization-schema.js';
export type { SchemaRegistryOption } from './confluent/registry-option.js';
export type { SubjectNameStrategy } from './confluent/subject-name-strategy.js';
export { SchemaRegistryClient } from './registry/schema-registry-client.js';
export type {
  RegisteredSchema,
  SchemaRegistryAuth,
  SchemaRegistryClientOptions,
  SchemaRegistryRetryOptions,
} from './registry/schema-registry-client.js';

// Object container files (for bulk file formats)
export { AvroContainerWriter, readAvroContainer, writeAvroContainer } from './container/avro-container-file.js';
export type {
  AvroContainerCodec,
  AvroContainerContents,
  AvroContainerWriterOptions,
  ReadAvroContainerOptions,
} from './container/avro-container-file.js';
export { AvroWriters } from './container/avro-bulk-writer.js';
export type {
  AvroBulkOutput,
  AvroBulkWriter,
  AvroBulkWriterFactory,
  AvroWritersOptions,
} from './container/avro-bulk-writer.js';
