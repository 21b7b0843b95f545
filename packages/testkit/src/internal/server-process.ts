import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { procStartTime, writePidFile } from './pid-file.js';

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** `kafka` or `hdfs`, for the pid file name. */
  kind: string;
  java: string;
  /** JVM arguments, main class and program arguments (the marker property is prepended). */
  args: readonly string[];
  cwd: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Folder for the pid file. */
  runDir: string;
  /** A unique string; passed as `-Dsluice.testkit.marker=` so cleanup can recognise the JVM. */
  marker: string;
  /** Removed with the pid file when the process is cleaned up after a crash of its owner. */
  workDir: string;
  /**
   * Remove `workDir` too when this process kills the server in an emergency (exit, signal).
   * @defaultValue false
   */
  removeWorkDirOnKill?: boolean;
  /**
   * Also start a watchdog (`sh`) that kills the server's process group as soon as this Node
   * process is gone, even when it dies by SIGKILL and no exit hook runs. Pid files remain the
   * second line of defence.
   * @defaultValue true (on platforms with `/bin/sh`)
   */
  watchdog?: boolean;
  /** Pipe stdin (for commands) and stdout (for line events) instead of writing stdout to the log only. */
  interactive?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A JVM the testkit started in its own process group. */
export interface ServerProcess {
  readonly pid: number;
  /** Resolves with the exit code (or signal name) when the JVM has exited. */
  readonly exited: Promise<number | string>;
  /** The exit code/signal once exited, else `undefined`. */
  exitStatus(): number | string | undefined;
  /** Sends a line to stdin (interactive mode only). */
  send(line: string): void;
  /** Registers a listener for stdout lines (interactive mode only). */
  onLine(listener: (line: string) => void): () => void;
  /** SIGTERM to the group, then SIGKILL after `graceMs`; resolves when the JVM is gone. */
  stop(graceMs?: number): Promise<void>;
}

interface Tracked {
  pid: number;
  pidFile: string;
  /** Removed after an emergency kill, if set. */
  workDir: string | undefined;
}

const live = new Map<number, Tracked>();
let hooksInstalled = false;

function killGroupNow(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function killAllNow(): void {
  for (const tracked of live.values()) {
    killGroupNow(tracked.pid);
    rmSync(tracked.pidFile, { force: true });
  }
  for (const tracked of live.values()) {
    if (tracked.workDir === undefined) continue;
    try {
      rmSync(tracked.workDir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // the dying JVM may still write; a later run's stale cleanup does not see it, but it is in tmp
    }
  }
  live.clear();
}

let signalKills = true;

/**
 * Lets a caller that handles SIGINT/SIGTERM/SIGHUP itself (the CLI, which stops servers
 * gracefully) turn off the immediate kill on those signals. The exit hook stays.
 */
export function setKillOnSignal(enabled: boolean): void {
  signalKills = enabled;
}

function onSignal(signal: NodeJS.Signals): void {
  if (!signalKills) return;
  killAllNow();
  process.removeListener(signal, onSignal);
  // Re-raise so the default behaviour (or the next handler) still happens.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

/** Kills (SIGKILL) every server this process started and has not stopped yet. Synchronous. */
export function killAllServersNow(): void {
  killAllNow();
}

/** Number of servers this process started and has not stopped. */
export function liveServerCount(): number {
  return live.size;
}

/** The watchdog loop: polls the owner and the server once a second; kills the group if the owner is gone. */
export const WATCHDOG_SCRIPT =
  'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; ' +
  'if kill -0 "$2" 2>/dev/null && ! kill -0 "$1" 2>/dev/null; then kill -KILL "-$2" 2>/dev/null; fi';

function startWatchdog(serverPid: number, exited: Promise<unknown>): void {
  try {
    const watchdog = spawn(
      '/bin/sh',
      ['-c', WATCHDOG_SCRIPT, 'sluice-testkit-watchdog', String(process.pid), String(serverPid)],
      {
        detached: true,
        stdio: 'ignore',
      },
    );
    watchdog.on('error', () => undefined);
    watchdog.unref();
    const watchdogPid = watchdog.pid;
    if (watchdogPid === undefined) return;
    void exited.then(() => {
      try {
        process.kill(-watchdogPid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
  } catch {
    // no /bin/sh: pid files and exit hooks still apply
  }
}

/**
 * Spawns a JVM detached (its own process group), writes its pid file and registers it for
 * cleanup on exit and on SIGINT/SIGTERM/SIGHUP of this process.
 */
export function startServerProcess(options: ServerProcessOptions): ServerProcess {
  installHooks();
  const logFd = openSync(options.logFile, 'a');
  const interactive = options.interactive === true;
  let child: ChildProcess;
  try {
    child = spawn(options.java, [`-Dsluice.testkit.marker=${options.marker}`, ...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: interactive ? ['pipe', 'pipe', logFd] : ['ignore', logFd, logFd],
    });
  } catch (error) {
    closeSync(logFd);
    throw error;
  }
  const pid = child.pid;
  if (pid === undefined) {
    closeSync(logFd);
    throw new Error(`could not start ${options.java}`);
  }
  const ownerStart = procStartTime(process.pid) ?? '0';
  const pidFile = writePidFile(options.runDir, {
    version: 1,
    kind: options.kind,
    pid,
    startTime: procStartTime(pid) ?? '0',
    ownerPid: process.pid,
    ownerStartTime: ownerStart,
    marker: options.marker,
    workDir: options.workDir,
  });
  live.set(pid, {
    pid,
    pidFile,
    workDir: options.removeWorkDirOnKill === true ? options.workDir : undefined,
  });

  let status: number | string | undefined;
  const exited = new Promise<number | string>((resolvePromise) => {
    child.once('exit', (code, signal) => {
      status = code ?? signal ?? 'unknown';
      live.delete(pid);
      rmSync(pidFile, { force: true });
      killGroupNow(pid);
      resolvePromise(status);
    });
    child.once('error', () => {
      status ??= 'spawn-error';
      live.delete(pid);
      rmSync(pidFile, { force: true });
      resolvePromise(status);
    });
  });
  void exited.finally(() => closeSync(logFd));

  const listeners = new Set<(line: string) => void>();
  if (interactive && child.stdout !== null) {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        writeSync(logFd, `${line}\n`);
      } catch {
        // log closed after exit
      }
      for (const listener of listeners) listener(line);
    });
    child.stdin?.on('error', () => undefined);
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  child.unref();
  if (options.watchdog !== false && process.platform !== 'win32') startWatchdog(pid, exited);

  return {
    pid,
    exited,
    exitStatus: () => status,
    send(line) {
      if (child.stdin === null || status !== undefined)
        throw new Error('server process is not running');
      child.stdin.write(`${line}\n`);
    },
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop(graceMs = 15_000) {
      if (status !== undefined) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => killGroupNow(pid), graceMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
