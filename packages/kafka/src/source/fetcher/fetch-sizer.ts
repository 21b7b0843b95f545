/**
 * How many bytes each fetch of one source consumer asks for.
 *
 * A fetch is held in memory until its last record is processed: the response bytes about twice
 * for a while (the socket chunks and the buffer they are joined into) and, where kafkajs decodes
 * the whole fetch first (when the lazy decoding of internal/kafkajs-fetch-decoding.ts cannot
 * apply), ≈ 320 bytes of objects per record (the message, its value view, its offset and timestamp
 * strings). A fixed byte limit is therefore either too small for large
 * records (a 1 KB topic written in 500 KB batches needs one broker round trip per batch) or too
 * large for small ones (1 MiB of 100-byte records is ≈ 10,000 objects per partition, most of them
 * surviving a young-generation GC). The sizer keeps the memory a fetch takes about constant
 * instead: it learns the mean record size from the fetches so far and asks for
 * `budget × size / (2 × size + overhead)` bytes, within `fetch.max.bytes` per fetch and
 * `max.partition.fetch.bytes` per partition.
 */

/**
 * Heap bytes kafkajs 2.2.4 allocates per decoded record besides the record's bytes (measured).
 * The source's consumers decode lazily (internal/kafkajs-fetch-decoding.ts), where a record costs
 * 8 bytes until it is read, but the sizer keeps this figure: with 8, fetches of 1 KB records grow
 * from ≈ 1.1 to ≈ 1.3 MB, and a fetch's bytes held until the fetch is processed (often promoted
 * with it) is what the peak RSS of a job with large records is made of (docs/benchmarks.md,
 * session 8).
 */
export const DECODED_RECORD_OVERHEAD_BYTES = 320;

/** How many times a fetch's bytes are held while kafkajs reads and decodes it (chunks, then one buffer). */
const RESPONSE_COPIES = 2;

/**
 * Memory a fetch aims at: with 100-byte records this asks for ≈ 500 KB of records (what two
 * partitions of 256 KiB gave before), with 1 KB records ≈ 1.1 MB.
 */
export const FETCH_MEMORY_BUDGET_BYTES = 2.5 * 1024 * 1024;

/** Mean record size assumed before the first fetch returned records (key + value bytes). */
const INITIAL_RECORD_BYTES = 100;

/** Never ask for less than this per fetch (tiny or empty records). */
const MIN_FETCH_BYTES = 64 * 1024;

/** The limits of one fetch request, bytes. */
export interface FetchLimits {
  /** Record bytes over all partitions (the request's `max_bytes`). */
  readonly fetchBytes: number;
  /** Record bytes per partition (each partition's `partition_max_bytes`). */
  readonly partitionBytes: number;
}

/** Sizes the fetches of one consumer (see the module comment). */
export class FetchSizer {
  private recordBytes = INITIAL_RECORD_BYTES;

  /**
   * @param caps - `maxBytes`: `fetch.max.bytes`; `maxPartitionBytes`: `max.partition.fetch.bytes`
   *   (the user's upper limits, never exceeded)
   */
  constructor(private readonly caps: { readonly maxBytes: number; readonly maxPartitionBytes: number }) {}

  /** The limits of the next fetch. */
  limits(): FetchLimits {
    const perRecord = RESPONSE_COPIES * this.recordBytes + DECODED_RECORD_OVERHEAD_BYTES;
    const wanted = Math.round((FETCH_MEMORY_BUDGET_BYTES * this.recordBytes) / perRecord);
    const fetchBytes = Math.min(this.caps.maxBytes, Math.max(MIN_FETCH_BYTES, wanted));
    return { fetchBytes, partitionBytes: Math.min(this.caps.maxPartitionBytes, fetchBytes) };
  }

  /** Learns from a fetch that returned `records` records of `bytes` key + value bytes in all. */
  observe(records: number, bytes: number): void {
    if (records === 0) return;
    // Half the old estimate, half the new fetch: follows a change of record size within a few fetches.
    this.recordBytes = (this.recordBytes + bytes / records) / 2;
  }
}
