/**
 * Which records of a fetch belong to aborted transactions (`read_committed`), by the Java
 * consumer's rule. A module of its own, importing nothing, so that both filters use it without an
 * import cycle: `read-committed.ts` (decoded kafkajs messages) and `kafkajs-fetch-decoding.ts`
 * (undecoded record batches).
 *
 * Internal: not exported from the package.
 */

/** One entry of a fetch response's aborted-transactions list (Int64s as strings). */
export interface AbortedTransaction {
  readonly producerId: string | number | bigint;
  readonly firstOffset: string | number | bigint;
}

/**
 * The Java consumer's rule for aborted transactions, fed in offset order: an aborted transaction
 * is active from its first offset until its producer's ABORT marker, and a transactional record of
 * a producer with an active aborted transaction is aborted. Used record by record
 * (`markAbortedMessages` in read-committed.ts) and batch by batch (kafkajs-fetch-decoding.ts).
 */
export class AbortedTransactions {
  /** The aborted transactions by first offset (the broker lists them in abort-marker order). */
  private readonly queue: { readonly producerId: string; readonly firstOffset: bigint }[];
  private readonly active = new Set<string>();
  private next = 0;

  constructor(abortedTransactions: readonly AbortedTransaction[]) {
    this.queue = abortedTransactions
      .map((t) => ({ producerId: String(t.producerId), firstOffset: BigInt(t.firstOffset) }))
      .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /** Activates every aborted transaction whose first offset is at or before `offset`. */
  reach(offset: bigint): void {
    while (this.next < this.queue.length && this.queue[this.next]!.firstOffset <= offset) {
      this.active.add(this.queue[this.next]!.producerId);
      this.next += 1;
    }
  }

  /** Ends `producerId`'s aborted transaction (its ABORT marker was reached). */
  end(producerId: string | number | bigint): void {
    this.active.delete(String(producerId));
  }

  /** Whether a transactional record of `producerId` here belongs to an aborted transaction. */
  aborts(producerId: string | number | bigint): boolean {
    return this.active.has(String(producerId));
  }
}
