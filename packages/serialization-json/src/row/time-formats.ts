/**
 * The JSON time formats of rows (Flink `JsonRowDeserializationSchema` / `JsonRowSerializationSchema`,
 * reference §9.35), always in UTC. Flink formats with the JVM's default zone while writing a `Z`
 * (a known pitfall); Sluice does not reproduce that: what is written with `Z` is UTC.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const MS_PER_DAY = 86_400_000;

function validDate(y: number, m: number, d: number): number | undefined {
  // Date.UTC maps years 0-99 to 1900-1999, so set the full year explicitly.
  const check = new Date(0);
  check.setUTCFullYear(y, m - 1, d);
  const ms = check.getTime();
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
  return ms;
}

/** `yyyy-MM-dd` → Date at 00:00 UTC; `undefined` when malformed or not a real date. */
export function parseDate(text: string): Date | undefined {
  const m = DATE.exec(text);
  if (m === null) return undefined;
  const ms = validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  return ms === undefined ? undefined : new Date(ms);
}

/** `HH:mm:ss[.SSS]Z` → milliseconds since midnight; `undefined` when malformed or out of range. */
export function parseTime(text: string): number | undefined {
  const m = TIME.exec(text);
  if (m === null) return undefined;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || min > 59 || s > 59) return undefined;
  const ms = m[4] === undefined ? 0 : Number(m[4].padEnd(3, '0'));
  return ((h * 60 + min) * 60 + s) * 1000 + ms;
}

/** `yyyy-MM-ddTHH:mm:ss[.fraction]Z` → Date (digits below the millisecond are dropped). */
export function parseTimestamp(text: string): Date | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const day = validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  const [h, min, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (day === undefined || h > 23 || min > 59 || s > 59) return undefined;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  return new Date(day + ((h * 60 + min) * 60 + s) * 1000 + ms);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Date → `yyyy-MM-dd` (UTC). */
export function formatDate(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** Milliseconds since midnight → `HH:mm:ss'Z'`, or `HH:mm:ss.SSS'Z'` when there are milliseconds. */
export function formatTime(msOfDay: number): string {
  const s = Math.floor(msOfDay / 1000);
  const ms = msOfDay % 1000;
  const base = `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  return ms === 0 ? `${base}Z` : `${base}.${pad(ms, 3)}Z`;
}

/** True when `value` is a valid time of day in milliseconds. */
export function isTimeOfDay(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < MS_PER_DAY;
}

/** Date → `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (UTC; years 0000-9999). */
export function formatTimestamp(date: Date): string {
  return date.toISOString();
}
