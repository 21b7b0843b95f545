import { JsonErrorCode, JsonSerdeError } from '../errors.js';
import { excerpt, hexAround } from './excerpt.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Byte offset of the first invalid UTF-8 sequence (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), or -1 when the bytes are valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    for (let k = 1; k <= need; k += 1) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const first = k === 1;
      if (c < (first ? lo : 0x80) || c > (first ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Decodes UTF-8 strictly (a leading BOM is dropped); throws `SERDE_INVALID_UTF8`. */
export function decodeUtf8(bytes: Uint8Array, what = 'record'): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    const at = firstInvalidUtf8(bytes);
    throw new JsonSerdeError(
      `Invalid UTF-8 in the ${what}: expected UTF-8 encoded JSON text, found the byte sequence ` +
        `[${hexAround(bytes, at)}] at byte ${at} of ${bytes.length}.`,
      {
        code: JsonErrorCode.SERDE_INVALID_UTF8,
        expected: 'UTF-8 text',
        found: `bytes [${hexAround(bytes, at)}] at byte ${at}`,
        cause: error,
      },
    );
  }
}

/**
 * Encodes text as UTF-8 (a lone surrogate becomes U+FFFD, as with `TextEncoder`). `Buffer.from`
 * takes small buffers from Node's pool: about twice as fast as `TextEncoder#encode` for a 1 KB record.
 */
export function encodeUtf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/** The reason part of V8's JSON.parse message, without the echoed source text (which can be long). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  const reason = message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const capped = reason.length > 120 ? `${reason.slice(0, 120)}…` : reason;
  return position === null ? capped : `${capped} at position ${position[1]}`;
}

/** Parses JSON text; throws `SERDE_INVALID_JSON` with the parser's reason and a capped excerpt. */
export function parseJsonText(text: string, what = 'record'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = text.trim() === '' ? 'the text is empty' : reasonOf(error);
    throw new JsonSerdeError(
      `Invalid JSON in the ${what}: expected one JSON document, found ${excerpt(text)} (${reason}).`,
      { code: JsonErrorCode.SERDE_INVALID_JSON, expected: 'a JSON document', found: excerpt(text), cause: error },
    );
  }
}

/** Decodes and parses a JSON message. */
export function parseJsonBytes(bytes: Uint8Array, what = 'record'): unknown {
  return parseJsonText(decodeUtf8(bytes, what), what);
}
