/** One value to bytes and back with a serializer's current format. */
import { isSluiceError } from '../errors.js';
import { DataInput, DataOutput } from './data-view.js';
import { corrupt } from './serializer-compat.js';
import type { TypeSerializer } from './type-serializer.js';

/** Writes `value` with `serializer` and returns the bytes. */
export function serializeToBytes<T>(serializer: TypeSerializer<T>, value: T): Uint8Array {
  const out = new DataOutput();
  serializer.serialize(value, out);
  return out.toBytes();
}

/**
 * Reads one value written by {@link serializeToBytes} with the same serializer. Truncated bytes,
 * trailing bytes and unreadable bytes throw a `StateError` with code `STATE_CORRUPT`.
 */
export function deserializeFromBytes<T>(serializer: TypeSerializer<T>, bytes: Uint8Array): T {
  return readAll(bytes, (input) => serializer.deserialize(input));
}

/**
 * Runs `read` over all of `bytes` and rejects trailing bytes. Errors that are not Sluice errors
 * (a reader's own `TypeError`, say) become `STATE_CORRUPT` with the error as cause.
 */
export function readAll<T>(bytes: Uint8Array, read: (input: DataInput) => T): T {
  const input = new DataInput(plainBytes(bytes));
  try {
    const value = read(input);
    input.assertEnd();
    return value;
  } catch (error) {
    if (isSluiceError(error)) throw error;
    const wrapped = corrupt(`reading failed with ${String(error)}`);
    throw Object.assign(wrapped, { cause: error });
  }
}

/**
 * A plain `Uint8Array` view of `bytes`: a Node `Buffer`'s `slice` shares memory, so readers over a
 * Buffer would hand out views of the caller's buffer.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
