/**
 * Messages as plain text (Flink's `SimpleStringSchema`): one message is one string, in a chosen
 * charset, with no framing.
 */
import { ConfigError, CoreErrorCode, SerdeError } from '../errors.js';
import type { TypeInformation } from '../types/type-information.js';
import { Types } from '../types/types.js';
import type { DeserializationSchema, SerializationSchema } from './serialization-schema.js';

/** Charsets {@link SimpleStringSchema} reads and writes (names are case-insensitive). */
export type StringCharset = 'utf-8' | 'utf-16le' | 'latin1' | 'iso-8859-1' | 'ascii';

/** Options of {@link SimpleStringSchema}. */
export interface SimpleStringSchemaOptions {
  /**
   * Charset of the messages. `latin1` and `iso-8859-1` are true ISO-8859-1 (every byte is the code
   * point of the same value), not the windows-1252 that `TextDecoder('latin1')` decodes.
   * `utf8` is accepted as an alias of `utf-8`.
   * @defaultValue `'utf-8'`
   */
  readonly charset?: StringCharset;
  /**
   * What `serialize` does with an unpaired UTF-16 surrogate in a string when the charset is
   * `utf-8` or `utf-16le` (neither can carry one in well-formed bytes): `'replace'` writes U+FFFD
   * instead, as `TextEncoder` and Java's `String#getBytes` do; `'fail'` throws a `SerdeError`
   * with code `SERDE_SERIALIZE_FAILED`.
   * @defaultValue `'replace'`
   */
  readonly unpairedSurrogates?: 'replace' | 'fail';
}

interface Codec {
  encode(text: string): Uint8Array;
  /** Returns the text, or a description of the first bad input. */
  decode(bytes: Uint8Array): string;
}

const CHARSETS = ['utf-8', 'utf-16le', 'latin1', 'iso-8859-1', 'ascii'] as const;
const ALIASES: Readonly<Record<string, StringCharset>> = { utf8: 'utf-8' };
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Reads each message as a string and writes each string as a message, in one charset. Decoding
 * is strict: bytes that are not valid in the charset throw a `SerdeError` with code
 * `SERDE_CORRUPT_RECORD`. A byte-order mark is kept as U+FEFF, never stripped. The stream never
 * ends on a record (`isEndOfStream` is always false).
 *
 * ```ts
 * const schema = new SimpleStringSchema({ charset: 'latin1' });
 * ```
 */
