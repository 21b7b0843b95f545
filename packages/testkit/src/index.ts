export { TESTKIT_ERROR_CODES, TestkitError, isTestkitError } from './errors.js';
export type { TestkitErrorCode, TestkitErrorOptions } from './errors.js';
export { ARTIFACTS, VERSIONS } from './versions.js';
export { resolveKafkaJars, startKafka } from './kafka/start-kafka.js';
export type {
  KafkaConnectionInfo,
  KafkaSecurityInfo,
  KafkaServer,
  StartKafkaOptions,
} from './kafka/start-kafka.js';
export { resolveHdfsJars, startHdfs } from './hdfs/start-hdfs.js';
export type {
  FsShellOptions,
  FsShellResult,
  HdfsConnectionInfo,
  HdfsServer,
  StartHdfsOptions,
} from './hdfs/start-hdfs.js';
