import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a pid file records about one server the testkit started. */
export interface PidRecord {
  /** Format version of the file. */
  version: 1;
  /** `kafka` or `hdfs`. */
  kind: string;
  /** The Java process id, which is also its process group id (spawned detached). */
  pid: number;
  /** The Java process start time (clock ticks since boot, from /proc), to detect pid reuse. */
  startTime: string;
  /** The Node process that started it. */
  ownerPid: number;
  /** The owner's start time, to detect pid reuse of the owner. */
  ownerStartTime: string;
  /** A string present in the Java command line, proving the process is ours. */
  marker: string;
  /** The per-run folder (data, logs) to remove with it. */
  workDir: string;
}

/** Reads a process' start time (field 22 of /proc/<pid>/stat); `undefined` if it is gone. */
export function procStartTime(pid: number): string | undefined {
  try {
    return parseProcStatStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Parses field 22 (starttime) of a /proc/<pid>/stat line; the command name may hold spaces and ')'. */
export function parseProcStatStartTime(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const value = fields[19];
  return value !== undefined && /^\d+$/.test(value) ? value : undefined;
}

/** Serialises a pid record (one JSON object). */
export function formatPidRecord(record: PidRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** Parses a pid file; `undefined` for anything malformed (such files are removed by cleanup). */
export function parsePidRecord(text: string): PidRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const isPid = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 1;
  if (
    r['version'] !== 1 ||
    typeof r['kind'] !== 'string' ||
    !isPid(r['pid']) ||
    typeof r['startTime'] !== 'string' ||
    !isPid(r['ownerPid']) ||
    typeof r['ownerStartTime'] !== 'string' ||
    typeof r['marker'] !== 'string' ||
    r['marker'].length < 8 ||
    typeof r['workDir'] !== 'string'
  ) {
    return undefined;
  }
  return {
    version: 1,
    kind: r['kind'],
    pid: r['pid'],
    startTime: r['startTime'],
    ownerPid: r['ownerPid'],
    ownerStartTime: r['ownerStartTime'],
    marker: r['marker'],
    workDir: r['workDir'],
  };
}

/** How cleanup looks at processes; injectable for tests. */
export interface ProcessProbe {
  startTime(pid: number): string | undefined;
  cmdline(pid: number): string | undefined;
  killGroup(pgid: number): void;
}

/** The probe over /proc and process.kill. */
export const systemProbe: ProcessProbe = {
  startTime: procStartTime,
  cmdline(pid) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      return undefined;
    }
  },
  killGroup(pgid) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  },
};

/** True when the Node process that owns the record is gone (or its pid was reused). */
export function ownerIsDead(record: PidRecord, probe: ProcessProbe): boolean {
  const start = probe.startTime(record.ownerPid);
  return start === undefined || start !== record.ownerStartTime;
}

/** True when the recorded server still runs and is provably ours (same start time, marker in cmdline). */
export function serverIsOurs(record: PidRecord, probe: ProcessProbe): boolean {
  if (probe.startTime(record.pid) !== record.startTime) return false;
  const cmdline = probe.cmdline(record.pid);
  return cmdline !== undefined && cmdline.includes(record.marker);
}

/** Writes the pid file of a started server; returns its path. */
export function writePidFile(runDir: string, record: PidRecord): string {
  mkdirSync(runDir, { recursive: true });
  const file = join(runDir, `${record.kind}-${record.pid}.json`);
  writeFileSync(file, formatPidRecord(record));
  return file;
}

/** Options of {@link cleanupStaleServers}. */
export interface CleanupOptions {
  runDir: string;
  /** @defaultValue the real /proc probe */
  probe?: ProcessProbe;
}

/**
 * Kills servers left behind by dead test runs: for each pid file whose owner is dead, kills the
 * server's process group if it is still ours, then removes the pid file and the run's work
 * folder. Pid files of live owners are left alone. Returns the records cleaned up.
 */
export function cleanupStaleServers(options: CleanupOptions): PidRecord[] {
  const probe = options.probe ?? systemProbe;
  let names: string[];
  try {
    names = readdirSync(options.runDir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const cleaned: PidRecord[] = [];
  for (const name of names) {
    const file = join(options.runDir, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const record = parsePidRecord(text);
    if (record === undefined) {
      rmSync(file, { force: true });
      continue;
    }
    if (!ownerIsDead(record, probe)) continue;
    if (serverIsOurs(record, probe)) probe.killGroup(record.pid);
    rmSync(file, { force: true });
    if (record.workDir.includes('sluice-testkit-'))
      rmSync(record.workDir, { recursive: true, force: true });
    cleaned.push(record);
  }
  return cleaned;
}
