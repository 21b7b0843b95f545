// Start failures surface as typed errors with the reason (never a silent skip or a hang).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TESTKIT_ERROR_CODES,
  isTestkitError,
  startHdfs,
  startKafka,
  testkitGlobalSetup,
} from '../src/index.js';
import type { TestkitError } from '../src/index.js';

const saved = { PATH: process.env['PATH'], JAVA_HOME: process.env['JAVA_HOME'] };
afterEach(() => {
  process.env['PATH'] = saved.PATH;
  if (saved.JAVA_HOME === undefined) delete process.env['JAVA_HOME'];
  else process.env['JAVA_HOME'] = saved.JAVA_HOME;
});

async function failure(start: Promise<unknown>): Promise<TestkitError> {
  const error = await start.then(
    () => new Error('expected the start to fail'),
    (e: unknown) => e,
  );
  if (!isTestkitError(error)) throw error;
  return error;
}

describe('start failures', () => {
  it('TESTKIT_JAVA_MISSING with an install hint when there is no java', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sluice-testkit-nojava-'));
    process.env['PATH'] = empty;
    process.env['JAVA_HOME'] = empty;
    try {
      const error = await failure(startHdfs({ useExternal: false }));
      expect(error.code).toBe(TESTKIT_ERROR_CODES.JAVA_MISSING);
      expect(error.message).toMatch(/Install a JDK 17/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('TESTKIT_SERVER_EXITED with the log tail when the broker JVM dies at once', async () => {
    const error = await failure(startKafka({ useExternal: false, jvmArgs: ['-Xmx1m', '-Xms1m'] }));
    expect(error.code).toBe(TESTKIT_ERROR_CODES.SERVER_EXITED);
    expect(error.message).toMatch(/heap/i);
    expect(error.message).toContain('last 50 lines');
    // The work folder (with the log) is removed unless keepWorkDir is set.
    expect(error.logFile !== undefined && existsSync(error.logFile)).toBe(false);
  });

  it('TESTKIT_SERVER_EXITED for HDFS too, keeping the log when asked', async () => {
    const error = await failure(
      startHdfs({ useExternal: false, jvmArgs: ['-Xmx1m', '-Xms1m'], keepWorkDir: true }),
    );
    expect(error.code).toBe(TESTKIT_ERROR_CODES.SERVER_EXITED);
    expect(error.logFile).toBeDefined();
    expect(existsSync(error.logFile ?? '')).toBe(true);
    rmSync(join(error.logFile ?? '', '..'), { recursive: true, force: true });
  });

  it('TESTKIT_START_TIMEOUT when the deadline passes, and the JVM is stopped', async () => {
    const error = await failure(startHdfs({ useExternal: false, startTimeoutMs: 1 }));
    expect(error.code).toBe(TESTKIT_ERROR_CODES.START_TIMEOUT);
    expect(error.message).toMatch(/did not (become ready|start)/);
  });

  it('testkitGlobalSetup reports both failures and provides nothing', async () => {
    const savedMode = process.env['SLUICE_TESTKIT'];
    process.env['SLUICE_TESTKIT'] = 'containers';
    const provided: string[] = [];
    try {
      const error = await testkitGlobalSetup(
        { provide: (key) => provided.push(key) },
        { kafka: { useExternal: false }, hdfs: { useExternal: false } },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AggregateError);
      const errors = (error as AggregateError).errors;
      expect(errors.map((e) => isTestkitError(e) && e.code)).toEqual([
        TESTKIT_ERROR_CODES.NOT_SUPPORTED,
        TESTKIT_ERROR_CODES.NOT_SUPPORTED,
      ]);
      expect(provided).toEqual([]);
    } finally {
      if (savedMode === undefined) delete process.env['SLUICE_TESTKIT'];
      else process.env['SLUICE_TESTKIT'] = savedMode;
    }
  });
});
