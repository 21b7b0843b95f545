/**
 * Keyed state (Flink's `ValueState`, `ListState`, `MapState`, `ReducingState`,
 * `AggregatingState`): state scoped to the key of the record being processed, available to the
 * functions of a keyed stream. It is stored per key group, so a checkpoint taken at parallelism p
 * restores at any parallelism q ≤ maxParallelism with every key's state intact.
 */
import type { TypeInformation } from '../types/type-information.js';
import type { ListState } from './state.js';

/** When the time-to-live of a state entry is refreshed. */
export type StateTtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';

/**
 * Time-to-live of keyed state entries (Flink's `StateTtlConfig`), measured in processing time.
 * Expired entries are never returned; they are dropped when read and when a checkpoint is taken.
 * TTL may be added to or removed from a state between runs: entries restored into a state that
 * newly has TTL live `ttlMs` from the restore; removing TTL keeps every restored entry.
 */
export interface StateTtlConfig {
  /** Time to live in ms, `> 0`. */
  readonly ttlMs: number;
  /**
   * What refreshes the entry's timestamp.
   * @defaultValue `'OnCreateAndWrite'`
   */
  readonly updateType?: StateTtlUpdateType;
}

/** What every keyed state descriptor has. */
export interface KeyedStateDescriptorBase {
  /** State name, unique within the operator; matched on restore. */
  readonly name: string;
  /**
   * Optional time-to-live of entries.
   * @defaultValue no TTL (entries live until cleared)
   */
  readonly ttl?: StateTtlConfig;
}

/** Describes a {@link ValueState}. */
export interface ValueStateDescriptor<TValue> extends KeyedStateDescriptorBase {
  readonly type: TypeInformation<TValue>;
  /**
   * Returned by `value()` when the key has no value.
   * @defaultValue `undefined`
   */
  readonly defaultValue?: TValue;
}

/** Describes a keyed {@link ListState}. */
export interface KeyedListStateDescriptor<TValue> extends KeyedStateDescriptorBase {
  /** Element type. */
  readonly type: TypeInformation<TValue>;
}

/** Describes a {@link MapState}. */
export interface MapStateDescriptor<TKey, TValue> extends KeyedStateDescriptorBase {
  readonly keyType: TypeInformation<TKey>;
  readonly valueType: TypeInformation<TValue>;
}

/** Describes a {@link ReducingState}. */
export interface ReducingStateDescriptor<TValue> extends KeyedStateDescriptorBase {
  readonly type: TypeInformation<TValue>;
  /** Combines the current value with an added one. */
  readonly reduce: (accumulated: TValue, value: TValue) => TValue;
}

/** Flink's `AggregateFunction`: folds inputs into an accumulator and reads a result from it. */
export interface AggregateFunction<TIn, TAcc, TOut> {
  createAccumulator(): TAcc;
  add(value: TIn, accumulator: TAcc): TAcc;
  getResult(accumulator: TAcc): TOut;
}

/** Describes an {@link AggregatingState}. */
export interface AggregatingStateDescriptor<TIn, TAcc, TOut> extends KeyedStateDescriptorBase {
  /** Accumulator type (what is stored). */
  readonly accumulatorType: TypeInformation<TAcc>;
  readonly aggregate: AggregateFunction<TIn, TAcc, TOut>;
}

/** One value per key. */
export interface ValueState<TValue> {
  /** The current key's value, or the descriptor's default. */
  value(): TValue | undefined;
  /** Sets the current key's value. */
  update(value: TValue): void;
  /** Removes the current key's value. */
  clear(): void;
}

/** A map per key. */
export interface MapState<TKey, TValue> {
  get(key: TKey): TValue | undefined;
  put(key: TKey, value: TValue): void;
  putAll(entries: Iterable<readonly [TKey, TValue]>): void;
  remove(key: TKey): void;
  contains(key: TKey): boolean;
  /** A copy of the current key's entries. */
  entries(): [TKey, TValue][];
  keys(): TKey[];
  values(): TValue[];
  isEmpty(): boolean;
  clear(): void;
}

/** A value per key that added values are reduced into. */
export interface ReducingState<TValue> {
  /** The reduced value, or `undefined` when nothing was added. */
  get(): TValue | undefined;
  add(value: TValue): void;
  clear(): void;
}

/** An accumulator per key that added values are aggregated into. */
export interface AggregatingState<TIn, TOut> {
  /** The result of the accumulator, or `undefined` when nothing was added. */
  get(): TOut | undefined;
  add(value: TIn): void;
  clear(): void;
}

/** Creates keyed state handles (Flink's `KeyedStateStore`); call it in `open`. */
export interface KeyedStateStore {
  getState<TValue>(descriptor: ValueStateDescriptor<TValue>): ValueState<TValue>;
  getListState<TValue>(descriptor: KeyedListStateDescriptor<TValue>): ListState<TValue>;
  getMapState<TKey, TValue>(descriptor: MapStateDescriptor<TKey, TValue>): MapState<TKey, TValue>;
  getReducingState<TValue>(descriptor: ReducingStateDescriptor<TValue>): ReducingState<TValue>;
  getAggregatingState<TIn, TAcc, TOut>(
    descriptor: AggregatingStateDescriptor<TIn, TAcc, TOut>,
  ): AggregatingState<TIn, TOut>;
}