export class SimpleStringSchema
  implements DeserializationSchema<string>, SerializationSchema<string>
{
  /** The charset in use, in its canonical lower-case name. */
  readonly charset: StringCharset;
  /** Always `Types.string()`. */
  readonly producedType: TypeInformation<string> = Types.string();
  private readonly codec: Codec;
  private readonly failOnSurrogates: boolean;

  /** @param options - see {@link SimpleStringSchemaOptions}. */
  constructor(options: SimpleStringSchemaOptions = {}) {
    this.charset = parseCharset(options.charset ?? 'utf-8');
    const surrogates = options.unpairedSurrogates ?? 'replace';
    if (surrogates !== 'replace' && surrogates !== 'fail') {
      throw new ConfigError(
        `SimpleStringSchema option unpairedSurrogates is ${JSON.stringify(surrogates)}; ` +
          "use 'replace' or 'fail'.",
        { option: 'unpairedSurrogates' },
      );
    }
    this.failOnSurrogates = surrogates === 'fail';
    this.codec = codecFor(this.charset);
  }

  /** Decodes one message; invalid bytes throw `SERDE_CORRUPT_RECORD`. */
  deserialize(message: Uint8Array): string {
    try {
      return this.codec.decode(message);
    } catch (error) {
      throw new SerdeError(
        `A ${message.length}-byte message is not valid ${this.charset}: ${describe(error)}. ` +
          'Set the SimpleStringSchema charset option to the charset the producers write, or wrap ' +
          'the schema and return null from deserialize to skip such records.',
        { code: CoreErrorCode.SERDE_CORRUPT_RECORD, cause: error },
      );
    }
  }

  /** Always false: no record ends the stream. */
  isEndOfStream(_nextElement: string | null): boolean {
    return false;
  }

  /** Encodes one string; characters the charset cannot hold throw `SERDE_SERIALIZE_FAILED`. */
  serialize(element: string): Uint8Array {
    if (typeof element !== 'string') {
      throw new SerdeError(
        `SimpleStringSchema serializes strings, got ${element === null ? 'null' : typeof element}.`,
        { code: CoreErrorCode.SERDE_SERIALIZE_FAILED },
      );
    }
    let text = element;
    if ((this.charset === 'utf-8' || this.charset === 'utf-16le') && !isWellFormed(text)) {
      LONE_SURROGATE.lastIndex = 0;
      const lone = LONE_SURROGATE.exec(text);
      if (lone !== null) {
        if (this.failOnSurrogates) {
          throw new SerdeError(
            `A string has an unpaired surrogate U+${hex4(lone[0])} at index ${lone.index}, which ` +
              `${this.charset} cannot encode. Fix the string, or set unpairedSurrogates: 'replace' ` +
              'to write U+FFFD instead.',
            { code: CoreErrorCode.SERDE_SERIALIZE_FAILED },
          );
        }
        text = text.replace(LONE_SURROGATE, '\uFFFD');
      }
    }
    try {
      return this.codec.encode(text);
    } catch (error) {
      throw new SerdeError(
        `A string cannot be encoded as ${this.charset}: ${describe(error)}. Use charset 'utf-8', ` +
          'which encodes every character.',
        { code: CoreErrorCode.SERDE_SERIALIZE_FAILED, cause: error },
      );
    }
  }
}

/** `String.prototype.isWellFormed` (ES2024, Node ≥ 20): no unpaired surrogate, without a regex scan. */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function parseCharset(value: unknown): StringCharset {
  const name = typeof value === 'string' ? value.toLowerCase() : '';
  const charset = ALIASES[name] ?? CHARSETS.find((known) => known === name);
  if (charset === undefined) {
    throw new ConfigError(
      `SimpleStringSchema option charset is ${JSON.stringify(value)}; use one of ${CHARSETS.join(', ')}.`,
      { option: 'charset' },
    );
  }
  return charset;
}

function codecFor(charset: StringCharset): Codec {
  switch (charset) {
    case 'utf-8':
      // Buffer.from: small strings come out of Node's shared pool (a TextEncoder allocates an
      // ArrayBuffer per call, ~1 µs whatever the length); the same bytes, a Uint8Array.
      return textCodec('utf-8', (text) => Buffer.from(text, 'utf8'));
    case 'utf-16le':
      return textCodec('utf-16le', encodeUtf16le);
    case 'latin1':
    case 'iso-8859-1':
      return { encode: (text) => encodeSingleByte(text, 0xff), decode: decodeLatin1 };
    case 'ascii':
      return {
        encode: (text) => encodeSingleByte(text, 0x7f),
        decode: (bytes) => {
          const bad = bytes.findIndex((byte) => byte > 0x7f);
          if (bad >= 0) {
            throw new RangeError(
              `byte 0x${(bytes[bad] as number).toString(16)} at offset ${bad} is not ASCII`,
            );
          }
          return decodeLatin1(bytes);
        },
      };
  }
}

function textCodec(label: string, encode: (text: string) => Uint8Array): Codec {
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
  return { encode, decode: (bytes) => decoder.decode(bytes) };
}

function encodeUtf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 * i] = unit & 0xff;
    bytes[2 * i + 1] = unit >> 8;
  }
  return bytes;
}

function encodeSingleByte(text: string, max: number): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit > max) {
      const char = text.codePointAt(i) as number;
      throw new RangeError(
        `character U+${char.toString(16).toUpperCase().padStart(4, '0')} at index ${i} is beyond U+${max.toString(16).toUpperCase().padStart(4, '0')}`,
      );
    }
    bytes[i] = unit;
  }
  return bytes;
}

function decodeLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function hex4(char: string): string {
  return char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}
