import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { resolveCacheDir } from '../internal/cache-dir.js';
import { findJava } from '../internal/java.js';
import { freePorts } from '../internal/ports.js';
import {
  keepWorkDirDefault,
  logShowsPortInUse,
  prepareServer,
  rejectContainersMode,
  serverExitedError,
  startFailure,
} from '../internal/server-common.js';
import type { Prepared } from '../internal/server-common.js';
import { startServerProcess } from '../internal/server-process.js';
import type { ServerProcess } from '../internal/server-process.js';
import { waitFor } from '../internal/wait-for.js';
import { resolveApicurio } from './resolve-apicurio.js';
import { APICURIO_REGISTRY_VERSION, APICURIO_RUNNER_JAR, CCOMPAT_PATH } from './schema-registry-version.js';

/** Options of {@link startSchemaRegistry}. */
export interface StartSchemaRegistryOptions {
  /**
   * The compatibility level set with `PUT /config` once the registry is up (Apicurio's default is
   * `NONE`, Confluent's `BACKWARD`).
   * @defaultValue 'BACKWARD'
   */
  compatibility?: 'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';
  /**
   * How long to wait for the registry to answer.
   * @defaultValue 120000
   */
  startTimeoutMs?: number;
  /**
   * Where the unpacked registry and pid files are cached.
   * @defaultValue `$SLUICE_CACHE_DIR`, else `~/.cache/sluice`
   */
  cacheDir?: string;
  /**
   * JVM options of the registry.
   * @defaultValue ['-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']
   */
  jvmArgs?: readonly string[];
  /**
   * Keep the work folder (log) after `stop()`.
   * @defaultValue true when `SLUICE_TESTKIT_KEEP=1`, else false
   */
  keepWorkDir?: boolean;
  /**
   * Use the registry in `SLUICE_SCHEMA_REGISTRY_URL` when it is set, instead of starting one.
   * @defaultValue true
   */
  useExternal?: boolean;
}

/** A running schema registry with the Confluent REST API. */
export interface SchemaRegistryServer {
  /** Base URL of the Confluent-compatible API, e.g. `http://127.0.0.1:41234/apis/ccompat/v7`. */
  readonly url: string;
  /** Apicurio Registry version (or `external`). */
  readonly version: string;
  /** True when the URL came from `SLUICE_SCHEMA_REGISTRY_URL`. */
  readonly external: boolean;
  /** The server log (empty for an external registry). */
  readonly logFile: string;
  /** The JVM's pid while it runs. */
  pid(): number | undefined;
  /** Stops the registry (SIGTERM to its process group, SIGKILL after 15 s) and removes its work folder. */
  stop(): Promise<void>;
}

const DEFAULT_JVM_ARGS = ['-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'] as const;
const PORT_ATTEMPTS = 3;

async function answers(url: string): Promise<boolean> {
  const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(5000) });
  await response.arrayBuffer();
  return response.status === 200;
}

async function setCompatibility(url: string, level: string): Promise<void> {
  const response = await fetch(`${url}/config`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: level }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new TestkitError(`PUT ${url}/config {"compatibility":"${level}"} answered HTTP ${response.status}: ${text.slice(0, 300)}`, {
      code: TESTKIT_ERROR_CODES.COMMAND_FAILED,
    });
  }
}

