import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CoreErrorCode } from '../errors.js';
import { DataOutput } from '../types/data-view.js';
import { Types } from '../types/types.js';
import { OperatorStateBackend, assignOperatorState, decodeOperatorStateFile } from './operator-state-backend.js';

const fixture = new URL('../../test/fixtures/runtime/operator-state-v1.bin', import.meta.url);

describe('operator state file', () => {
  it('reads the frozen format-1 file (string list state, number union state)', () => {
    const states = decodeOperatorStateFile(new Uint8Array(readFileSync(fixture)));
    const [restored] = assignOperatorState([states], 1);
    const backend = new OperatorStateBackend(restored);
    expect(backend.getListState({ name: 'offsets', type: Types.string() }).get()).toEqual(['a', 'bé']);
    expect(backend.getUnionListState({ name: 'union', type: Types.number() }).get()).toEqual([1.5, -2]);
  });

  it('round-trips and writes what the fixture holds', () => {
    const backend = new OperatorStateBackend();
    backend.getListState({ name: 'offsets', type: Types.string() }).addAll(['a', 'bé']);
    backend.getUnionListState({ name: 'union', type: Types.number() }).addAll([1.5, -2]);
    expect(backend.snapshot()).toEqual(new Uint8Array(readFileSync(fixture)));
  });

  it('rejects an unknown format version with STATE_UNKNOWN_VERSION', () => {
    const out = new DataOutput();
    out.writeString('sluice-operator-state');
    out.writeVarUint(9);
    expect(() => decodeOperatorStateFile(out.toBytes())).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_UNKNOWN_VERSION }),
    );
  });

  it('rejects trailing bytes and foreign files with STATE_CORRUPT', () => {
    const bytes = new Uint8Array(readFileSync(fixture));
    const longer = new Uint8Array([...bytes, 0]);
    expect(() => decodeOperatorStateFile(longer)).toThrow(expect.objectContaining({ code: CoreErrorCode.STATE_CORRUPT }));
    const out = new DataOutput();
    out.writeString('something else');
    expect(() => decodeOperatorStateFile(out.toBytes())).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_CORRUPT }),
    );
  });

  it('reading state with another type is STATE_INCOMPATIBLE', () => {
    const [restored] = assignOperatorState([decodeOperatorStateFile(new Uint8Array(readFileSync(fixture)))], 1);
    const backend = new OperatorStateBackend(restored);
    expect(() => backend.getListState({ name: 'offsets', type: Types.number() })).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_INCOMPATIBLE }),
    );
  });

  it('returns the same state for the same name and rejects a mode clash', () => {
    const backend = new OperatorStateBackend();
    const a = backend.getListState({ name: 's', type: Types.string() });
    expect(backend.getListState({ name: 's', type: Types.string() })).toBe(a);
    expect(() => backend.getUnionListState({ name: 's', type: Types.string() })).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_ACCESS_INVALID }),
    );
  });
});
