import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerdeError } from '../errors.js';
import { Types } from '../types/types.js';
import { SimpleStringSchema, type StringCharset } from './simple-string-schema.js';

const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const wellFormed = fc
  .string({ unit: 'binary' })
  .filter((s) => !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')));

describe('SimpleStringSchema', () => {
  it('defaults to utf-8, produces Types.string() and never ends the stream', () => {
    const schema = new SimpleStringSchema();
    expect(schema.charset).toBe('utf-8');
    expect(schema.producedType).toBe(Types.string());
    expect(schema.isEndOfStream('x')).toBe(false);
    expect(schema.isEndOfStream(null)).toBe(false);
    expect(hex(schema.serialize('é'))).toBe('c3a9');
  });

  it.each<[StringCharset, fc.Arbitrary<string>]>([
    ['utf-8', wellFormed],
    ['utf-16le', wellFormed],
    [
      'latin1',
      fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)) }),
    ],
    [
      'iso-8859-1',
      fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)) }),
    ],
    [
      'ascii',
      fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)) }),
    ],
  ])('round-trips %s text', (charset, text) => {
    const schema = new SimpleStringSchema({ charset });
    fc.assert(
      fc.property(text, (s) => {
        expect(schema.deserialize(schema.serialize(s))).toBe(s);
      }),
    );
  });

  it.each([
    ['utf-8', '\ufeffa€', 'efbbbf61e282ac'],
    ['utf-16le', '\ufeffa€', 'fffe6100ac20'],
    ['latin1', 'aé\u0080', '61e980'],
    ['ISO-8859-1', '\u00ff', 'ff'],
    ['ascii', 'A~', '417e'],
    ['UTF8', 'a', '61'],
  ] as const)('%s: %j is %s, byte-order marks kept', (charset, text, bytes) => {
    const schema = new SimpleStringSchema({ charset: charset as StringCharset });
    expect(hex(schema.serialize(text))).toBe(bytes);
    expect(schema.deserialize(fromHex(bytes))).toBe(text);
  });

  it.each([
    ['utf-8', 'c328'],
    ['utf-8', 'eda080'],
    ['utf-16le', '6100dc'],
    ['utf-16le', '00d8'],
    ['ascii', '41c3'],
  ] as const)('%s rejects %s with SERDE_CORRUPT_RECORD saying what to do', (charset, bytes) => {
    const schema = new SimpleStringSchema({ charset });
    expect(() => schema.deserialize(fromHex(bytes))).toThrow(SerdeError);
    expect(() => schema.deserialize(fromHex(bytes))).toThrow(
      expect.objectContaining({
        code: 'SERDE_CORRUPT_RECORD',
        message: expect.stringMatching(
          new RegExp(`not valid ${charset}.*charset option.*return null`),
        ),
      }),
    );
  });

  it('latin1 decodes every byte as the code point of the same value (not windows-1252)', () => {
    expect(
      new SimpleStringSchema({ charset: 'latin1' }).deserialize(Uint8Array.of(0x80, 0x9f)),
    ).toBe('\u0080\u009f');
  });

  it.each([
    ['latin1', 'a€', /U\+20AC at index 1.*charset 'utf-8'/],
    ['ascii', 'é', /U\+00E9 at index 0/],
  ] as const)('%s rejects %j with SERDE_SERIALIZE_FAILED', (charset, text, message) => {
    expect(() => new SimpleStringSchema({ charset }).serialize(text)).toThrow(
      expect.objectContaining({
        code: 'SERDE_SERIALIZE_FAILED',
        message: expect.stringMatching(message),
      }),
    );
  });

  it('replaces unpaired surrogates with U+FFFD by default, or fails when asked', () => {
    expect(
      new SimpleStringSchema().deserialize(new SimpleStringSchema().serialize('a\ud800')),
    ).toBe('a\ufffd');
    const utf16 = new SimpleStringSchema({ charset: 'utf-16le' });
    expect(utf16.deserialize(utf16.serialize('\udc00😀'))).toBe('\ufffd😀');
    expect(() =>
      new SimpleStringSchema({ unpairedSurrogates: 'fail' }).serialize('x\udc00'),
    ).toThrow(
      expect.objectContaining({
        code: 'SERDE_SERIALIZE_FAILED',
        message: expect.stringMatching(/U\+DC00 at index 1/),
      }),
    );
  });

  it.each([
    [{ charset: 'utf-32' }, 'charset'],
    [{ charset: 5 }, 'charset'],
    [{ unpairedSurrogates: 'drop' }, 'unpairedSurrogates'],
  ])('rejects options %j with CONFIG_INVALID naming the option', (options, option) => {
    expect(() => new SimpleStringSchema(options as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', option }),
    );
  });

  it('rejects non-strings on serialize', () => {
    expect(() => new SimpleStringSchema().serialize(null as unknown as string)).toThrow(
      expect.objectContaining({ code: 'SERDE_SERIALIZE_FAILED' }),
    );
  });
});
