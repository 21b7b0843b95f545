import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { filterFetchResponse, markAbortedMessages } from './read-committed.js';
import type { AbortedTransaction, FetchedMessage } from './read-committed.js';

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);

function data(offset: number, producerId: string): FetchedMessage {
  return { offset: String(offset), key: null, isControlRecord: false, batchContext: { producerId, inTransaction: true } };
}
function marker(offset: number, producerId: string, key: Buffer): FetchedMessage {
  return { offset: String(offset), key, isControlRecord: true, batchContext: { producerId, inTransaction: true } };
}
const visible = (messages: FetchedMessage[]): string[] => messages.filter((m) => m.isControlRecord !== true).map((m) => m.offset);

// kafkajs 2.2.4's own filter, to show these cases are the ones it gets wrong
const kafkajsFilter = createRequire(import.meta.url)('kafkajs/src/consumer/filterAbortedMessages.js') as (input: {
  messages: FetchedMessage[];
  abortedTransactions: AbortedTransaction[];
}) => FetchedMessage[];
const kafkajsVisible = (messages: FetchedMessage[], aborted: AbortedTransaction[]): string[] =>
  kafkajsFilter({ messages, abortedTransactions: aborted })
    .filter((m) => m.isControlRecord !== true)
    .map((m) => m.offset);

describe('markAbortedMessages (read_committed)', () => {
  it('aborted list in abort-marker order, not first-offset order: the earlier-begun transaction is dropped from its first record', () => {
    // A (pid 1) begins at 0, B (pid 2) at 1; B aborts first (marker 3), A later (marker 4):
    // the broker lists [B@1, A@0]
    const messages = () => [data(0, '1'), data(1, '2'), data(2, '1'), marker(3, '2', ABORT), marker(4, '1', ABORT), data(5, '3')];
    const aborted = [
      { producerId: '2', firstOffset: '1' },
      { producerId: '1', firstOffset: '0' },
    ];
    expect(kafkajsVisible(messages(), aborted)).toContain('0'); // the leak
    const list = messages();
    expect(markAbortedMessages(list, aborted)).toBe(3);
    expect(visible(list)).toEqual(['5']);
  });

  it('a fetch starting inside two aborted transactions drops both from the first fetched record', () => {
    // A (pid 1) from 0 and B (pid 2) from 1 are both open when the fetch starts at 5
    const messages = () => [data(5, '2'), data(6, '1'), marker(7, '1', ABORT), marker(8, '2', ABORT), data(9, '3')];
    const aborted = [
      { producerId: '1', firstOffset: '0' },
      { producerId: '2', firstOffset: '1' },
    ];
    expect(kafkajsVisible(messages(), aborted)).toContain('5'); // the leak
    const list = messages();
    markAbortedMessages(list, aborted);
    expect(visible(list)).toEqual(['9']);
  });

  it('keeps committed transactions of the same producer before and after an aborted one', () => {
    const list = [data(0, '1'), marker(1, '1', COMMIT), data(2, '1'), marker(3, '1', ABORT), data(4, '1'), marker(5, '1', COMMIT)];
    markAbortedMessages(list, [{ producerId: '1', firstOffset: '2' }]);
    expect(visible(list)).toEqual(['0', '4']);
  });

  it('leaves non-transactional records and records with an abort-like key alone', () => {
    const plain: FetchedMessage = { offset: '1', key: ABORT, isControlRecord: false, batchContext: { producerId: '1', inTransaction: false } };
    const list = [data(0, '2'), plain, marker(2, '2', ABORT)];
    markAbortedMessages(list, [{ producerId: '2', firstOffset: '0' }]);
    expect(visible(list)).toEqual(['1']);
  });

  it('filterFetchResponse marks per partition and empties the aborted lists (kafkajs then filters nothing)', () => {
    const partition = {
      abortedTransactions: [{ producerId: '1', firstOffset: '0' }] as AbortedTransaction[],
      messages: [data(0, '1'), marker(1, '1', ABORT), data(2, '2')],
    };
    filterFetchResponse({ responses: [{ partitions: [partition] }] });
    expect(partition.abortedTransactions).toEqual([]);
    expect(visible(partition.messages)).toEqual(['2']);
  });
});
