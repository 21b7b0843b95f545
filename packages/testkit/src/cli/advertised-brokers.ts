// Where a running `sluice-testkit kafka` says which brokers it serves, so that `produce` and
// `consume` find them without flags: one small JSON file per CLI process under
// `<cache>/cli/`, removed when that CLI stops (a file left by a killed CLI is ignored and removed).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { procStartTime } from '../internal/pid-file.js';

interface Advertisement {
  readonly version: 1;
  readonly pid: number;
  readonly startTime: string;
  readonly bootstrapServers: readonly string[];
}

function folderOf(cacheDir: string): string {
  return join(cacheDir, 'cli');
}

/** Records that this process serves `bootstrapServers`; returns a function that removes the record. */
export function advertiseBrokers(
  cacheDir: string,
  bootstrapServers: readonly string[],
): () => void {
  const startTime = procStartTime(process.pid);
  if (startTime === undefined) return () => undefined; // no /proc: nothing to advertise safely
  const record: Advertisement = { version: 1, pid: process.pid, startTime, bootstrapServers };
  mkdirSync(folderOf(cacheDir), { recursive: true });
  const file = join(folderOf(cacheDir), `kafka-${process.pid}.json`);
  writeFileSync(file, `${JSON.stringify(record)}\n`);
  return () => rmSync(file, { force: true });
}

function parse(text: string): Advertisement | undefined {
  try {
    const value = JSON.parse(text) as Partial<Advertisement>;
    const ok =
      value.version === 1 &&
      typeof value.pid === 'number' &&
      typeof value.startTime === 'string' &&
      Array.isArray(value.bootstrapServers) &&
      value.bootstrapServers.every((server) => typeof server === 'string');
    return ok ? (value as Advertisement) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The brokers of the most recently started `sluice-testkit kafka` that still runs, or `undefined`.
 * Records of CLIs that are gone (or whose pid was reused) are removed.
 */
export function findAdvertisedBrokers(cacheDir: string): readonly string[] | undefined {
  let names: string[];
  try {
    names = readdirSync(folderOf(cacheDir)).filter(
      (name) => name.startsWith('kafka-') && name.endsWith('.json'),
    );
  } catch {
    return undefined;
  }
  const live: Advertisement[] = [];
  for (const name of names) {
    const file = join(folderOf(cacheDir), name);
    let record: Advertisement | undefined;
    try {
      record = parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (record !== undefined && procStartTime(record.pid) === record.startTime) live.push(record);
    else rmSync(file, { force: true });
  }
  live.sort((a, b) => Number(BigInt(b.startTime) - BigInt(a.startTime)));
  return live[0]?.bootstrapServers;
}
