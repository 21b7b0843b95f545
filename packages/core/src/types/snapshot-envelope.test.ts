import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateError } from '../errors.js';
import {
  SNAPSHOT_ENVELOPE_MAGIC,
  decodeSnapshot,
  encodeSnapshot,
  readWithSnapshot,
  writeWithSnapshot,
} from './snapshot-envelope.js';
import type { SerializerSnapshot } from './type-serializer.js';
import { Types } from './types.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

const snapshots: fc.Arbitrary<SerializerSnapshot> = fc.letrec<{ s: SerializerSnapshot }>((tie) => ({
  s: fc.record(
    {
      typeId: fc.string({ minLength: 1 }),
      version: fc.nat(),
      params: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
      nested: fc.array(tie('s'), { maxLength: 3, depthIdentifier: 'snapshot' }),
    },
    { requiredKeys: ['typeId', 'version'] },
  ),
})).s;

const normalize = (s: SerializerSnapshot): SerializerSnapshot => ({
  typeId: s.typeId,
  version: s.version,
  ...(s.params === undefined ? {} : { params: s.params }),
  ...(s.nested === undefined || s.nested.length === 0 ? {} : { nested: s.nested.map(normalize) }),
});

describe('snapshot envelope', () => {
  it('round-trips any snapshot', () => {
    fc.assert(
      fc.property(snapshots, (snapshot) => {
        expect(decodeSnapshot(encodeSnapshot(snapshot))).toStrictEqual(normalize(snapshot));
      }),
    );
  });

  it('is compact and starts with magic and envelope version', () => {
    expect(hex(encodeSnapshot({ typeId: 'sluice.string', version: 1 }))).toBe(
      'f5010d736c756963652e737472696e67010000',
    );
    const bytes = writeWithSnapshot(Types.string().createSerializer(), 'hi');
    expect(bytes[0]).toBe(SNAPSHOT_ENVELOPE_MAGIC);
    expect(hex(bytes)).toBe('f5010d736c756963652e737472696e670100000268' + '69');
  });

  it('reads the value with the reader the snapshot selects', () => {
    const old = Types.row({ id: Types.number() }).createSerializer();
    const current = Types.row({
      id: Types.number(),
      note: Types.nullable(Types.string()),
    }).createSerializer();
    expect(readWithSnapshot(current, writeWithSnapshot(old, { id: 3 }))).toStrictEqual({
      id: 3,
      note: null,
    });
  });

  it.each([
    ['empty bytes', '', 'STATE_CORRUPT', /empty/],
    [
      'a wrong magic byte',
      '7b01',
      'STATE_CORRUPT',
      /first byte is 0x7b.*not written by writeWithSnapshot/,
    ],
    [
      'an unknown envelope version',
      'f502',
      'STATE_UNKNOWN_VERSION',
      /version 2 is unknown: this release reads version 1/,
    ],
    ['a truncated snapshot', 'f5010d736c7569', 'STATE_CORRUPT', /needed/],
    ['an empty type id', 'f501000100' + '00', 'STATE_CORRUPT', /empty type id/],
    ['a bad params flag', 'f5010d736c756963652e737472696e670102', 'STATE_CORRUPT', /params flag/],
    [
      'params that are not an object',
      'f5010d736c756963652e737472696e67010100',
      'STATE_CORRUPT',
      /not an object/,
    ],
    [
      'a nested count beyond the bytes',
      'f5010d736c756963652e737472696e67010009',
      'STATE_CORRUPT',
      /nested/,
    ],
    ['a missing value', 'f5010d736c756963652e737472696e67010000', 'STATE_CORRUPT', /needed/],
    [
      'trailing bytes',
      'f5010d736c756963652e737472696e6701000002686969',
      'STATE_CORRUPT',
      /trailing/,
    ],
    [
      'another type',
      'f5010e736c756963652e626f6f6c65616e01000001',
      'STATE_INCOMPATIBLE',
      /"sluice.boolean".*"sluice.string"/,
    ],
    [
      'a newer serializer version',
      'f5010d736c756963652e737472696e67020000026869',
      'STATE_UNKNOWN_VERSION',
      /version 2/,
    ],
  ])('reading %s throws %s', (...[, bytes, code, message]) => {
    const read = () => readWithSnapshot(Types.string().createSerializer(), fromHex(bytes));
    expect(read).toThrow(StateError);
    expect(read).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });

  it('rejects snapshots nested too deeply', () => {
    let snapshot: SerializerSnapshot = { typeId: 'x', version: 1 };
    for (let i = 0; i < 70; i++) snapshot = { typeId: 'x', version: 1, nested: [snapshot] };
    expect(() => decodeSnapshot(encodeSnapshot(snapshot))).toThrow(
      expect.objectContaining({
        code: 'STATE_CORRUPT',
        message: expect.stringMatching(/deeper than 64/),
      }),
    );
  });

  it('accepts a Node Buffer', () => {
    const bytes = Buffer.from(
      writeWithSnapshot(Types.bytes().createSerializer(), Uint8Array.of(9)),
    );
    expect(readWithSnapshot(Types.bytes().createSerializer(), bytes)).toEqual(Uint8Array.of(9));
  });
});
