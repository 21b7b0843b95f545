/**
 * Child processes of the connector and file benchmarks: every measured job runs in its own process,
 * started and (on any exit path of the driver) killed from here; plus the driver's log line.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();

/** A driver's progress line on stderr, with the time of day. */
export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** What {@link run} resolves with. */
export interface RunResult {
  stdout: string;
  /** The last 20,000 characters of stderr. */
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link run}. */
export interface RunOptions {
  cwd?: string;
  /** SIGKILL the process after this long. @defaultValue no limit */
  timeoutMs?: number;
  /** Called with every stdout line as it arrives. */
  onLine?: (line: string, child: ChildProcess) => void;
  /** Called with every stderr line as it arrives (stderr itself is kept only as a tail). */
  onErrorLine?: (line: string) => void;
}

/** Splits a stream's chunks into lines and hands each complete line to `each`. */
function lineSplitter(each: (line: string) => void): (text: string) => void {
  let pending = '';
  return (text) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) each(line);
  };
}

/** Runs a command; resolves with its output and exit (never rejects on a non-zero exit). */
export function run(
  command: string,
  commandArgs: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, commandArgs, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    const { onLine, onErrorLine } = options;
    const outLines = onLine === undefined ? undefined : lineSplitter((line) => onLine(line, child));
    const errLines = onErrorLine === undefined ? undefined : lineSplitter(onErrorLine);
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      outLines?.(text);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr = (stderr + text).slice(-20_000);
      errLines?.(text);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      children.delete(child);
      resolvePromise({ stdout, stderr, code, signal });
    });
  });
}

/** SIGKILLs every child started by {@link run} that is still running. */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** The first line of a failed child's stderr that names an error, for a one-line failure. */
export function failureCause(result: RunResult): string {
  return result.stderr.split('\n').find((line) => /Error|error:/.test(line)) ?? '';
}
