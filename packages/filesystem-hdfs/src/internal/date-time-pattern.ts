/**
 * A small formatter for Java `DateTimeFormatter`-style patterns (the subset bucket paths need:
 * `yyyy`, `yy`, `MM`, `M`, `dd`, `d`, `HH`, `H`, `mm`, `m`, `ss`, `s`, `SSS`, quoted text `'..'`,
 * and any other non-letter character as literal), in an IANA time zone via `Intl`.
 */

type Field = 'year' | 'year2' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'millis';

type Token = { readonly literal: string } | { readonly field: Field; readonly width: number };

const LETTERS: Readonly<Record<string, Field>> = {
  y: 'year',
  M: 'month',
  d: 'day',
  H: 'hour',
  m: 'minute',
  s: 'second',
  S: 'millis',
};

/** Parses a pattern; throws `Error` naming the unsupported letter or the unterminated quote. */
export function parseDateTimePattern(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ literal: "'" }); // '' outside quotes: one quote
        i += 2;
        continue;
      }
      // Quoted text; inside it, '' is one quote.
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw new Error(`unterminated quote at position ${i}`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      tokens.push({ literal: text });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      const width = j - i;
      const field = LETTERS[ch];
      if (field === undefined) throw new Error(`unsupported pattern letter "${ch}" (supported: y M d H m s S)`);
      if (field === 'year') {
        if (width !== 2 && width !== 4) throw new Error(`"${ch.repeat(width)}": use yyyy or yy`);
        tokens.push({ field: width === 2 ? 'year2' : 'year', width });
      } else if (field === 'millis') {
        if (width !== 3) throw new Error(`"${ch.repeat(width)}": use SSS`);
        tokens.push({ field, width });
      } else {
        if (width > 2) throw new Error(`"${ch.repeat(width)}": at most two letters`);
        tokens.push({ field, width });
      }
      i = j;
      continue;
    }
    tokens.push({ literal: ch });
    i++;
  }
  return tokens;
}

/** Formats epoch milliseconds with a parsed pattern in a time zone. */
export class DateTimePattern {
  private readonly tokens: readonly Token[];
  private readonly format: Intl.DateTimeFormat;
  private cachedSecond = Number.NaN;
  private cachedParts: Record<Exclude<Field, 'millis' | 'year2'>, number> | undefined;
  /** The last formatted instant and its text (a sink formats the same millisecond many times). */
  private lastEpochMs = Number.NaN;
  private lastText = '';

  /** Throws `Error` for a bad pattern, `RangeError` for an unknown time zone. */
  constructor(pattern: string, timeZone: string) {
    this.tokens = parseDateTimePattern(pattern);
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** Formats `epochMs`. */
  formatEpochMillis(epochMs: number): string {
    if (epochMs === this.lastEpochMs) return this.lastText;
    const second = Math.floor(epochMs / 1000);
    if (second !== this.cachedSecond || this.cachedParts === undefined) {
      const parts: Record<string, number> = {};
      for (const p of this.format.formatToParts(second * 1000)) {
        if (p.type !== 'literal') parts[p.type] = Number(p.value);
      }
      this.cachedParts = {
        year: parts['year'] ?? 0,
        month: parts['month'] ?? 0,
        day: parts['day'] ?? 0,
        hour: (parts['hour'] ?? 0) % 24,
        minute: parts['minute'] ?? 0,
        second: parts['second'] ?? 0,
      };
      this.cachedSecond = second;
    }
    const v = this.cachedParts;
    const millis = epochMs - second * 1000;
    let out = '';
    for (const t of this.tokens) {
      if ('literal' in t) {
        out += t.literal;
        continue;
      }
      const value =
        t.field === 'millis' ? millis : t.field === 'year2' ? v.year % 100 : v[t.field];
      out += String(value).padStart(t.field === 'year2' ? 2 : t.width, '0');
    }
    this.lastEpochMs = epochMs;
    this.lastText = out;
    return out;
  }
}
