import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { resolveCacheDir } from '../internal/cache-dir.js';
import { findJava } from '../internal/java.js';
import { classpathOf, resolveJars } from '../internal/maven.js';
import { packageRoot } from '../internal/package-root.js';
import { freePorts } from '../internal/ports.js';
import { runCommand } from '../internal/run-command.js';
import {
  keepWorkDirDefault,
  logShowsPortInUse,
  notPossibleForExternal,
  prepareServer,
  rejectContainersMode,
  serverExitedError,
  startFailure,
} from '../internal/server-common.js';
import type { Prepared } from '../internal/server-common.js';
import { startServerProcess } from '../internal/server-process.js';
import type { ServerProcess } from '../internal/server-process.js';
import { waitFor } from '../internal/wait-for.js';
import { ARTIFACTS, VERSIONS } from '../versions.js';
import {
  SASL_MECHANISMS,
  generateClusterId,
  renderLog4j2Config,
  renderServerProperties,
  scramFormatArgs,
} from './kafka-config.js';
import type { KafkaPorts, KafkaSecurityConfig } from './kafka-config.js';
import { brokerKeystorePath, generateBrokerKeystore } from './kafka-tls.js';
import type { BrokerKeystore } from './kafka-tls.js';

/** Options of {@link startKafka}. */
export interface StartKafkaOptions {
  /**
   * Also open a SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and an SSL listener
   * with a CA generated at start. Adds ~3-5 s (keytool runs).
   * @defaultValue false
   */
  security?: boolean;
  /**
   * How long to wait for the broker to accept a topic creation.
   * @defaultValue 120000
   */
  startTimeoutMs?: number;
  /**
   * Where jars and pid files are cached.
   * @defaultValue `$SLUICE_CACHE_DIR`, else `~/.cache/sluice`
   */
  cacheDir?: string;
  /**
   * Extra or replacing `server.properties` entries.
   * @defaultValue {}
   */
  brokerConfig?: Readonly<Record<string, string>>;
  /**
   * JVM options of the broker.
   * @defaultValue ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC']
   */
  jvmArgs?: readonly string[];
  /**
   * Keep the work folder (data, config, log) after `stop()`.
   * @defaultValue true when `SLUICE_TESTKIT_KEEP=1`, else false
   */
  keepWorkDir?: boolean;
  /**
   * Use the brokers in `SLUICE_KAFKA_BROKERS` (comma list) when it is set, instead of starting one.
   * @defaultValue true
   */
  useExternal?: boolean;
}

/** Addresses and credentials of the security listeners (`security: true`). */
export interface KafkaSecurityInfo {
  /** `host:port` of the SASL_PLAINTEXT listener. */
  saslPlaintextBootstrapServers: string[];
  /** `host:port` of the SSL listener (server authentication only). */
  sslBootstrapServers: string[];
  /** SASL mechanisms enabled on the SASL listener. */
  mechanisms: readonly string[];
  /** User accepted by every mechanism. */
  username: string;
  password: string;
  /** PEM of the CA that signed the broker certificate: pass as `ssl: { ca: [caPem] }` to kafkajs. */
  caPem: string;
}

/** The plain-data description of a broker, as handed to tests via vitest's `provide`. */
export interface KafkaConnectionInfo {
  /** `host:port` of the PLAINTEXT listener. */
  bootstrapServers: string[];
  /** True when the brokers came from `SLUICE_KAFKA_BROKERS` (not started by the testkit). */
  external: boolean;
  /** Present when started with `security: true`. */
  security?: KafkaSecurityInfo;
  /** The broker's log file (absent for external brokers). */
  logFile?: string;
  /** The broker version (absent for external brokers). */
  version?: string;
}

/** A running broker started by {@link startKafka}. */
export interface KafkaServer extends KafkaConnectionInfo {
  /** The KRaft cluster id (absent for external brokers). */
  clusterId?: string;
  /** The per-run folder with data, config and log (absent for external brokers). */
  workDir?: string;
  /** The broker JVM's pid (absent for external brokers). */
  pid(): number | undefined;
  /** Stops the broker (SIGTERM, then SIGKILL after 15 s) and removes its work folder. Idempotent. */
  stop(): Promise<void>;
  /** Stops the broker and starts it again on the same ports and data; resolves when ready. */
  restart(): Promise<void>;
  /** The plain-data description (for `provide`). */
  info(): KafkaConnectionInfo;
}

const DEFAULT_JVM_ARGS = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC'] as const;
const PORT_ATTEMPTS = 3;

/** Resolves (once, cached) the Kafka jars; returns the lib folder. */
export async function resolveKafkaJars(cacheDir?: string): Promise<string> {
  return resolveJars({
    name: `kafka-${VERSIONS.kafka}`,
    pom: join(packageRoot(), 'maven', 'kafka', 'pom.xml'),
    properties: { 'kafka.version': VERSIONS.kafka, 'log4j.version': VERSIONS.log4jSlf4j },
    cacheDir: resolveCacheDir(cacheDir),
    artifacts: ARTIFACTS.kafka,
  });
}

