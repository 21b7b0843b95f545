/**
 * A correct `read_committed` filter for kafkajs 2.2.4 consumers.
 *
 * A fetch response lists the aborted transactions overlapping the fetched range
 * (`{ producerId, firstOffset }`); the client must drop every transactional record of such a
 * producer from `firstOffset` up to that producer's ABORT marker. kafkajs's
 * `consumer/filterAbortedMessages.js` gets this wrong in two ways that both leak aborted records
 * as if they were committed when transactions of several producers interleave on one partition
 * (two sink subtasks writing the same output partition, each with its own producer id):
 *
 * 1. it activates at most **one** aborted transaction per message, so when a fetch starts inside
 *    two (or more) aborted transactions, the second one is only activated a message later and
 *    that message, if it belongs to it, passes;
 * 2. it assumes the list is sorted by `firstOffset`, but the broker returns it in the order of the
 *    abort markers (its transaction index), so a transaction that began earlier but was aborted
 *    later is activated too late.
 *
 * {@link markAbortedMessages} does what the Java consumer does (a queue ordered by first offset,
 * every transaction whose first offset is reached is active until its producer's ABORT marker);
 * {@link instrumentReadCommittedFetch} applies it to every fetch of one consumer's cluster, before
 * kafkajs builds its batches: aborted records are turned into control records (which kafkajs
 * never hands out but still counts for the consumer's position) and the aborted list is emptied
 * so kafkajs's own filter does nothing.
 */
import { AbortedTransactions } from './aborted-transactions.js';
import type { AbortedTransaction } from './aborted-transactions.js';
import { isFetchedRecordBatches } from './kafkajs-fetch-decoding.js';
import type { FetchedRecordBatches } from './kafkajs-fetch-decoding.js';

export type { AbortedTransaction };

/** The fields of a decoded kafkajs message this filter reads or sets. */
export interface FetchedMessage {
  readonly offset: string;
  readonly key?: Buffer | Uint8Array | null;
  isControlRecord?: boolean;
  readonly batchContext?: { readonly producerId: string | number | bigint; readonly inTransaction: boolean };
}

const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

function isAbortMarker(message: FetchedMessage): boolean {
  return message.isControlRecord === true && message.key != null && Buffer.from(message.key).equals(ABORT_MARKER_KEY);
}

/**
 * Marks (as control records) the messages of `messages` (in offset order) that belong to an
 * aborted transaction of `abortedTransactions`. Returns how many were marked.
 */
export function markAbortedMessages(messages: readonly FetchedMessage[], abortedTransactions: readonly AbortedTransaction[]): number {
  if (abortedTransactions.length === 0) return 0;
  const aborted = new AbortedTransactions(abortedTransactions);
  let marked = 0;
  for (const message of messages) {
    aborted.reach(BigInt(message.offset));
    const context = message.batchContext;
    if (context === undefined) continue;
    if (isAbortMarker(message)) {
      aborted.end(context.producerId);
    } else if (context.inTransaction && aborted.aborts(context.producerId) && message.isControlRecord !== true) {
      message.isControlRecord = true;
      marked += 1;
    }
  }
  return marked;
}

interface FetchResponse {
  responses?: {
    partitions?: { abortedTransactions?: AbortedTransaction[] | null; messages?: FetchedMessage[] | FetchedRecordBatches }[];
  }[];
}

/**
 * Applies {@link markAbortedMessages} to a decoded fetch response, then empties its aborted lists.
 * Records that the Kafka source's fetcher took over undecoded (`FetchedRecordBatches` of
 * kafkajs-fetch-decoding.ts) are filtered batch by batch, as the Java consumer does; other
 * undecoded records are decoded first, as kafkajs would have.
 */
export function filterFetchResponse(response: unknown): void {
  for (const topic of (response as FetchResponse | null)?.responses ?? []) {
    for (const partition of topic.partitions ?? []) {
      const aborted = partition.abortedTransactions;
      if (aborted == null || aborted.length === 0) continue;
      const { messages } = partition;
      if (isFetchedRecordBatches(messages) && messages.decodedLazily) {
        messages.markAborted(aborted);
      } else {
        const decoded = isFetchedRecordBatches(messages) ? messages.toMessages() : (messages ?? []);
        markAbortedMessages(decoded, aborted);
        partition.messages = decoded;
      }
      partition.abortedTransactions = [];
    }
  }
}
