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
