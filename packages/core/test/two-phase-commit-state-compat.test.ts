import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  twoPhaseCommitStateType,
  type TwoPhaseCommitState,
} from '../src/api/two-phase-commit-sink.js';
import { CoreErrorCode } from '../src/errors.js';
import { DataInput, DataOutput } from '../src/types/data-view.js';
import type { TypeInformation } from '../src/types/type-information.js';

/** The transaction/context type the fixture was written with: a varint-length UTF-8 string. */
const stringType: TypeInformation<string> = {
  name: 'fixture-string',
  createSerializer: () => ({
    typeId: 'test.string',
    version: 1,
    serialize: (value, out) => out.writeString(value),
    deserialize: (input) => input.readString(),
    snapshot: () => ({ typeId: 'test.string', version: 1 }),
    readerFor: () => (input) => input.readString(),
  }),
};

const fixture = new URL('./fixtures/two-phase-commit/state-v1.bin', import.meta.url);

const expected: TwoPhaseCommitState<string, string>[] = [
  {
    pendingTransaction: { handle: 'txn-3', transactionStartTime: 1764201600300 },
    pendingCommitTransactions: [
      { handle: 'txn-1', transactionStartTime: 1764201600100 },
      { handle: 'txn-2', transactionStartTime: 1764201600200 },
    ],
    context: 'ctx-é',
  },
  {
    pendingTransaction: { handle: 'txn-9', transactionStartTime: 5 },
    pendingCommitTransactions: [],
  },
];

describe('TwoPhaseCommitSink state format version 1 (frozen bytes)', () => {
  const serializer = twoPhaseCommitStateType(stringType, stringType).createSerializer();

  it('decodes the frozen fixture with deserialize and with readerFor(v1 snapshot)', () => {
    const bytes = new Uint8Array(readFileSync(fixture));
    const direct = new DataInput(bytes);
    expect([serializer.deserialize(direct), serializer.deserialize(direct)]).toEqual(expected);
    direct.assertEnd();
    const read = serializer.readerFor({
      typeId: 'sluice.two-phase-commit-state',
      version: 1,
      nested: [
        { typeId: 'test.string', version: 1 },
        { typeId: 'test.string', version: 1 },
      ],
    });
    const viaReader = new DataInput(bytes);
    expect([read(viaReader), read(viaReader)]).toEqual(expected);
    viaReader.assertEnd();
  });

  it('still writes version 1 byte for byte (bump the version before changing the format)', () => {
    const out = new DataOutput();
    for (const element of expected) serializer.serialize(element, out);
    expect(Buffer.from(out.toBytes()).equals(readFileSync(fixture))).toBe(true);
  });

  it('refuses the fixture with its version byte raised', () => {
    const bytes = new Uint8Array(readFileSync(fixture));
    bytes[0] = 2;
    expect(() => serializer.deserialize(new DataInput(bytes))).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_UNKNOWN_VERSION }),
    );
  });
});
