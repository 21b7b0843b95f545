/**
 * The Java Kafka client's key hash (`org.apache.kafka.common.utils.Utils.murmur2`, seed
 * `0x9747b28c`) and its keyed placement `toPositive(murmur2(key)) % numPartitions`, so a record
 * written by Sluice with a key lands where a Java producer would put it.
 */

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;

/** Java's `Utils.murmur2(byte[])`: a signed int32. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i += 1) {
    const i4 = i * 4;
    let k = (data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24)) | 0;
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  switch (length % 4) {
    case 3:
      h ^= data[tail + 2]! << 16;
      h ^= data[tail + 1]! << 8;
      h ^= data[tail]!;
      h = Math.imul(h, M);
      break;
    case 2:
      h ^= data[tail + 1]! << 8;
      h ^= data[tail]!;
      h = Math.imul(h, M);
      break;
    case 1:
      h ^= data[tail]!;
      h = Math.imul(h, M);
      break;
    default:
      break;
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive`: clears the sign bit (not `Math.abs`). */
export function toPositive(value: number): number {
  return value & 0x7fffffff;
}

/**
 * The partition the Java client's default partitioner gives a record with a non-null key:
 * `toPositive(murmur2(key)) % numPartitions`, an index into the topic's sorted partition ids.
 */
export function keyHashPartition(key: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions <= 0) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
  return toPositive(murmur2(key)) % numPartitions;
}
