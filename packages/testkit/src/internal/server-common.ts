import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { resolveCacheDir, runDirOf } from './cache-dir.js';
import { findJava } from './java.js';
import type { JavaTools } from './java.js';
import { tailFile } from './log-tail.js';
import { cleanupStaleServers } from './pid-file.js';
import type { ServerProcess } from './server-process.js';
import { WaitTimeoutError } from './wait-for.js';

/** What every server start needs first. */
export interface Prepared {
  java: JavaTools;
  cacheDir: string;
  runDir: string;
  /** A fresh per-run folder under the OS temp dir (data, config, logs). */
  workDir: string;
  marker: string;
}

/** Throws when `SLUICE_TESTKIT=containers` is asked for: not supported yet. */
export function rejectContainersMode(): void {
  if (process.env['SLUICE_TESTKIT'] === 'containers') {
    throw new TestkitError(
      'SLUICE_TESTKIT=containers is not supported yet: the testkit runs Kafka and HDFS from Maven Central jars ' +
        'with the local `java`. Unset SLUICE_TESTKIT (or point SLUICE_KAFKA_BROKERS / SLUICE_WEBHDFS_URL at running servers).',
      { code: TESTKIT_ERROR_CODES.NOT_SUPPORTED },
    );
  }
}

/** Checks Java, removes servers left by dead runs, and creates the run's work folder. */
export async function prepareServer(
  kind: string,
  cacheDirOption: string | undefined,
): Promise<Prepared> {
  rejectContainersMode();
  const java = await findJava();
  const cacheDir = resolveCacheDir(cacheDirOption);
  const runDir = runDirOf(cacheDir);
  cleanupStaleServers({ runDir });
  const workDir = mkdtempSync(join(tmpdir(), `sluice-testkit-${kind}-`));
  return {
    java,
    cacheDir,
    runDir,
    workDir,
    marker: `${kind}-${process.pid}-${randomBytes(6).toString('hex')}`,
  };
}

/** Whether `SLUICE_TESTKIT_KEEP=1` asks to keep work folders (data and logs) after stop. */
export function keepWorkDirDefault(): boolean {
  return process.env['SLUICE_TESTKIT_KEEP'] === '1';
}

const PORT_IN_USE = /BindException|Address already in use|Port in use/i;

/** True when the log shows the server lost a port race. */
export function logShowsPortInUse(logFile: string): boolean {
  return PORT_IN_USE.test(tailFile(logFile, 200));
}

/** The error for a server JVM that exited while starting (or afterwards). */
export function serverExitedError(options: {
  name: string;
  process: ServerProcess;
  logFile: string;
}): TestkitError {
  const tail = tailFile(options.logFile, 50);
  if (logShowsPortInUse(options.logFile)) {
    return new TestkitError(
      `${options.name} could not bind a port (another process took it). Log ${options.logFile}, last lines:\n${tail}`,
      { code: TESTKIT_ERROR_CODES.PORT_IN_USE, retriable: true, logFile: options.logFile },
    );
  }
  return new TestkitError(
    `${options.name} exited (status ${String(options.process.exitStatus())}) before it was ready. ` +
      `Log ${options.logFile}, last 50 lines:\n${tail}`,
    { code: TESTKIT_ERROR_CODES.SERVER_EXITED, logFile: options.logFile },
  );
}

/** Turns a wait failure into the testkit's error (timeout, or the exit error thrown by abortCheck). */
export function startFailure(error: unknown, options: { name: string; logFile: string }): unknown {
  if (error instanceof WaitTimeoutError) {
    return new TestkitError(
      `${options.name} did not become ready: ${error.message}. Raise startTimeoutMs if the machine is busy. ` +
        `Log ${options.logFile}, last 50 lines:\n${tailFile(options.logFile, 50)}`,
      { code: TESTKIT_ERROR_CODES.START_TIMEOUT, cause: error.lastError, logFile: options.logFile },
    );
  }
  return error;
}

/**
 * A method of an external server (one the testkit did not start) that is not possible: it
 * rejects with an `EXTERNAL_SERVER` error saying `message`.
 */
export function notPossibleForExternal(message: string): () => Promise<never> {
  return () => Promise.reject(new TestkitError(message, { code: TESTKIT_ERROR_CODES.EXTERNAL_SERVER }));
}
