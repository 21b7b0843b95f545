import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { groupMessagesPerPartition, installLinearSendGrouping } from './kafkajs-send-grouping.js';

interface Message {
  readonly id: number;
  readonly partition?: number;
}

const partitionMetadata = [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }];
const byField = ({ message }: { message: Message }): number => message.partition ?? 0;

describe('groupMessagesPerPartition', () => {
  it('groups messages by the partitioner, keeping the send order within a partition', () => {
    const messages: Message[] = [
      { id: 1, partition: 2 },
      { id: 2, partition: 0 },
      { id: 3, partition: 2 },
      { id: 4 },
      { id: 5, partition: 1 },
    ];
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner: byField });
    expect(grouped).toEqual({
      0: [{ id: 2, partition: 0 }, { id: 4 }],
      1: [{ id: 5, partition: 1 }],
      2: [{ id: 1, partition: 2 }, { id: 3, partition: 2 }],
    });
    expect(Object.keys(grouped)).toEqual(['0', '1', '2']);
  });

  it('gives the partitioner the topic, the partition metadata and each message once', () => {
    const seen: unknown[] = [];
    const messages: Message[] = [{ id: 1 }, { id: 2 }];
    groupMessagesPerPartition({
      topic: 'orders',
      partitionMetadata,
      messages,
      partitioner: (args) => {
        seen.push(args);
        return 0;
      },
    });
    expect(seen).toEqual(messages.map((message) => ({ topic: 'orders', partitionMetadata, message })));
  });

  it('is empty when the topic has no partition metadata (what kafkajs does)', () => {
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages: [{ id: 1 }], partitioner: byField })).toEqual({});
  });

  it('groups many messages of one partition in one pass', () => {
    const messages = Array.from({ length: 100_000 }, (_, id): Message => ({ id, partition: id % 3 === 0 ? 1 : 2 }));
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner: byField });
    expect(grouped[1]?.length).toBe(33_334);
    expect(grouped[2]?.map((m) => m.id).slice(0, 3)).toEqual([1, 2, 4]);
  });
});

describe('installLinearSendGrouping', () => {
  it('is what kafkajs producers use once the package entry was loaded', async () => {
    await import('../index.js');
    const require = createRequire(import.meta.url);
    expect(require('kafkajs/src/producer/groupMessagesPerPartition.js')).toBe(groupMessagesPerPartition);
    // kafkajs's producer module loaded after the grouping was installed, so it holds the linear one.
    expect(require.cache[require.resolve('kafkajs/src/producer/sendMessages.js')]).toBeDefined();
    expect(installLinearSendGrouping()).toBe(true);
  });
});
