/**
 * Independent reader of the fault-test job's output: it knows only the output format (committed
 * `*.txt` files of newline-terminated decimal numbers), not the sink's code.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the committed output holds compared with the input `0..count-1`. */
export interface ExactlyOnceReport {
  /** Inputs that appear in no committed file, ascending. */
  readonly missing: number[];
  /** Inputs that appear more than once, with their count, ascending. */
  readonly duplicates: [value: number, times: number][];
  /** Values that are not inputs (out of range or not numbers). */
  readonly unexpected: string[];
  /** Files in the committed directory that are not committed output (e.g. `.tmp` files). */
  readonly foreignFiles: string[];
  /** Committed files whose last line is not newline-terminated (a torn write). */
  readonly tornFiles: string[];
  /** Number of committed files read. */
  readonly files: number;
  /** Number of records read. */
  readonly records: number;
}

/** True when the report shows every input exactly once and nothing else. */
export function isExactlyOnce(report: ExactlyOnceReport): boolean {
  return (
    report.missing.length === 0 &&
    report.duplicates.length === 0 &&
    report.unexpected.length === 0 &&
    report.foreignFiles.length === 0 &&
    report.tornFiles.length === 0
  );
}

/** A short human-readable summary of what is wrong (or "exactly once"). */
export function describeReport(report: ExactlyOnceReport): string {
  if (isExactlyOnce(report)) return `exactly once (${report.records} records in ${report.files} files)`;
  const head = <T>(items: readonly T[]): string =>
    `${items.length} [${items.slice(0, 20).map(String).join(', ')}${items.length > 20 ? ', ...' : ''}]`;
  return [
    `missing ${head(report.missing)}`,
    `duplicated ${head(report.duplicates.map(([value, times]) => `${value}×${times}`))}`,
    `unexpected ${head(report.unexpected)}`,
    `foreign files ${head(report.foreignFiles)}`,
    `torn files ${head(report.tornFiles)}`,
    `${report.records} records in ${report.files} files`,
  ].join('; ');
}

/** Counts the lines of the given file contents against the input `0..count-1`. */
export function checkContents(
  files: ReadonlyMap<string, string>,
  options: { count: number; foreignFiles?: readonly string[] },
): ExactlyOnceReport {
  const seen = new Map<number, number>();
  const unexpected: string[] = [];
  const tornFiles: string[] = [];
  let records = 0;
  for (const [name, text] of files) {
    if (text.length === 0) continue;
    if (!text.endsWith('\n')) tornFiles.push(name);
    for (const line of text.split('\n')) {
      if (line === '') continue;
      records += 1;
      const value = Number(line);
      if (!/^\d+$/.test(line) || value >= options.count) {
        unexpected.push(line);
        continue;
      }
      seen.set(value, (seen.get(value) ?? 0) + 1);
    }
  }
  const missing: number[] = [];
  const duplicates: [number, number][] = [];
  for (let value = 0; value < options.count; value += 1) {
    const times = seen.get(value) ?? 0;
    if (times === 0) missing.push(value);
    else if (times > 1) duplicates.push([value, times]);
  }
  return {
    missing,
    duplicates,
    unexpected,
    foreignFiles: [...(options.foreignFiles ?? [])],
    tornFiles,
    files: files.size,
    records,
  };
}

/** Reads every file of `committedDir` and checks it against the input `0..count-1`. */
export async function checkCommittedOutput(committedDir: string, count: number): Promise<ExactlyOnceReport> {
  const names = (await readdir(committedDir)).sort();
  const files = new Map<string, string>();
  const foreignFiles: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.txt')) {
      foreignFiles.push(name);
      continue;
    }
    files.set(name, await readFile(join(committedDir, name), 'utf8'));
  }
  return checkContents(files, { count, foreignFiles });
}