async function startOnce(options: {
  prepared: Prepared;
  home: string;
  port: number;
  jvmArgs: readonly string[];
  timeoutMs: number;
  logFile: string;
}): Promise<ServerProcess> {
  const { prepared, port, logFile } = options;
  const server = startServerProcess({
    kind: 'schema-registry',
    java: prepared.java.java,
    args: [
      ...options.jvmArgs,
      '-Dquarkus.http.host=127.0.0.1',
      `-Dquarkus.http.port=${port}`,
      '-Dquarkus.profile=prod',
      // Quarkus' management interface (health/metrics) stays off and on loopback if enabled.
      '-Dquarkus.management.host=127.0.0.1',
      '-Dquarkus.management.port=0',
      '-jar',
      join(options.home, APICURIO_RUNNER_JAR),
    ],
    cwd: prepared.workDir,
    logFile,
    runDir: prepared.runDir,
    marker: prepared.marker,
    workDir: prepared.workDir,
  });
  const name = `Apicurio Registry ${APICURIO_REGISTRY_VERSION}`;
  const url = `http://127.0.0.1:${port}${CCOMPAT_PATH}`;
  try {
    await waitFor(() => answers(url), {
      description: `${name} to answer GET ${url}/subjects`,
      timeoutMs: options.timeoutMs,
      intervalMs: 250,
      abortCheck: () => {
        if (server.exitStatus() !== undefined) throw serverExitedError({ name, process: server, logFile });
      },
    });
    return server;
  } catch (error) {
    await server.stop(2000);
    throw startFailure(error, { name, logFile });
  }
}

/**
 * Starts Apicurio Registry (in-memory storage, no authentication) bound to 127.0.0.1 on a free
 * port, in its own process group, waits until its Confluent-compatible API answers, and sets the
 * global compatibility level (BACKWARD by default). The first call on a machine downloads the
 * registry with Maven into the cache (~160 MB). If `SLUICE_SCHEMA_REGISTRY_URL` is set, returns
 * that registry instead (nothing is started; its compatibility is left alone).
 *
 * @throws TestkitError with code TESTKIT_JAVA_MISSING, TESTKIT_MAVEN_RESOLVE, TESTKIT_PORT_IN_USE,
 * TESTKIT_SERVER_EXITED, TESTKIT_START_TIMEOUT or TESTKIT_COMMAND_FAILED.
 */
export async function startSchemaRegistry(options: StartSchemaRegistryOptions = {}): Promise<SchemaRegistryServer> {
  const externalUrl = process.env['SLUICE_SCHEMA_REGISTRY_URL'];
  if (options.useExternal !== false && externalUrl !== undefined && externalUrl !== '') {
    return {
      url: externalUrl.replace(/\/$/, ''),
      version: 'external',
      external: true,
      logFile: '',
      pid: () => undefined,
      stop: () => Promise.resolve(),
    };
  }
  rejectContainersMode();
  await findJava();
  const home = await resolveApicurio(resolveCacheDir(options.cacheDir));
  const prepared = await prepareServer('schema-registry', options.cacheDir);
  const keepWorkDir = options.keepWorkDir ?? keepWorkDirDefault();
  const logFile = join(prepared.workDir, 'schema-registry.log');
  let server: ServerProcess | undefined;
  let port = 0;
  try {
    for (let attempt = 1; server === undefined; attempt += 1) {
      [port = 0] = await freePorts(1);
      try {
        server = await startOnce({
          prepared,
          home,
          port,
          jvmArgs: options.jvmArgs ?? DEFAULT_JVM_ARGS,
          timeoutMs: options.startTimeoutMs ?? 120_000,
          logFile,
        });
      } catch (error) {
        const portRace = error instanceof TestkitError && error.code === TESTKIT_ERROR_CODES.PORT_IN_USE;
        if (!portRace || attempt >= PORT_ATTEMPTS || !logShowsPortInUse(logFile)) throw error;
      }
    }
    await setCompatibility(`http://127.0.0.1:${port}${CCOMPAT_PATH}`, options.compatibility ?? 'BACKWARD');
  } catch (error) {
    await server?.stop(2000);
    if (!keepWorkDir) rmSync(prepared.workDir, { recursive: true, force: true });
    throw error;
  }
  let current: ServerProcess | undefined = server;
  return {
    url: `http://127.0.0.1:${port}${CCOMPAT_PATH}`,
    version: APICURIO_REGISTRY_VERSION,
    external: false,
    logFile,
    pid: () => current?.pid,
    async stop() {
      const running = current;
      current = undefined;
      await running?.stop();
      if (!keepWorkDir) rmSync(prepared.workDir, { recursive: true, force: true });
    },
  };
}
