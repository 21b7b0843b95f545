import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TESTKIT_ERROR_CODES } from '../errors.js';
import { tailFile } from './log-tail.js';
import { logShowsPortInUse, serverExitedError, startFailure } from './server-common.js';
import type { ServerProcess } from './server-process.js';
import { WaitTimeoutError } from './wait-for.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-testkit-common-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const exitedProcess = { exitStatus: () => 1 } as unknown as ServerProcess;

describe('server start errors', () => {
  it('classifies a bind failure in the log as TESTKIT_PORT_IN_USE (retriable)', () => {
    const log = join(dir, 'server.log');
    writeFileSync(log, 'starting\njava.net.BindException: Address already in use\n');
    expect(logShowsPortInUse(log)).toBe(true);
    const error = serverExitedError({ name: 'Kafka', process: exitedProcess, logFile: log });
    expect(error.code).toBe(TESTKIT_ERROR_CODES.PORT_IN_USE);
    expect(error.retriable).toBe(true);
  });

  it('reports other exits as TESTKIT_SERVER_EXITED with the last 50 log lines', () => {
    const log = join(dir, 'server.log');
    writeFileSync(log, Array.from({ length: 80 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const error = serverExitedError({ name: 'HDFS', process: exitedProcess, logFile: log });
    expect(error.code).toBe(TESTKIT_ERROR_CODES.SERVER_EXITED);
    expect(error.logFile).toBe(log);
    expect(error.message).toContain('line 79');
    expect(error.message).toContain('line 30');
    expect(error.message).not.toContain('line 29\n');
  });

  it('turns a wait timeout into TESTKIT_START_TIMEOUT and passes other errors through', () => {
    const log = join(dir, 'missing.log');
    const timeout = startFailure(
      new WaitTimeoutError('timed out after 5 ms waiting for x', undefined),
      {
        name: 'Kafka',
        logFile: log,
      },
    );
    expect(timeout).toMatchObject({ code: TESTKIT_ERROR_CODES.START_TIMEOUT, logFile: log });
    const other = new Error('other');
    expect(startFailure(other, { name: 'Kafka', logFile: log })).toBe(other);
  });
});

describe('tailFile', () => {
  it('returns the last lines, or nothing for a missing file', () => {
    const file = join(dir, 'big.log');
    writeFileSync(file, Array.from({ length: 100_000 }, (_, i) => `row ${i}`).join('\n') + '\n');
    expect(tailFile(file, 2)).toBe('row 99998\nrow 99999');
    expect(tailFile(join(dir, 'nope'))).toBe('');
  });
});
