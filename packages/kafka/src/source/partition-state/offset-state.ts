/**
 * The source's checkpointed state: a union list of (topic, partition, last emitted offset)
 * (reference §1.7, checklist 11), with a versioned codec.
 */
import type { TypeInformation } from '@sluice/core';
import type { TopicPartitionOffset } from '../../internal/topic-partition.js';
import { readInt64, versionedType, writeInt64 } from '../../internal/versioned-type.js';

/** Name of the source's union list state (Flink's name, so tooling that knows it can find it). */
export const OFFSET_STATE_NAME = 'topic-partition-offset-states';

/** Type id of {@link offsetStateType}'s serializer. */
export const OFFSET_STATE_TYPE_ID = 'sluice.kafka.topic-partition-offset';

/**
 * Versioned type of one state element. Version 1 payload: `string topic, int32 partition,
 * int64 offset` (offset = last emitted record, or a negative sentinel).
 */
export const offsetStateType: TypeInformation<TopicPartitionOffset> = versionedType<TopicPartitionOffset>({
  typeId: OFFSET_STATE_TYPE_ID,
  name: 'kafka-topic-partition-offset',
  version: 1,
  write(value, out) {
    out.writeString(value.topic);
    out.writeInt32(value.partition);
    writeInt64(out, value.offset);
  },
  readers: {
    1: (input) => {
      const topic = input.readString();
      const partition = input.readInt32();
      const offset = readInt64(input);
      return { topic, partition, offset };
    },
  },
});
