/** Longest excerpt of a payload that goes into an error message. */
export const MAX_EXCERPT_CHARS = 64;

/** A quoted, capped excerpt of text: `"abc…" (1234 chars)` when cut. */
export function excerpt(text: string, max = MAX_EXCERPT_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} chars)`;
}

/** Hex of up to `max` bytes around `at`, e.g. `c3 28`. */
export function hexAround(bytes: Uint8Array, at: number, max = 8): string {
  const start = Math.max(0, at);
  const slice = bytes.subarray(start, Math.min(bytes.length, start + max));
  return Array.from(slice, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** A short description of a JS value's JSON type, with a capped excerpt for scalars. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array (length ${value.length})`;
  switch (typeof value) {
    case 'string':
      return `string ${excerpt(value, 40)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'object':
      if (value instanceof Date) return `Date ${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}`;
      if (value instanceof Uint8Array) return `Uint8Array (${value.length} bytes)`;
      return 'object';
    case 'undefined':
      return 'undefined';
    case 'function':
    case 'symbol':
      return typeof value;
  }
  return typeof value;
}
