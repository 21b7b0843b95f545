import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { resolveCacheDir } from '../internal/cache-dir.js';
import { findJava, jdkToolMissing } from '../internal/java.js';
import type { JavaTools } from '../internal/java.js';
import { tailFile } from '../internal/log-tail.js';
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
  normaliseWebhdfsUrl,
  parseReadyLine,
  renderHdfsLog4j,
  renderSiteXml,
} from './hdfs-config.js';
import type { HdfsReadyLine } from './hdfs-config.js';
import { webhdfsCheck } from './http-request.js';

/** Options of {@link startHdfs}. */
export interface StartHdfsOptions {
  /**
   * The user name sent as `user.name` (WebHDFS) and `HADOOP_USER_NAME` (FsShell). Permissions
   * are off, so any name works.
   * @defaultValue `$SLUICE_HDFS_USER`, else the OS user name
   */
  user?: string;
  /**
   * How long to wait for a file to be written and read through WebHDFS.
   * @defaultValue 120000
   */
  startTimeoutMs?: number;
  /**
   * Where jars, compiled classes and pid files are cached.
   * @defaultValue `$SLUICE_CACHE_DIR`, else `~/.cache/sluice`
   */
  cacheDir?: string;
  /**
   * JVM options of the NameNode + DataNode JVM.
   * @defaultValue ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']
   */
  jvmArgs?: readonly string[];
  /**
   * Keep the work folder (data, config, log) after `stop()`.
   * @defaultValue true when `SLUICE_TESTKIT_KEEP=1`, else false
   */
  keepWorkDir?: boolean;
  /**
   * Use the WebHDFS server in `SLUICE_WEBHDFS_URL` (and `SLUICE_HDFS_RPC_URL` if set) when it is
   * set, instead of starting one.
   * @defaultValue true
   */
  useExternal?: boolean;
}

/** Options of {@link HdfsServer.fsShell}. */
export interface FsShellOptions {
  /**
   * Bytes written to FsShell's stdin (e.g. for `-put - /path`).
   * @defaultValue nothing (stdin closed)
   */
  input?: string | Uint8Array;
  /**
   * Kill FsShell after this long.
   * @defaultValue 120000
   */
  timeoutMs?: number;
}

/** What {@link HdfsServer.fsShell} returns. */
export interface FsShellResult {
  stdout: string;
  stderr: string;
  /** Exit code; non-zero when the command failed (FsShell does not throw). */
  code: number;
}

/** The plain-data description of an HDFS, as handed to tests via vitest's `provide`. */
export interface HdfsConnectionInfo {
  /** WebHDFS REST base, `http://127.0.0.1:<port>/webhdfs/v1`; append the absolute path. */
  webhdfsUrl: string;
  /** NameNode RPC, `hdfs://127.0.0.1:<port>` (absent for an external WebHDFS without `SLUICE_HDFS_RPC_URL`). */
  rpcUrl?: string;
  /** The user name to send as `user.name`. */
  user: string;
  /** True when the server came from `SLUICE_WEBHDFS_URL` (not started by the testkit). */
  external: boolean;
  /** The HDFS log file (absent for external servers). */
  logFile?: string;
  /** The Hadoop version (absent for external servers). */
  version?: string;
}

/** A running HDFS started by {@link startHdfs}. */
export interface HdfsServer extends HdfsConnectionInfo {
  /** The per-run folder with data, config and log (absent for external servers). */
  workDir?: string;
  /** The JVM's pid (absent for external servers). */
  pid(): number | undefined;
  /** Stops NameNode and DataNode and removes the work folder. Idempotent. */
  stop(): Promise<void>;
  /** Restarts the DataNode on the same ports (MiniDFSCluster.restartDataNode); resolves once WebHDFS writes work again. */
  restartDataNode(): Promise<void>;
  /**
   * Runs Hadoop's own `org.apache.hadoop.fs.FsShell` (`-cat`, `-ls`, `-put`, ...) against this
   * file system, as an independent reader/writer for tests. Never rejects on a failed command:
   * check `code`.
   */
  fsShell(args: readonly string[], options?: FsShellOptions): Promise<FsShellResult>;
  /** The plain-data description (for `provide`). */
  info(): HdfsConnectionInfo;
}

