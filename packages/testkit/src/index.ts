export { TESTKIT_ERROR_CODES, TestkitError, isTestkitError } from './errors.js';
export type { TestkitErrorCode, TestkitErrorOptions } from './errors.js';
export { ARTIFACTS, VERSIONS } from './versions.js';
export { resolveKafkaJars, startKafka } from './kafka/start-kafka.js';
export { createKafkaTopic } from './kafka/create-topic.js';
export type { CreateKafkaTopicOptions } from './kafka/create-topic.js';
export type {
  KafkaConnectionInfo,
  KafkaSecurityInfo,
  KafkaServer,
  StartKafkaOptions,
} from './kafka/start-kafka.js';
export { createFsShell, resolveHdfsJars, startHdfs } from './hdfs/start-hdfs.js';
export type {
  CreateFsShellOptions,
  FsShell,
  FsShellOptions,
  FsShellResult,
  HdfsConnectionInfo,
  HdfsServer,
  StartHdfsOptions,
} from './hdfs/start-hdfs.js';
export {
  HDFS_PROVIDE_KEY,
  KAFKA_PROVIDE_KEY,
  hdfsGlobalSetup,
  injectHdfs,
  injectKafka,
  kafkaGlobalSetup,
  testkitGlobalSetup,
} from './vitest/global-setup.js';
export type {
  InjectFunction,
  ProvideTarget,
  Teardown,
  TestkitGlobalSetupOptions,
} from './vitest/global-setup.js';
export { startSchemaRegistry } from './schema-registry/start-schema-registry.js';
export type {
  SchemaRegistryServer,
  StartSchemaRegistryOptions,
} from './schema-registry/start-schema-registry.js';
