/**
 * The sink's checkpointed transaction handles and transactional-id bookkeeping (reference §2.3),
 * each with a versioned codec.
 */
import type { TypeInformation } from '@sluice/core';
import { readInt64, versionedType, writeInt64 } from '../../internal/versioned-type.js';

/**
 * One Kafka transaction as stored in a checkpoint (Flink's `KafkaTransactionState`): enough to
 * commit it from a new process. Non-transactional semantics store `null`, -1, -1.
 */
export interface KafkaTransactionState {
  /** The producer's `transactional.id`, or `null` for NONE / AT_LEAST_ONCE. */
  readonly transactionalId: string | null;
  /** The producer id the broker assigned (InitProducerId), or -1. */
  readonly producerId: number;
  /** The producer epoch, or -1. */
  readonly epoch: number;
}

/** The pool of transactional ids a subtask owns (Flink's `KafkaTransactionContext`). */
export interface KafkaTransactionContext {
  /** The ids, in pool order. */
  readonly transactionalIds: readonly string[];
}

/** The `next-transactional-id-hint` state element (written by subtask 0 only). */
export interface NextTransactionalIdHint {
  /** The parallelism of the run that wrote the hint. */
  readonly lastParallelism: number;
  /** The first id number no subtask has used yet. */
  readonly nextFreeTransactionalId: number;
}

/** Name of the hint's union list state (Flink's name). */
export const NEXT_TRANSACTIONAL_ID_HINT_STATE_NAME = 'next-transactional-id-hint';

/**
 * Version 1 payload: `bool hasId, [string id], int64 producerId, int32 epoch` (Flink writes the
 * epoch as a short; int32 keeps one integer width here).
 */
export const kafkaTransactionStateType: TypeInformation<KafkaTransactionState> = versionedType<KafkaTransactionState>({
  typeId: 'sluice.kafka.transaction-state',
  name: 'kafka-transaction-state',
  version: 1,
  write(value, out) {
    out.writeBoolean(value.transactionalId !== null);
    if (value.transactionalId !== null) out.writeString(value.transactionalId);
    writeInt64(out, value.producerId);
    out.writeInt32(value.epoch);
  },
  readers: {
    1: (input) => {
      const transactionalId = input.readBoolean() ? input.readString() : null;
      const producerId = readInt64(input);
      const epoch = input.readInt32();
      return { transactionalId, producerId, epoch };
    },
  },
});

/** Version 1 payload: `varuint n, n × string`. */
export const kafkaTransactionContextType: TypeInformation<KafkaTransactionContext> = versionedType<KafkaTransactionContext>({
  typeId: 'sluice.kafka.transaction-context',
  name: 'kafka-transaction-context',
  version: 1,
  write(value, out) {
    out.writeVarUint(value.transactionalIds.length);
    for (const id of value.transactionalIds) out.writeString(id);
  },
  readers: {
    1: (input) => {
      const count = input.readVarUint();
      const transactionalIds: string[] = [];
      for (let i = 0; i < count; i += 1) transactionalIds.push(input.readString());
      return { transactionalIds };
    },
  },
});

/** Version 1 payload: `int32 lastParallelism, int64 nextFreeTransactionalId`. */
export const nextTransactionalIdHintType: TypeInformation<NextTransactionalIdHint> = versionedType<NextTransactionalIdHint>({
  typeId: 'sluice.kafka.next-transactional-id-hint',
  name: 'kafka-next-transactional-id-hint',
  version: 1,
  write(value, out) {
    out.writeInt32(value.lastParallelism);
    writeInt64(out, value.nextFreeTransactionalId);
  },
  readers: {
    1: (input) => {
      const lastParallelism = input.readInt32();
      const nextFreeTransactionalId = readInt64(input);
      return { lastParallelism, nextFreeTransactionalId };
    },
  },
});
