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

/** One 4-byte block `block` (little-endian) mixed into the MurmurHash3 state `hash`. */
function mixBlock(hash: number, block: number): number {
  let k = Math.imul(block, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  let h = hash ^ k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3 x86 32-bit of `bytes` with seed 0, as a signed 32-bit integer. */
export function murmur3Bytes(bytes: Uint8Array): number {
  let h = 0;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i += 1) {
    const o = i * 4;
    h = mixBlock(
      h,
      (bytes[o] as number) |
        ((bytes[o + 1] as number) << 8) |
        ((bytes[o + 2] as number) << 16) |
        ((bytes[o + 3] as number) << 24),
    );
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

const float64 = new Float64Array(1);
const float64Words = new Uint32Array(float64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HIGH_WORD = littleEndian ? 1 : 0;
const LOW_WORD = littleEndian ? 0 : 1;

function byteSwap(word: number): number {
  return ((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24);
}

/**
 * {@link murmur3Bytes} of the 8 big-endian IEEE-754 bytes `sluice.float64` writes for `value`,
 * computed from the double's bits without writing them (`NaN` excepted: its bits are not fixed).
 */
function murmur3Float64(value: number): number {
  float64[0] = value;
  let h = mixBlock(0, byteSwap(float64Words[HIGH_WORD] as number));
  h = mixBlock(h, byteSwap(float64Words[LOW_WORD] as number));
  return fmix(h ^ 8) | 0;
}

/** Flink's `MathUtils.murmurHash(int)`: scrambles a 32-bit hash into a non-negative int. */
export function murmurHashInt(code: number): number {
  const k = fmix(mixBlock(0, code | 0) ^ 4) | 0;
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

/** A key's serialized bytes as a latin1 string (the key of keyed-state maps) and its key group. */
export interface KeyInfo {
  readonly keyGroup: number;
  readonly keyBytes: string;
}

/**
 * How a record of a keyBy exchange names its key to the consumer: the key group alone for keys
 * that are their own map key ({@link isValueKey}), else the key group with the serialized key.
 */
export type KeyRoute = number | KeyInfo;

/** `sluice.float64` keys below this non-negative integer bound have their key group kept in an array. */
const SMALL_INT_KEYS = 65536;

/** Longest string key {@link KeyGroupAssigner} memoizes (longer ones are serialized every time). */
const CACHED_STRING_LENGTH = 128;

/**
 * True for keys a `Map` keyed by the value tells apart exactly as their serialized bytes do
 * (SameValueZero): numbers other than `-0` and `NaN` (a Map merges `-0` with `0` and all NaNs,
 * whose bytes differ), strings, booleans and bigints.
 */
export function isValueKey(key: unknown): boolean {
  switch (typeof key) {
    case 'number':
      return key === key && (key !== 0 || 1 / key > 0);
    case 'string':
    case 'boolean':
    case 'bigint':
      return true;
    case 'object':
    case 'function':
    case 'symbol':
    case 'undefined':
      return false;
  }
}

function isMemoizable(key: unknown): boolean {
  return isValueKey(key) && (typeof key !== 'string' || key.length <= CACHED_STRING_LENGTH);
}

/** Options of a {@link KeyGroupAssigner}. */
export interface KeyGroupAssignerOptions {
  readonly maxParallelism: number;
  /**
   * Primitive keys remembered before the memo starts afresh.
   * @defaultValue 65536
   */
  readonly memoSize?: number;
}

/**
 * Serializes keys and hashes them into key groups ({@link keyGroupForBytes}), memoizing the
 * result for primitive keys (numbers other than `-0` and `NaN`, short strings, booleans, bigints):
 * a repeated key costs one `Map` lookup and yields the same {@link KeyInfo} object. Keys of
 * `sluice.float64` (`Types.number()`) get their key group from the double's bits, with no bytes
 * written (integers 0 … 65535 once each, then from an array). Every result is exactly what
 * serializing and hashing gives; the memo is cleared when it
 * holds `memoSize` keys.
 */
export class KeyGroupAssigner<TKey> {
  private readonly scratch: ScratchKeySerializer<TKey>;
  private readonly memo = new Map<TKey, KeyInfo>();
  private readonly maxParallelism: number;
  private readonly memoSize: number;
  private readonly float64: boolean;
  /** Key groups of the `sluice.float64` keys 0 … SMALL_INT_KEYS − 1 met so far (−1: not yet). */
  private smallIntGroups: Int32Array | undefined;

  constructor(serializer: TypeSerializer<TKey>, options: KeyGroupAssignerOptions) {
    this.scratch = new ScratchKeySerializer(serializer);
    this.maxParallelism = options.maxParallelism;
    this.memoSize = options.memoSize ?? 65536;
    this.float64 = serializer.typeId === 'sluice.float64' && serializer.version === 1;
  }

  /** The {@link KeyRoute} of `key`. */
  route(key: TKey): KeyRoute {
    if (this.float64 && typeof key === 'number') {
      const small = this.smallIntGroup(key);
      if (small >= 0) return small;
    }
    return isValueKey(key) ? this.keyGroup(key) : this.info(key);
  }

  /** The key group of `key`, what {@link KeyGroupAssigner.info} says (sometimes without serializing). */
  keyGroup(key: TKey): number {
    if (this.float64 && typeof key === 'number' && key === key) {
      const small = this.smallIntGroup(key);
      return small >= 0 ? small : murmurHashInt(murmur3Float64(key)) % this.maxParallelism;
    }
    return this.info(key).keyGroup;
  }

  /** The key group of a `sluice.float64` key that is an integer 0 … SMALL_INT_KEYS − 1 (from the array), else −1. */
  private smallIntGroup(key: number): number {
    // -0 passes `>>> 0` but has other bytes than 0.
    if (key >>> 0 !== key || key >= SMALL_INT_KEYS || (key === 0 && 1 / key < 0)) return -1;
    const groups = (this.smallIntGroups ??= new Int32Array(SMALL_INT_KEYS).fill(-1));
    let group = groups[key] as number;
    if (group < 0) {
      group = murmurHashInt(murmur3Float64(key)) % this.maxParallelism;
      groups[key] = group;
    }
    return group;
  }

  /** The serialized bytes and key group of `key`. */
  info(key: TKey): KeyInfo {
    const memoizable = isMemoizable(key);
    if (memoizable) {
      const known = this.memo.get(key);
      if (known !== undefined) return known;
    }
    const bytes = this.scratch.bytes(key);
    const info: KeyInfo = { keyGroup: keyGroupForBytes(bytes, this.maxParallelism), keyBytes: latin1String(bytes) };
    if (memoizable) {
      if (this.memo.size >= this.memoSize) this.memo.clear();
      this.memo.set(key, info);
    }
    return info;
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
