/**
 * A JSON parser that keeps every number's source text ({@link RawNumber}), so bigint and decimal
 * fields read exactly (Node 20's `JSON.parse` has no access to the source text of a number).
 * Used only for row types declaring such fields; everything else uses `JSON.parse`.
 */
import { JsonErrorCode, JsonSerdeError } from '../errors.js';
import { excerpt } from './excerpt.js';

/** A JSON number with its exact source text. */
export class RawNumber {
  constructor(readonly text: string) {}
  /** The number as a float64. */
  valueOf(): number {
    return Number(this.text);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 512;

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly what: string,
  ) {}

  fail(expected: string): never {
    const found = this.pos >= this.text.length ? 'the end of the text' : excerpt(this.text.slice(this.pos, this.pos + 20), 20);
    throw new JsonSerdeError(
      `Invalid JSON in the ${this.what}: expected ${expected} at position ${this.pos}, found ${found}; text ${excerpt(this.text)}.`,
      { code: JsonErrorCode.SERDE_INVALID_JSON, expected, found: `${found} at position ${this.pos}` },
    );
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos += 1;
      else break;
    }
  }

  document(): unknown {
    this.ws();
    if (this.pos >= this.text.length) this.fail('a JSON value');
    const value = this.value(0);
    this.ws();
    if (this.pos < this.text.length) this.fail('the end of the JSON document');
    return value;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting of at most ${MAX_DEPTH} levels`);
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('a JSON value');
      default: {
        NUMBER.lastIndex = this.pos;
        const match = NUMBER.exec(this.text);
        if (match === null) return this.fail('a JSON value');
        this.pos += match[0].length;
        return new RawNumber(match[0]);
      }
    }
  }

  literal(word: string, value: unknown): unknown {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail('a JSON value');
  }

  string(): string {
    const start = this.pos;
    this.pos += 1;
    const t = this.text;
    let simple = true;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos += 1;
        const raw = t.slice(start, this.pos);
        return simple ? raw.slice(1, -1) : this.decodeEscapes(raw, start);
      }
      if (c === 0x5c) {
        simple = false;
        this.pos += 2;
        continue;
      }
      if (c < 0x20) this.fail('no raw control characters inside a string');
      this.pos += 1;
    }
    return this.fail('a closing quote');
  }

  decodeEscapes(raw: string, start: number): string {
    try {
      return JSON.parse(raw) as string;
    } catch {
      this.pos = start;
      return this.fail('a string with valid escapes');
    }
  }

  array(depth: number): unknown[] {
    this.pos += 1;
    const out: unknown[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos += 1;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos];
      this.pos += 1;
      if (c === ']') return out;
      if (c !== ',') {
        this.pos -= 1;
        this.fail("',' or ']'");
      }
    }
  }

  object(depth: number): Record<string, unknown> {
    this.pos += 1;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos += 1;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail('a property name in double quotes');
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail("':'");
      this.pos += 1;
      this.ws();
      const value = this.value(depth + 1);
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.text[this.pos];
      this.pos += 1;
      if (c === '}') return out;
      if (c !== ',') {
        this.pos -= 1;
        this.fail("',' or '}'");
      }
    }
  }
}

/** Parses JSON text keeping numbers as {@link RawNumber}; throws `SERDE_INVALID_JSON` with the position. */
export function parseExactJson(text: string, what = 'record'): unknown {
  return new Parser(text, what).document();
}

/** Converts a value from {@link parseExactJson} to plain JSON values (numbers as float64). */
export function toPlainJson(value: unknown): unknown {
  if (value instanceof RawNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: toPlainJson(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
