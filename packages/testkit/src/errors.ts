/**
 * Every error code the testkit throws. Codes are stable: renaming or removing one is a breaking change.
 */
export const TESTKIT_ERROR_CODES = {
  /** No usable `java` (17+) was found on `JAVA_HOME` or `PATH`. */
  JAVA_MISSING: 'TESTKIT_JAVA_MISSING',
  /** Maven could not resolve (or was not found to resolve) the server jars. */
  MAVEN_RESOLVE: 'TESTKIT_MAVEN_RESOLVE',
  /** A port the server needed was taken by another process. */
  PORT_IN_USE: 'TESTKIT_PORT_IN_USE',
  /** The server process exited while starting or while a command ran. */
  SERVER_EXITED: 'TESTKIT_SERVER_EXITED',
  /** The server did not become ready before the deadline. */
  START_TIMEOUT: 'TESTKIT_START_TIMEOUT',
  /** A command sent to a running server (restart, FsShell, keytool) failed. */
  COMMAND_FAILED: 'TESTKIT_COMMAND_FAILED',
  /** The operation needs a server the testkit started, but an external one (env) is in use. */
  EXTERNAL_SERVER: 'TESTKIT_EXTERNAL_SERVER',
  /** `injectKafka`/`injectHdfs` found nothing provided: the globalSetup is missing. */
  NOT_PROVIDED: 'TESTKIT_NOT_PROVIDED',
  /** The requested feature is not supported yet (e.g. `SLUICE_TESTKIT=containers`). */
  NOT_SUPPORTED: 'TESTKIT_NOT_SUPPORTED',
  /** A job process under test failed, hung past its timeout, or never finished (conformance suite). */
  JOB_FAILED: 'TESTKIT_JOB_FAILED',
  /** A connector broke its delivery guarantee (output lost, duplicated or unexpected) or a conformance check could not run. */
  CONFORMANCE_FAILED: 'TESTKIT_CONFORMANCE_FAILED',
  /** `sluice-testkit produce|consume` found no broker: neither --brokers, SLUICE_KAFKA_BROKERS nor a running `sluice-testkit kafka`. */
  NO_BROKERS: 'TESTKIT_NO_BROKERS',
} as const;

/** One of the values of {@link TESTKIT_ERROR_CODES}. */
export type TestkitErrorCode = (typeof TESTKIT_ERROR_CODES)[keyof typeof TESTKIT_ERROR_CODES];

/** Options of {@link TestkitError}. */
export interface TestkitErrorOptions {
  /** The stable error code. */
  code: TestkitErrorCode;
  /**
   * Whether trying the same call again may succeed.
   * @defaultValue false
   */
  retriable?: boolean;
  /**
   * The underlying error, if any.
   * @defaultValue undefined
   */
  cause?: unknown;
  /**
   * The server log file, if one exists.
   * @defaultValue undefined
   */
  logFile?: string;
}

/**
 * The one error class the testkit throws. `code` tells what failed; the message says what to do.
 */
export class TestkitError extends Error {
  /** The stable error code, one of {@link TESTKIT_ERROR_CODES}. */
  readonly code: TestkitErrorCode;
  /** Whether trying the same call again may succeed. */
  readonly retriable: boolean;
  /** The server log file, if one exists. */
  readonly logFile: string | undefined;

  constructor(message: string, options: TestkitErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TestkitError';
    this.code = options.code;
    this.retriable = options.retriable ?? false;
    this.logFile = options.logFile;
  }
}

/** True when `value` is a {@link TestkitError} (also across copies of the package, by brand). */
export function isTestkitError(value: unknown): value is TestkitError {
  if (value instanceof TestkitError) return true;
  if (!(value instanceof Error) || value.name !== 'TestkitError') return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('TESTKIT_');
}
