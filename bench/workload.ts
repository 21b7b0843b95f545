/** The benchmark records and the per-record work shared by every Node implementation. */

/** One input record as JSON text of `size` bytes (padded). */
export function makeRecord(id: number, size: number): string {
  const base = {
    id,
    ts: Date.now(),
    user: `user-${id % 1000}`,
    country: ['de', 'fr', 'us', 'jp'][id % 4] as string,
    amount: Math.round((id % 10_000) * 1.37) / 100,
    pad: '',
  };
  const length = Buffer.byteLength(JSON.stringify(base));
  base.pad = 'x'.repeat(Math.max(0, size - length));
  return JSON.stringify(base);
}

interface InputRecord {
  id: number;
  ts: number;
  user: string;
  country: string;
  amount: number;
  pad: string;
}

/**
 * Parse → filter → map, as the Flink job does: drops ids divisible by 10 (returns ''), replaces
 * `amount` by `cents`, upper-cases `country`, re-encodes as JSON.
 */
export function transform(text: string): string {
  const record = JSON.parse(text) as InputRecord;
  if (record.id % 10 === 0) return '';
  return JSON.stringify({
    id: record.id,
    ts: record.ts,
    user: record.user,
    country: record.country.toUpperCase(),
    pad: record.pad,
    cents: Math.round(record.amount * 100),
  });
}

/** How many of the ids 0 … n − 1 pass the filter. */
export function expectedOutput(n: number): number {
  return n - Math.ceil(n / 10);
}

/** Scenario B's input to the keyed step: the user and the amount in cents, or undefined when filtered out. */
export function parseForAggregate(text: string): { user: string; cents: number } | undefined {
  const record = JSON.parse(text) as InputRecord;
  if (record.id % 10 === 0) return undefined;
  return { user: record.user, cents: Math.round(record.amount * 100) };
}

/** Scenario B's output record: the running count and sum of a user. */
export function aggregateOutput(user: string, count: number, cents: number): string {
  return JSON.stringify({ user, count, cents });
}
