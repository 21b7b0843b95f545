import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { loadJavaReference } from '../../../test/fixtures/java-reference.js';
import { keyHashPartition, murmur2, toPositive } from './murmur2.js';

const encoder = new TextEncoder();

function kafkaJsPartition(
  create: typeof Partitioners.DefaultPartitioner,
  options: { key: string; numPartitions: number },
): number {
  const partitionMetadata = Array.from({ length: options.numPartitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return create()({ topic: 't', partitionMetadata, message: { key: Buffer.from(options.key, 'utf8'), value: null } });
}

describe("Kafka's default key partitioner (checklist 16: null partitioner defers to Kafka)", () => {
  const reference = loadJavaReference();

  it('murmur2 equals Utils.murmur2 of kafka-clients run on this machine', () => {
    expect(reference.murmur2.length).toBeGreaterThan(100);
    for (const [key, hash] of reference.murmur2) expect([key, murmur2(encoder.encode(key))]).toEqual([key, hash]);
  });

  it('places keys where the Java client puts them', () => {
    for (const [key, , partitions] of reference.murmur2) {
      reference.murmur2PartitionCounts.forEach((n, i) => {
        expect([key, n, keyHashPartition(encoder.encode(key), n)]).toEqual([key, n, partitions[i]]);
      });
    }
  });

  it("kafkajs's DefaultPartitioner matches Java, its LegacyPartitioner does not", () => {
    let legacyDiffers = 0;
    for (const [key, , partitions] of reference.murmur2) {
      reference.murmur2PartitionCounts.forEach((numPartitions, i) => {
        expect(kafkaJsPartition(Partitioners.DefaultPartitioner, { key, numPartitions })).toBe(partitions[i]);
        if (kafkaJsPartition(Partitioners.LegacyPartitioner, { key, numPartitions }) !== partitions[i]) legacyDiffers += 1;
      });
    }
    expect(legacyDiffers).toBeGreaterThan(0);
  });

  it('toPositive clears the sign bit like Java', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });
});
