/** Hex of up to `max` bytes from `at`, e.g. `00 00 00 01`. */
export function hex(bytes: Uint8Array, at = 0, max = 8): string {
  const slice = bytes.subarray(at, Math.min(bytes.length, at + max));
  const text = Array.from(slice, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length - at > max ? `${text} …` : text;
}

/** A capped one-line description of a value for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `array (length ${value.length})`;
  if (value instanceof Date) return `Date ${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}`;
  if (value instanceof Uint8Array) return `${value.constructor.name} (${value.length} bytes)`;
  switch (typeof value) {
    case 'string': {
      const text = JSON.stringify(value.length > 40 ? value.slice(0, 40) : value);
      return `string ${text}${value.length > 40 ? `… (${value.length} chars)` : ''}`;
    }
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'bigint':
      return `bigint ${value}n`;
    case 'object':
      return 'object';
    case 'function':
    case 'symbol':
    case 'undefined':
      return typeof value;
  }
  return typeof value;
}

/** A Buffer view of bytes without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
