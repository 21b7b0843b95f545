import { readFileSync } from 'node:fs';
import { StateError } from '@sluice/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  kafkaTransactionContextType,
  kafkaTransactionStateType,
  nextTransactionalIdHintType,
} from '../sink/transactions/transaction-state.js';
import { kafkaTwoPhaseCommitStateType } from '../sink/exactly-once-kafka-sink.js';
import { offsetStateType } from '../source/partition-state/offset-state.js';
import { decodeValue, encodeValue } from './versioned-type.js';

function fixture(name: string): Uint8Array {
  const hex = readFileSync(new URL(`../../test/fixtures/state/${name}`, import.meta.url), 'utf8').trim();
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

const frozen = [
  { file: 'topic-partition-offset.v1.a.hex', type: offsetStateType, value: { topic: 'orders', partition: 3, offset: 41 } },
  {
    file: 'topic-partition-offset.v1.sentinel.hex',
    type: offsetStateType,
    value: { topic: 'événements', partition: 0, offset: -915623761773 },
  },
  {
    file: 'transaction-state.v1.eo.hex',
    type: kafkaTransactionStateType,
    value: { transactionalId: 'job-sink-7', producerId: 4003, epoch: 2 },
  },
  { file: 'transaction-state.v1.none.hex', type: kafkaTransactionStateType, value: { transactionalId: null, producerId: -1, epoch: -1 } },
  { file: 'transaction-context.v1.hex', type: kafkaTransactionContextType, value: { transactionalIds: ['p-u-0', 'p-u-1'] } },
  {
    file: 'next-transactional-id-hint.v1.hex',
    type: nextTransactionalIdHintType,
    value: { lastParallelism: 4, nextFreeTransactionalId: 20 },
  },
  // The sink's state elements use core's TwoPhaseCommitSink layout (sluice.two-phase-commit-state
  // v1) with the Kafka transaction state and context inside. They replaced the package's own
  // sluice.kafka.two-phase-commit-state v1 before the first release (no checkpoint of it exists).
  {
    file: 'two-phase-commit-state.core-v1.hex',
    type: kafkaTwoPhaseCommitStateType,
    value: {
      pendingTransaction: { handle: { transactionalId: 'p-sink-1', producerId: 7, epoch: 0 }, transactionStartTime: 1700000000500 },
      pendingCommitTransactions: [{ handle: { transactionalId: 'p-sink-0', producerId: 6, epoch: 3 }, transactionStartTime: 1700000000000 }],
      context: { transactionalIds: ['p-sink-0', 'p-sink-1'] },
    },
  },
  {
    file: 'two-phase-commit-state.core-v1.no-context.hex',
    type: kafkaTwoPhaseCommitStateType,
    value: {
      pendingTransaction: { handle: { transactionalId: null, producerId: -1, epoch: -1 }, transactionStartTime: 0 },
      pendingCommitTransactions: [],
    },
  },
] as const;

describe('state codecs (STYLE.md §6)', () => {
  it.each(frozen)('decodes frozen $file (backward compatibility)', ({ file, type, value }) => {
    expect(decodeValue<unknown>(type as never, fixture(file))).toEqual(value);
  });

  it.each(frozen)('still writes $file byte for byte while v1 is current', ({ file, type, value }) => {
    expect(Buffer.from(encodeValue<unknown>(type as never, value)).toString('hex')).toBe(Buffer.from(fixture(file)).toString('hex'));
  });

  it('rejects an unknown version naming both versions', () => {
    const bytes = fixture('topic-partition-offset.v1.a.hex');
    bytes[0] = 9;
    expect(() => decodeValue(offsetStateType, bytes)).toThrow(StateError);
    expect(() => decodeValue(offsetStateType, bytes)).toThrow(/version 9.*up to 1/);
    try {
      decodeValue(offsetStateType, bytes);
    } catch (error) {
      expect((error as StateError).code).toBe('STATE_UNKNOWN_VERSION');
    }
    const serializer = offsetStateType.createSerializer();
    expect(() => serializer.readerFor({ typeId: serializer.typeId, version: 2 })).toThrow(/version 2/);
    expect(() => serializer.readerFor({ typeId: 'other', version: 1 })).toThrow(/cannot read/);
  });

  it('rejects trailing bytes inside and after the payload', () => {
    const bytes = fixture('transaction-state.v1.eo.hex');
    expect(() => decodeValue(kafkaTransactionStateType, Uint8Array.from([...bytes, 0]))).toThrow(/trailing/);
    const longer = Uint8Array.from([...bytes, 0]);
    longer[1] = (longer[1] ?? 0) + 1; // payload length covers the extra byte
    expect(() => decodeValue(kafkaTransactionStateType, longer)).toThrow(/trailing/);
  });

  it('round-trips any offset state and transaction state', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(100_000), fc.maxSafeInteger(), (topic, partition, offset) => {
        const value = { topic, partition, offset };
        expect(decodeValue(offsetStateType, encodeValue(offsetStateType, value))).toEqual(value);
      }),
    );
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: null }), fc.maxSafeInteger(), fc.integer({ min: -1, max: 32767 }), (transactionalId, producerId, epoch) => {
        const value = { transactionalId, producerId, epoch };
        expect(decodeValue(kafkaTransactionStateType, encodeValue(kafkaTransactionStateType, value))).toEqual(value);
      }),
    );
  });
});
