/**
 * Key groups (Flink's `KeyGroupRangeAssignment`): a key is hashed into one of `maxParallelism`
 * key groups, and every subtask of a keyed operator owns one contiguous range of key groups.
 *
 * The key hash is MurmurHash3 (x86, 32 bit, seed 0) over the key's serialized bytes (the key
 * type's serializer), then scrambled once more with Flink's `MathUtils.murmurHash(int)`:
 * `keyGroup = murmurHash(murmur3_32(bytes)) % maxParallelism`. The bytes of strings, numbers,
 * bigints, booleans, rows and tuples are canonical (equal values, equal bytes). JSON objects are
 * written in their key order, so `{a, b}` and `{b, a}` are different keys: use a row type.
 */
import type { TypeSerializer } from '../types/type-serializer.js';
import { DataOutput } from '../types/data-view.js';

/** The key groups `[start, end]` (both inclusive) a subtask owns; empty when `end < start`. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** MurmurHash3 x86 32-bit of `bytes` with seed 0, as a signed 32-bit integer. */
export function murmur3Bytes(bytes: Uint8Array): number {
  let h = 0;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i += 1) {
    const o = i * 4;
    let k =
      (bytes[o] as number) |
      ((bytes[o + 1] as number) << 8) |
      ((bytes[o + 2] as number) << 16) |
      ((bytes[o + 3] as number) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = rotl(k, 15);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = rotl(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= (bytes[tail + 2] as number) << 16;
    if (rest >= 2) k ^= (bytes[tail + 1] as number) << 8;
    k ^= bytes[tail] as number;
    k = Math.imul(k, 0xcc9e2d51);
    k = rotl(k, 15);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= bytes.length;
  return fmix(h) | 0;
}

/** Flink's `MathUtils.murmurHash(int)`: scrambles a 32-bit hash into a non-negative int. */
export function murmurHashInt(code: number): number {
  let k = Math.imul(code | 0, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  k = rotl(k, 13);
  k = (Math.imul(k, 5) + 0xe6546b64) | 0;
  k ^= 4;
  k = fmix(k) | 0;
  if (k >= 0) return k;
  if (k !== -2147483648) return -k;
  return 0;
}

/** The key group of a key whose serialized bytes are `keyBytes`. */
export function keyGroupForBytes(keyBytes: Uint8Array, maxParallelism: number): number {
  return murmurHashInt(murmur3Bytes(keyBytes)) % maxParallelism;
}

/** Serializes `key` with `serializer` (the bytes hashed and stored). */
export function serializeKey<TKey>(key: TKey, serializer: TypeSerializer<TKey>): Uint8Array {
  const out = new DataOutput(32);
  serializer.serialize(key, out);
  return out.toBytes();
}

/**
 * Serializes keys into one reused buffer (no allocation per record). The returned bytes are only
 * valid until the next call.
 */
export class ScratchKeySerializer<TKey> {
  private readonly out = new DataOutput(64);
  constructor(private readonly serializer: TypeSerializer<TKey>) {}

  /** The serialized bytes of `key` (a view into the scratch buffer). */
  bytes(key: TKey): Uint8Array {
    this.out.reset();
    this.serializer.serialize(key, this.out);
    return this.out.peek();
  }
}

/** `bytes` as a string of one char per byte (latin1), usable as a `Map` key. */
export function latin1String(bytes: Uint8Array): string {
  if (bytes.length <= 24) {
    let text = '';
    for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i] as number);
    return text;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** The subtask that owns `keyGroup`: `keyGroup * parallelism / maxParallelism`, rounded down. */
export function subtaskForKeyGroup(keyGroup: number, options: { parallelism: number; maxParallelism: number }): number {
  return Math.floor((keyGroup * options.parallelism) / options.maxParallelism);
}

/**
 * The contiguous key-group range of subtask `index`:
 * `[ceil(index·maxP/p), ceil((index+1)·maxP/p) − 1]`.
 */
export function keyGroupRangeForSubtask(
  index: number,
  options: { parallelism: number; maxParallelism: number },
): KeyGroupRange {
  const { parallelism, maxParallelism } = options;
  const start = Math.floor((index * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((index + 1) * maxParallelism + parallelism - 1) / parallelism) - 1;
  return { start, end };
}
