/**
 * Byte-level writer and reader that every serializer in Sluice uses. Integers are big-endian;
 * lengths are unsigned LEB128 varints; strings are UTF-8.
 */
import { CoreErrorCode, StateError } from '../errors.js';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** A growable buffer that serializers write into. */
export class DataOutput {
  private buffer: Uint8Array;
  private view: DataView;
  private position = 0;

  /** @param initialCapacity - bytes allocated up front. @defaultValue 256 */
  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buffer.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.position;
  }

  /** Writes one byte (0..255). */
  writeUint8(value: number): void {
    this.ensure(1);
    this.view.setUint8(this.position, value);
    this.position += 1;
  }

  /** Writes `true` as 1 and `false` as 0. */
  writeBoolean(value: boolean): void {
    this.writeUint8(value ? 1 : 0);
  }

  /** Writes a signed 32-bit integer, big-endian. */
  writeInt32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.position, value);
    this.position += 4;
  }

  /** Writes a signed 64-bit integer, big-endian. */
  writeBigInt64(value: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.position, value);
    this.position += 8;
  }

  /** Writes an IEEE-754 double, big-endian. */
  writeFloat64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.position, value);
    this.position += 8;
  }

  /** Writes a non-negative safe integer as an unsigned LEB128 varint. */
  writeVarUint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`writeVarUint takes a non-negative safe integer, got ${value}`);
    }
    let rest = value;
    while (rest >= 0x80) {
      this.writeUint8((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.writeUint8(rest);
  }

  /** Writes raw bytes with no length prefix. */
  writeRaw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.position);
    this.position += bytes.length;
  }

  /** Writes a varint length followed by the bytes. */
  writeBytes(bytes: Uint8Array): void {
    this.writeVarUint(bytes.length);
    this.writeRaw(bytes);
  }

  /**
   * Writes a varint length followed by one byte per character of `text`, whose characters are all
   * below 256 (bytes kept as a latin1 string): what `writeBytes` writes for those bytes.
   * @internal
   */
  writeLatin1Bytes(text: string): void {
    const length = text.length;
    this.writeVarUint(length);
    this.ensure(length);
    const buffer = this.buffer;
    const at = this.position;
    for (let i = 0; i < length; i += 1) buffer[at + i] = text.charCodeAt(i);
    this.position = at + length;
  }

  /**
   * Writes a varint length followed by the bytes `source` holds (what `writeBytes(source.peek())`
   * writes, without a view per call).
   * @internal
   */
  writeBytesOf(source: DataOutput): void {
    const length = source.position;
    this.writeVarUint(length);
    this.ensure(length);
    const from = source.buffer;
    const buffer = this.buffer;
    const at = this.position;
    if (length <= 32) for (let i = 0; i < length; i += 1) buffer[at + i] = from[i] as number;
    else buffer.set(from.subarray(0, length), at);
    this.position = at + length;
  }

  /** Writes a varint byte length followed by the UTF-8 bytes of `value`. */
  writeString(value: string): void {
    this.writeBytes(textEncoder.encode(value));
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.position);
  }

  /** Starts writing from the beginning again, keeping the allocated buffer (for scratch use). */
  reset(): void {
    this.position = 0;
  }

  /** The bytes written so far without copying: valid only until the next write or `reset`. */
  peek(): Uint8Array {
    return this.buffer.subarray(0, this.position);
  }

  private ensure(extra: number): void {
    const needed = this.position + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.position));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
}

/** Reads what a {@link DataOutput} wrote. Reading past the end throws `STATE_CORRUPT`. */
export class DataInput {
  private readonly view: DataView;
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.position;
  }

  /** Reads one byte. */
  readUint8(): number {
    this.require(1);
    const value = this.view.getUint8(this.position);
    this.position += 1;
    return value;
  }

  /** Reads a boolean; any byte other than 0 or 1 is corrupt. */
  readBoolean(): boolean {
    const byte = this.readUint8();
    if (byte > 1) throw corrupt(`a boolean byte is ${byte}, expected 0 or 1`);
    return byte === 1;
  }

  /** Reads a signed 32-bit integer. */
  readInt32(): number {
    this.require(4);
    const value = this.view.getInt32(this.position);
    this.position += 4;
    return value;
  }

  /** Reads a signed 64-bit integer. */
  readBigInt64(): bigint {
    this.require(8);
    const value = this.view.getBigInt64(this.position);
    this.position += 8;
    return value;
  }

  /** Reads an IEEE-754 double. */
  readFloat64(): number {
    this.require(8);
    const value = this.view.getFloat64(this.position);
    this.position += 8;
    return value;
  }

  /** Reads an unsigned LEB128 varint. */
  readVarUint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.readUint8();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      if (scale > Number.MAX_SAFE_INTEGER) throw corrupt('a varint is longer than a safe integer');
    }
    return result;
  }

  /** Reads `length` raw bytes (a copy). */
  readRaw(length: number): Uint8Array {
    this.require(length);
    // A copy even when `bytes` is a Node Buffer (whose own slice() returns a view).
    const value = Uint8Array.prototype.slice.call(this.bytes, this.position, this.position + length);
    this.position += length;
    return value;
  }

  /** Reads a varint length and that many bytes. */
  readBytes(): Uint8Array {
    return this.readRaw(this.readVarUint());
  }

  /** Reads a varint length and that many UTF-8 bytes. */
  readString(): string {
    try {
      return textDecoder.decode(this.readBytes());
    } catch (error) {
      if (error instanceof TypeError) throw corrupt('a string is not valid UTF-8');
      throw error;
    }
  }

  /** Throws `STATE_CORRUPT` unless every byte was read (trailing bytes are rejected). */
  assertEnd(): void {
    if (this.remaining !== 0) throw corrupt(`${this.remaining} trailing bytes after the value`);
  }

  private require(length: number): void {
    if (this.position + length > this.bytes.length) {
      throw corrupt(`needed ${length} more bytes at byte ${this.position} of ${this.bytes.length}`);
    }
  }
}

function corrupt(detail: string): StateError {
  return new StateError(`State bytes are corrupt: ${detail}.`, { code: CoreErrorCode.STATE_CORRUPT });
}
