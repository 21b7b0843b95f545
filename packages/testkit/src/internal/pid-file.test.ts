import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupStaleServers,
  formatPidRecord,
  parsePidRecord,
  parseProcStatStartTime,
  procStartTime,
  writePidFile,
} from './pid-file.js';
import type { PidRecord, ProcessProbe } from './pid-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-testkit-pidtest-'));
  dirs.push(dir);
  return dir;
}

function record(overrides: Partial<PidRecord> = {}): PidRecord {
  return {
    version: 1,
    kind: 'kafka',
    pid: 4242,
    startTime: '1000',
    ownerPid: 77,
    ownerStartTime: '500',
    marker: 'kafka-77-abcdef012345',
    workDir: '/nonexistent/sluice-testkit-kafka-x',
    ...overrides,
  };
}

/** A fake process table: pid → [start time, cmdline]. */
function fakeProbe(table: Record<number, [string, string]>): ProcessProbe & { killed: number[] } {
  const killed: number[] = [];
  return {
    killed,
    startTime: (pid) => table[pid]?.[0],
    cmdline: (pid) => table[pid]?.[1],
    killGroup: (pgid) => {
      killed.push(pgid);
    },
  };
}

describe('/proc parsing', () => {
  it('reads field 22 even when the command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    const stat = `123 (java (x) y) ${fields.join(' ')}`;
    expect(parseProcStatStartTime(stat)).toBe('22');
  });

  it('reads the start time of this process', () => {
    expect(procStartTime(process.pid)).toMatch(/^\d+$/);
    expect(procStartTime(2 ** 22 + 17)).toBeUndefined();
  });
});

describe('pid records', () => {
  it('round-trips', () => {
    const r = record();
    expect(parsePidRecord(formatPidRecord(r))).toEqual(r);
  });

  it.each([
    ['not json', '{'],
    ['wrong version', JSON.stringify({ ...record(), version: 2 })],
    ['pid 1', JSON.stringify({ ...record(), pid: 1 })],
    ['missing marker', JSON.stringify({ ...record(), marker: undefined })],
    ['short marker', JSON.stringify({ ...record(), marker: 'x' })],
    ['null', 'null'],
  ])('rejects %s', (_label, text) => {
    expect(parsePidRecord(text)).toBeUndefined();
  });
});

describe('cleanupStaleServers', () => {
  it('kills the server of a dead owner when the process is provably ours', () => {
    const runDir = tempDir();
    const workDir = join(tempDir(), 'sluice-testkit-kafka-abc');
    mkdirSync(workDir);
    const r = record({ workDir });
    writePidFile(runDir, r);
    const probe = fakeProbe({
      4242: ['1000', `java -Dsluice.testkit.marker=${r.marker} kafka.Kafka`],
    });
    expect(cleanupStaleServers({ runDir, probe })).toEqual([r]);
    expect(probe.killed).toEqual([4242]);
    expect(readdirSync(runDir)).toEqual([]);
    expect(existsSync(workDir)).toBe(false);
  });

  it('leaves servers of live owners alone', () => {
    const runDir = tempDir();
    writePidFile(runDir, record());
    const probe = fakeProbe({
      77: ['500', 'node'],
      4242: ['1000', 'java -Dsluice.testkit.marker=kafka-77-abcdef012345'],
    });
    expect(cleanupStaleServers({ runDir, probe })).toEqual([]);
    expect(probe.killed).toEqual([]);
    expect(readdirSync(runDir)).toHaveLength(1);
  });

  it('treats a reused owner pid (other start time) as dead', () => {
    const runDir = tempDir();
    writePidFile(runDir, record());
    const probe = fakeProbe({
      77: ['999', 'bash'],
      4242: ['1000', 'java -Dsluice.testkit.marker=kafka-77-abcdef012345'],
    });
    expect(cleanupStaleServers({ runDir, probe })).toHaveLength(1);
    expect(probe.killed).toEqual([4242]);
  });

  it('does not kill a reused server pid (other start time or no marker), but removes the file', () => {
    const runDir = tempDir();
    writePidFile(runDir, record());
    writePidFile(runDir, record({ kind: 'hdfs', pid: 5555 }));
    const probe = fakeProbe({
      4242: ['1001', 'java -Dsluice.testkit.marker=kafka-77-abcdef012345'],
      5555: ['1000', 'vim'],
    });
    expect(cleanupStaleServers({ runDir, probe })).toHaveLength(2);
    expect(probe.killed).toEqual([]);
    expect(readdirSync(runDir)).toEqual([]);
  });

  it('removes malformed pid files and tolerates a missing run dir', () => {
    const runDir = tempDir();
    writeFileSync(join(runDir, 'kafka-1.json'), 'garbage');
    expect(cleanupStaleServers({ runDir, probe: fakeProbe({}) })).toEqual([]);
    expect(readdirSync(runDir)).toEqual([]);
    expect(cleanupStaleServers({ runDir: join(runDir, 'missing') })).toEqual([]);
  });
});