const DEFAULT_JVM_ARGS = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'] as const;
const MAIN_CLASS = 'dev.sluice.testkit.SluiceMiniHdfs';
const MAIN_SOURCE = ['java', 'dev', 'sluice', 'testkit', 'SluiceMiniHdfs.java'] as const;
const PORT_ATTEMPTS = 3;

/** Resolves (once, cached) the Hadoop jars; returns the lib folder. */
export async function resolveHdfsJars(cacheDir?: string): Promise<string> {
  return resolveJars({
    name: `hdfs-${VERSIONS.hadoop}`,
    pom: join(packageRoot(), 'maven', 'hdfs', 'pom.xml'),
    properties: {
      'hadoop.version': VERSIONS.hadoop,
      'jaxb.version': VERSIONS.jaxbApi,
      'slf4j.version': VERSIONS.slf4jReload4j,
    },
    cacheDir: resolveCacheDir(cacheDir),
    artifacts: ARTIFACTS.hdfs,
  });
}

/** Compiles the MiniDFSCluster main once per source hash into the cache; returns the classes folder. */
async function compileMain(options: {
  java: JavaTools;
  libDir: string;
  cacheDir: string;
}): Promise<string> {
  const source = join(packageRoot(), ...MAIN_SOURCE);
  const hash = createHash('sha256')
    .update(readFileSync(source))
    .update(VERSIONS.hadoop)
    .digest('hex')
    .slice(0, 12);
  const classesDir = join(options.cacheDir, `hdfs-main-${hash}`);
  if (existsSync(join(classesDir, '.complete'))) return classesDir;
  mkdirSync(options.cacheDir, { recursive: true });
  const tempDir = mkdtempSync(join(options.cacheDir, '.tmp-hdfs-main-'));
  try {
    let result;
    try {
      result = await runCommand({
        command: options.java.javac,
        args: [
          '-nowarn',
          '-encoding',
          'UTF-8',
          '-d',
          tempDir,
          '-cp',
          classpathOf(join(options.libDir, '*')),
          source,
        ],
        timeoutMs: 120_000,
      });
    } catch (error) {
      throw jdkToolMissing(options.java.javac, error);
    }
    if (result.code !== 0) {
      throw new TestkitError(
        `javac failed to compile ${source}:\n${result.stdout}${result.stderr}`.trim(),
        {
          code: TESTKIT_ERROR_CODES.COMMAND_FAILED,
        },
      );
    }
    writeFileSync(join(tempDir, '.complete'), '');
    try {
      renameSync(tempDir, classesDir);
    } catch (error) {
      if (!existsSync(join(classesDir, '.complete'))) throw error;
    }
    return classesDir;
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

function defaultUser(): string {
  const fromEnv = process.env['SLUICE_HDFS_USER'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'sluice';
  }
}

interface ShellContext {
  java: string;
  libDir: string;
  /** Holds core-site.xml (client settings; Hadoop refuses to run without one) and log4j.properties. */
  confDir: string;
  defaultFs: string;
  user: string;
}

/** Client settings FsShell runs with (its core-site.xml; the file system comes from `-fs`). */
const SHELL_CLIENT_CONFIG = {
  'dfs.client.block.write.replace-datanode-on-failure.enable': 'false',
  'dfs.client.block.write.locateFollowingBlock.initial.delay.ms': '10',
} as const;
const SHELL_CONF_VERSION = 1;

async function runFsShell(
  context: ShellContext,
  args: readonly string[],
  options: FsShellOptions = {},
): Promise<FsShellResult> {
  const result = await runCommand({
    command: context.java,
    args: [
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Xshare:auto',
      `-Dlog4j.configuration=file:${join(context.confDir, 'log4j.properties')}`,
      '-cp',
      classpathOf(context.confDir, join(context.libDir, '*')),
      'org.apache.hadoop.fs.FsShell',
      '-fs',
      context.defaultFs,
      ...args,
    ],
    env: { ...process.env, HADOOP_USER_NAME: context.user },
    input: options.input,
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  if (result.timedOut) {
    throw new TestkitError(
      `FsShell ${args.join(' ')} timed out after ${options.timeoutMs ?? 120_000} ms:\n${result.stderr}`,
      {
        code: TESTKIT_ERROR_CODES.COMMAND_FAILED,
      },
    );
  }
  return { stdout: result.stdout, stderr: result.stderr, code: result.code ?? 1 };
}

/** Writes (atomically, once per version) FsShell's conf folder into the cache; returns it. */
function shellConfDir(cacheDir: string): string {
  const dir = join(cacheDir, `fsshell-conf-v${SHELL_CONF_VERSION}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  mkdirSync(cacheDir, { recursive: true });
  const temp = mkdtempSync(join(cacheDir, '.tmp-fsshell-conf-'));
  try {
    writeFileSync(join(temp, 'core-site.xml'), renderSiteXml(SHELL_CLIENT_CONFIG));
    writeFileSync(join(temp, 'log4j.properties'), renderHdfsLog4j('WARN'));
    writeFileSync(join(temp, '.complete'), '');
    try {
      renameSync(temp, dir);
    } catch (error) {
      if (!existsSync(join(dir, '.complete'))) throw error;
    }
    return dir;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Options of {@link createFsShell}. */
export interface CreateFsShellOptions {
  /**
   * Where the Hadoop jars are cached.
   * @defaultValue `$SLUICE_CACHE_DIR`, else `~/.cache/sluice`
   */
  cacheDir?: string;
}

/** Runs FsShell against one file system; see {@link HdfsServer.fsShell}. */
export type FsShell = (args: readonly string[], options?: FsShellOptions) => Promise<FsShellResult>;

/**
 * An FsShell runner for a provided {@link HdfsConnectionInfo} (e.g. from `injectHdfs(inject)` in
 * a test worker, where the server handle is not available). Uses `rpcUrl` when present, else
 * the `webhdfs://` file system.
 */
export function createFsShell(
  info: HdfsConnectionInfo,
  options: CreateFsShellOptions = {},
): FsShell {
  let shell: Promise<ShellContext> | undefined;
  return async (args, shellOptions) => {
    shell ??= (async () => {
      const java = await findJava();
      const libDir = await resolveHdfsJars(options.cacheDir);
      const confDir = shellConfDir(resolveCacheDir(options.cacheDir));
      const defaultFs =
        info.rpcUrl ?? info.webhdfsUrl.replace(/^http:/, 'webhdfs:').replace(/\/webhdfs\/v1$/, '');
      return { java: java.java, libDir, confDir, defaultFs, user: info.user };
    })();
    return runFsShell(await shell, args, shellOptions);
  };
}

function externalServer(options: {
  webhdfsUrl: string;
  user: string;
  cacheDir: string | undefined;
}): HdfsServer {
  const rpc = process.env['SLUICE_HDFS_RPC_URL'];
  const info: HdfsConnectionInfo = {
    webhdfsUrl: options.webhdfsUrl,
    user: options.user,
    external: true,
  };
  if (rpc !== undefined && rpc !== '') info.rpcUrl = rpc;
  return {
    ...info,
    pid: () => undefined,
    stop: () => Promise.resolve(),
    restartDataNode: notPossibleForExternal(
      'restartDataNode() is not possible for an external HDFS (SLUICE_WEBHDFS_URL is set).',
    ),
    fsShell: createFsShell(info, { cacheDir: options.cacheDir }),
    info: () => ({ ...info }),
  };
}

interface HdfsLayout {
  libDir: string;
  classesDir: string;
  dataDir: string;
  confDir: string;
  logFile: string;
  ports: number[];
}

function launch(
  prepared: Prepared,
  layout: HdfsLayout,
  settings: { jvmArgs: readonly string[]; keepWorkDir: boolean },
): ServerProcess {
  return startServerProcess({
    kind: 'hdfs',
    java: prepared.java.java,
    args: [
      ...settings.jvmArgs,
      `-Dlog4j.configuration=file:${join(layout.confDir, 'server-log4j.properties')}`,
      '-cp',
      classpathOf(layout.classesDir, join(layout.libDir, '*')),
      MAIN_CLASS,
      layout.dataDir,
      ...layout.ports.map(String),
    ],
    cwd: prepared.workDir,
    logFile: layout.logFile,
    runDir: prepared.runDir,
    marker: prepared.marker,
    workDir: prepared.workDir,
    removeWorkDirOnKill: !settings.keepWorkDir,
    interactive: true,
  });
}

/** Waits for a line matching `accept` (or the process exit, or the deadline). */
function waitForLine<T>(
  server: ServerProcess,
  options: { accept: (line: string) => T | undefined; timeoutMs: number; what: string },
): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`));
    }, options.timeoutMs);
    const off = server.onLine((line) => {
      const value = options.accept(line);
      if (value === undefined) return;
      clearTimeout(timer);
      off();
      resolvePromise(value);
    });
    void server.exited.then(() => {
      clearTimeout(timer);
      off();
      reject(new Error(`the HDFS JVM exited while waiting for ${options.what}`));
    });
  });
}

/**
 * Starts HDFS (one NameNode and one DataNode, MiniDFSCluster, in one JVM) on free ports of
 * 127.0.0.1 with WebHDFS on and permissions off, and resolves once a file can be written and read
 * through WebHDFS. If `SLUICE_WEBHDFS_URL` is set, returns that server instead.
 *
 * @throws TestkitError with code TESTKIT_JAVA_MISSING, TESTKIT_MAVEN_RESOLVE, TESTKIT_PORT_IN_USE,
 * TESTKIT_SERVER_EXITED or TESTKIT_START_TIMEOUT.
 */
export async function startHdfs(options: StartHdfsOptions = {}): Promise<HdfsServer> {
  const user = options.user ?? defaultUser();
  const externalUrl = process.env['SLUICE_WEBHDFS_URL'];
  if (options.useExternal !== false && externalUrl !== undefined && externalUrl !== '') {
    return externalServer({
      webhdfsUrl: normaliseWebhdfsUrl(externalUrl),
      user,
      cacheDir: options.cacheDir,
    });
  }
  rejectContainersMode();
  const java = await findJava();
  const cacheDir = resolveCacheDir(options.cacheDir);
  const libDir = await resolveHdfsJars(cacheDir);
  const classesDir = await compileMain({ java, libDir, cacheDir });
  const prepared = await prepareServer('hdfs', cacheDir);
  const keepWorkDir = options.keepWorkDir ?? keepWorkDirDefault();
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const jvmArgs = options.jvmArgs ?? DEFAULT_JVM_ARGS;
  const { workDir } = prepared;
  const logFile = join(workDir, 'hdfs.log');
  const confDir = join(workDir, 'conf');
  mkdirSync(confDir);
  writeFileSync(join(confDir, 'server-log4j.properties'), renderHdfsLog4j('INFO'));
  const name = `HDFS ${VERSIONS.hadoop}`;

  let server: ServerProcess | undefined;
  let ready: HdfsReadyLine | undefined;
  try {
    for (let attempt = 1; server === undefined; attempt += 1) {
      const layout: HdfsLayout = {
        libDir,
        classesDir,
        dataDir: join(workDir, 'dfs'),
        confDir,
        logFile,
        ports: await freePorts(5),
      };
      rmSync(layout.dataDir, { recursive: true, force: true });
      const candidate = launch(prepared, layout, { jvmArgs, keepWorkDir });
      const deadline = Date.now() + timeoutMs;
      try {
        ready = await waitForLine(candidate, {
          accept: parseReadyLine,
          timeoutMs,
          what: 'the HDFS ready line',
        }).catch((error: unknown) => {
          if (candidate.exitStatus() !== undefined)
            throw serverExitedError({ name, process: candidate, logFile });
          throw error;
        });
        const readyLine = ready;
        await waitFor(
          () =>
            webhdfsCheck({
              webhdfsUrl: `http://127.0.0.1:${readyLine.http}/webhdfs/v1`,
              user,
              path: `/tmp/.sluice-testkit-ready-${randomBytes(4).toString('hex')}`,
            }),
          {
            description: 'a file to be written and read through WebHDFS',
            timeoutMs: Math.max(1000, deadline - Date.now()),
            intervalMs: 250,
            abortCheck: () => {
              if (candidate.exitStatus() !== undefined)
                throw serverExitedError({ name, process: candidate, logFile });
            },
          },
        );
        server = candidate;
      } catch (error) {
        await candidate.stop(2000);
        const failure = startFailure(error, { name, logFile });
        const portRace =
          failure instanceof TestkitError && failure.code === TESTKIT_ERROR_CODES.PORT_IN_USE;
        if (!portRace || attempt >= PORT_ATTEMPTS || !logShowsPortInUse(logFile)) {
          if (failure instanceof Error && !(failure instanceof TestkitError)) {
            throw new TestkitError(
              `${name} did not start: ${failure.message}. Log ${logFile}, last 50 lines:\n${tailFile(logFile, 50)}`,
              {
                code: TESTKIT_ERROR_CODES.START_TIMEOUT,
                cause: failure,
                logFile,
              },
            );
          }
          throw failure;
        }
        // Keep the lost attempt's log aside, so the next attempt's errors are judged on their own.
        renameSync(logFile, `${logFile}.attempt-${attempt}`);
      }
    }
  } catch (error) {
    if (!keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  if (ready === undefined) throw new Error('unreachable: no ready line');

  const webhdfsUrl = `http://127.0.0.1:${ready.http}/webhdfs/v1`;
  const rpcUrl = `hdfs://127.0.0.1:${ready.rpc}`;
  const shell: ShellContext = {
    java: java.java,
    libDir,
    confDir: shellConfDir(cacheDir),
    defaultFs: rpcUrl,
    user,
  };
  const info: HdfsConnectionInfo = {
    webhdfsUrl,
    rpcUrl,
    user,
    external: false,
    logFile,
    version: VERSIONS.hadoop,
  };
  const running = server;
  let stopped = false;
  let commandChain: Promise<unknown> = Promise.resolve();

  const command = (line: string, commandTimeoutMs: number): Promise<void> => {
    const run = async (): Promise<void> => {
      if (stopped || running.exitStatus() !== undefined) {
        throw new TestkitError(
          `${name} is not running (stopped or exited); cannot run "${line}".`,
          {
            code: TESTKIT_ERROR_CODES.SERVER_EXITED,
            logFile,
          },
        );
      }
      const answer = waitForLine(running, {
        accept: (out) =>
          out.startsWith(`SLUICE_HDFS_OK ${line}`) || out.startsWith(`SLUICE_HDFS_ERR ${line}`)
            ? out
            : undefined,
        timeoutMs: commandTimeoutMs,
        what: `the answer to "${line}"`,
      });
      running.send(line);
      let reply: string;
      try {
        reply = await answer;
      } catch (error) {
        throw new TestkitError(
          `${name}: "${line}" failed: ${(error as Error).message}. Log ${logFile}, last 50 lines:\n${tailFile(logFile, 50)}`,
          {
            code:
              running.exitStatus() === undefined
                ? TESTKIT_ERROR_CODES.COMMAND_FAILED
                : TESTKIT_ERROR_CODES.SERVER_EXITED,
            cause: error,
            logFile,
          },
        );
      }
      if (reply.startsWith('SLUICE_HDFS_ERR')) {
        throw new TestkitError(`${name}: "${line}" failed: ${reply}`, {
          code: TESTKIT_ERROR_CODES.COMMAND_FAILED,
          logFile,
        });
      }
    };
    const next = commandChain.then(run, run);
    commandChain = next.catch(() => undefined);
    return next;
  };

  return {
    ...info,
    workDir,
    pid: () => (running.exitStatus() === undefined ? running.pid : undefined),
    info: () => ({ ...info }),
    fsShell: (args, shellOptions) => runFsShell(shell, args, shellOptions),
    async restartDataNode() {
      await command('restart-datanode', timeoutMs);
      await waitFor(
        () =>
          webhdfsCheck({
            webhdfsUrl,
            user,
            path: `/tmp/.sluice-testkit-ready-${randomBytes(4).toString('hex')}`,
          }),
        { description: 'WebHDFS writes after the DataNode restart', timeoutMs, intervalMs: 250 },
      ).catch((error: unknown) => {
        throw startFailure(error, { name, logFile });
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (running.exitStatus() === undefined) {
        try {
          // A clean MiniDFSCluster shutdown first; signals only if it takes too long.
          running.send('shutdown');
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            running.exited,
            new Promise((resolveDelay) => (timer = setTimeout(resolveDelay, 5000))),
          ]);
          clearTimeout(timer);
        } catch {
          // stdin already closed
        }
      }
      await running.stop(10_000);
      if (!keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    },
  };
}