function externalBrokers(options: StartKafkaOptions): string[] | undefined {
  if (options.useExternal === false) return undefined;
  const raw = process.env['SLUICE_KAFKA_BROKERS'];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function externalServer(bootstrapServers: string[]): KafkaServer {
  const info: KafkaConnectionInfo = { bootstrapServers, external: true };
  return {
    ...info,
    pid: () => undefined,
    stop: () => Promise.resolve(),
    restart: notPossibleForExternal('restart() is not possible for external brokers (SLUICE_KAFKA_BROKERS is set).'),
    info: () => ({ ...info }),
  };
}

/** Waits until a topic can be created (and deleted again) on the PLAINTEXT listener. */
async function waitUntilReady(options: {
  bootstrap: string;
  timeoutMs: number;
  abortCheck: () => void;
}): Promise<void> {
  const kafka = new Kafka({
    clientId: 'sluice-testkit-ready',
    brokers: [options.bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 10_000,
    retry: { retries: 1, initialRetryTime: 100 },
  });
  const admin = kafka.admin();
  const topic = `__sluice_testkit_ready_${randomBytes(4).toString('hex')}`;
  try {
    await waitFor(
      async () => {
        await admin.connect();
        // Not waitForLeaders: kafkajs does not retry the UNKNOWN_TOPIC_OR_PARTITION that Kafka 4
        // may answer right after creation. Ready means the partition is hosted: ListOffsets answers.
        await admin.createTopics({
          waitForLeaders: false,
          topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
        });
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.length === 1;
      },
      {
        description: `a topic to be created on ${options.bootstrap}`,
        timeoutMs: options.timeoutMs,
        intervalMs: 250,
        abortCheck: options.abortCheck,
      },
    );
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

interface BrokerLayout {
  libDir: string;
  propertiesFile: string;
  log4jFile: string;
  logFile: string;
  ports: KafkaPorts;
}

interface LaunchSettings {
  jvmArgs: readonly string[];
  timeoutMs: number;
  keepWorkDir: boolean;
}

function launch(prepared: Prepared, layout: BrokerLayout, settings: LaunchSettings): ServerProcess {
  return startServerProcess({
    kind: 'kafka',
    java: prepared.java.java,
    args: [
      ...settings.jvmArgs,
      `-Dlog4j2.configurationFile=${layout.log4jFile}`,
      '-cp',
      classpathOf(join(layout.libDir, '*')),
      'kafka.Kafka',
      layout.propertiesFile,
    ],
    cwd: prepared.workDir,
    logFile: layout.logFile,
    runDir: prepared.runDir,
    marker: prepared.marker,
    workDir: prepared.workDir,
    removeWorkDirOnKill: !settings.keepWorkDir,
  });
}

async function startOnce(
  prepared: Prepared,
  layout: BrokerLayout,
  options: LaunchSettings,
): Promise<ServerProcess> {
  const server = launch(prepared, layout, options);
  const name = `Kafka ${VERSIONS.kafka}`;
  try {
    await waitUntilReady({
      bootstrap: `127.0.0.1:${layout.ports.plaintext}`,
      timeoutMs: options.timeoutMs,
      abortCheck: () => {
        if (server.exitStatus() !== undefined)
          throw serverExitedError({ name, process: server, logFile: layout.logFile });
      },
    });
    return server;
  } catch (error) {
    await server.stop(2000);
    throw startFailure(error, { name, logFile: layout.logFile });
  }
}

/**
 * Starts a single-node Apache Kafka (KRaft, combined broker + controller) on free ports of
 * 127.0.0.1, with transactions enabled, and resolves once a topic can be created. The first call
 * on a machine downloads the jars with Maven into the cache. If `SLUICE_KAFKA_BROKERS` is set,
 * returns those brokers instead (nothing is started).
 *
 * @throws TestkitError with code TESTKIT_JAVA_MISSING, TESTKIT_MAVEN_RESOLVE, TESTKIT_PORT_IN_USE,
 * TESTKIT_SERVER_EXITED or TESTKIT_START_TIMEOUT.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaServer> {
  const external = externalBrokers(options);
  if (external !== undefined) return externalServer(external);
  rejectContainersMode();
  await findJava();
  const libDir = await resolveKafkaJars(options.cacheDir);
  const prepared = await prepareServer('kafka', options.cacheDir);
  const keepWorkDir = options.keepWorkDir ?? keepWorkDirDefault();
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const jvmArgs = options.jvmArgs ?? DEFAULT_JVM_ARGS;
  const { workDir } = prepared;
  const logFile = join(workDir, 'kafka.log');
  const log4jFile = join(workDir, 'log4j2.xml');
  const propertiesFile = join(workDir, 'server.properties');
  const dataDir = join(workDir, 'data');
  writeFileSync(log4jFile, renderLog4j2Config(logFile));

  const settings: LaunchSettings = { jvmArgs, timeoutMs, keepWorkDir };

  // The keystore (six keytool runs) is generated while the storage is formatted.
  let security: KafkaSecurityConfig | undefined;
  let keystore: Promise<BrokerKeystore> | undefined;
  if (options.security === true) {
    const tlsDir = join(workDir, 'tls');
    mkdirSync(tlsDir);
    const keystorePassword = randomBytes(12).toString('hex');
    keystore = generateBrokerKeystore({
      keytool: prepared.java.keytool,
      dir: tlsDir,
      password: keystorePassword,
    });
    keystore.catch(() => undefined);
    security = {
      keystorePath: brokerKeystorePath(tlsDir),
      keystorePassword,
      username: 'sluice',
      password: randomBytes(12).toString('hex'),
    };
  }

  const clusterId = generateClusterId();
  let server: ServerProcess | undefined;
  let layout: BrokerLayout | undefined;
  try {
    for (let attempt = 1; server === undefined; attempt += 1) {
      const ports = await freePorts(security === undefined ? 2 : 4);
      const [plaintext = 0, controller = 0, saslPlaintext, ssl] = ports;
      layout = {
        libDir,
        propertiesFile,
        log4jFile,
        logFile,
        ports:
          security === undefined
            ? { plaintext, controller }
            : { plaintext, controller, saslPlaintext, ssl },
      };
      rmSync(dataDir, { recursive: true, force: true });
      writeFileSync(
        propertiesFile,
        renderServerProperties({
          ports: layout.ports,
          logDir: dataDir,
          security,
          overrides: options.brokerConfig,
        }),
      );
      await formatStorage({ prepared, layout, clusterId, security });
      await keystore;
      try {
        server = await startOnce(prepared, layout, settings);
      } catch (error) {
        const portRace =
          error instanceof TestkitError && error.code === TESTKIT_ERROR_CODES.PORT_IN_USE;
        if (!portRace || attempt >= PORT_ATTEMPTS || !logShowsPortInUse(logFile)) throw error;
        // Keep the lost attempt's log aside, so the next attempt's errors are judged on their own.
        renameSync(logFile, `${logFile}.attempt-${attempt}`);
      }
    }
  } catch (error) {
    if (!keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  const finalLayout = layout;
  if (finalLayout === undefined) throw new Error('unreachable: no broker layout');

  const { ports } = finalLayout;
  const info: KafkaConnectionInfo = {
    bootstrapServers: [`127.0.0.1:${ports.plaintext}`],
    external: false,
    logFile,
    version: VERSIONS.kafka,
  };
  if (security !== undefined) {
    info.security = {
      saslPlaintextBootstrapServers: [`127.0.0.1:${String(ports.saslPlaintext)}`],
      sslBootstrapServers: [`127.0.0.1:${String(ports.ssl)}`],
      mechanisms: SASL_MECHANISMS,
      username: security.username,
      password: security.password,
      caPem: (await keystore)?.caPem ?? '',
    };
  }
  let current: ServerProcess | undefined = server;
  let stopped = false;
  return {
    ...info,
    clusterId,
    workDir,
    pid: () => (current?.exitStatus() === undefined ? current?.pid : undefined),
    info: () => structuredClone(info),
    async stop() {
      if (stopped) return;
      stopped = true;
      await current?.stop();
      current = undefined;
      if (!keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) {
        throw new TestkitError('restart() was called after stop(); start a new broker instead.', {
          code: TESTKIT_ERROR_CODES.COMMAND_FAILED,
          logFile,
        });
      }
      await current?.stop();
      current = undefined;
      current = await startOnce(prepared, finalLayout, settings);
    },
  };
}

async function formatStorage(options: {
  prepared: Prepared;
  layout: BrokerLayout;
  clusterId: string;
  security: KafkaSecurityConfig | undefined;
}): Promise<void> {
  const { prepared, layout, security } = options;
  const args = [
    '-Xmx256m',
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Dlog4j2.configurationFile=${layout.log4jFile}`,
    '-cp',
    classpathOf(join(layout.libDir, '*')),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    options.clusterId,
    '-c',
    layout.propertiesFile,
    '--ignore-formatted',
    ...(security === undefined ? [] : scramFormatArgs(security.username, security.password)),
  ];
  const result = await runCommand({
    command: prepared.java.java,
    args,
    cwd: prepared.workDir,
    timeoutMs: 120_000,
  });
  if (result.code !== 0) {
    throw new TestkitError(
      `Formatting Kafka storage (kafka.tools.StorageTool format) failed with exit ${String(result.code)}:\n` +
        `${result.stdout}${result.stderr}`.trim(),
      { code: TESTKIT_ERROR_CODES.COMMAND_FAILED, logFile: layout.logFile },
    );
  }
}
