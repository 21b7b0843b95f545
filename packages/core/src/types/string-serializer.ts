/**
 * Strings: a varint byte length and the string's bytes in WTF-8.
 *
 * Lone-surrogate policy: JavaScript strings may hold unpaired UTF-16 surrogates (for example
 * `JSON.parse('"\\ud800"')`). UTF-8 cannot represent them and `TextEncoder` would silently replace
 * them with U+FFFD, so state would change on a round trip. Sluice writes strings as WTF-8: for
 * well-formed strings (the normal case) this is exactly UTF-8, and a lone surrogate is written as
 * its 3-byte generalized UTF-8 sequence, so every JavaScript string round-trips unchanged.
 * Invalid sequences on read (overlong forms, truncated sequences, or a surrogate pair written as
 * two 3-byte sequences) are `STATE_CORRUPT`.
 */
import type { DataInput, DataOutput } from './data-view.js';
import { corrupt, describeValue, leafReaderFor, type ValueReader } from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

type WellFormedCheck = (value: string) => boolean;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed: WellFormedCheck =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (value) => (value as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (value) => !LONE_SURROGATE.test(value);

/** Writes `value` as a varint byte length and WTF-8 bytes. */
export function writeWtf8(out: DataOutput, value: string): void {
  if (isWellFormed(value)) out.writeString(value);
  else out.writeBytes(encodeWtf8(value));
}

/** Reads what {@link writeWtf8} wrote. */
export function readWtf8(input: DataInput): string {
  const bytes = input.readBytes();
  try {
    return strictUtf8.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return decodeWtf8(bytes);
    throw error;
  }
}

function encodeWtf8(value: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    let code = unit;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) {
      out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    } else {
      out.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 0x3f),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      );
    }
  }
  return Uint8Array.from(out);
}

function decodeWtf8(bytes: Uint8Array): string {
  const units: number[] = [];
  let i = 0;
  const cont = (at: number): number => {
    const byte = bytes[at];
    if (byte === undefined || (byte & 0xc0) !== 0x80) {
      throw corrupt(`a string has an invalid UTF-8 sequence at byte ${i}`);
    }
    return byte & 0x3f;
  };
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    let code: number;
    let size: number;
    if (lead < 0x80) [code, size] = [lead, 1];
    else if (lead >= 0xc2 && lead <= 0xdf) [code, size] = [((lead & 0x1f) << 6) | cont(i + 1), 2];
    else if (lead >= 0xe0 && lead <= 0xef) {
      code = ((lead & 0x0f) << 12) | (cont(i + 1) << 6) | cont(i + 2);
      size = 3;
      if (code < 0x800) throw corrupt(`a string has an overlong UTF-8 sequence at byte ${i}`);
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      code = ((lead & 0x07) << 18) | (cont(i + 1) << 12) | (cont(i + 2) << 6) | cont(i + 3);
      size = 4;
      if (code < 0x10000 || code > 0x10ffff) {
        throw corrupt(`a string has an invalid 4-byte UTF-8 sequence at byte ${i}`);
      }
    } else
      throw corrupt(`a string has an invalid UTF-8 lead byte 0x${lead.toString(16)} at byte ${i}`);
    if (code >= 0x10000) {
      units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    } else {
      const previous = units[units.length - 1];
      // A 4-byte sequence pushes a whole pair, so a lead surrogate last in `units` was lone.
      const pairsWithPrevious =
        code >= 0xdc00 &&
        code <= 0xdfff &&
        previous !== undefined &&
        previous >= 0xd800 &&
        previous <= 0xdbff;
      if (pairsWithPrevious) {
        throw corrupt(`a string has a surrogate pair written as two sequences at byte ${i}`);
      }
      units.push(code);
    }
    i += size;
  }
  let text = '';
  for (let start = 0; start < units.length; start += 8192) {
    text += String.fromCharCode(...units.slice(start, start + 8192));
  }
  return text;
}

/** Serializer of `string` (`sluice.string`, version 1): varint byte length + WTF-8 bytes. */
export class StringSerializer implements TypeSerializer<string> {
  readonly typeId = 'sluice.string';
  readonly version = 1;

  serialize(value: string, out: DataOutput): void {
    if (typeof value !== 'string') {
      throw new TypeError(`sluice.string expects a string, got ${describeValue(value)}`);
    }
    writeWtf8(out, value);
  }

  deserialize(input: DataInput): string {
    return readWtf8(input);
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<string> {
    return leafReaderFor(this, snapshot);
  }
}
