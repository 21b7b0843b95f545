/** The fluent DataStream API: `map`, `flatMap`, `filter`, `rebalance`, `addSink`. */
import type {
  Collector,
  FilterFunction,
  FlatMapFunction,
  MapFunction,
  RichFunction,
  Sink,
} from '../api/functions.js';
import type { CheckpointListener, CheckpointedFunction } from '../api/state.js';
import { hasMethod } from '../api/functions.js';
import { PrintSinkFunction } from '../api/print-sink-function.js';
import { ConfigError } from '../errors.js';
import type { InputPartitioning, KeySpec, OperatorKind } from '../runtime/job-graph.js';
import type {
  KeyedProcessContext,
  KeyedProcessFunction,
  KeyedProcessFunctionLike,
  KeyedRuntimeContext,
  OutputTag,
} from '../api/keyed-process-function.js';
import type { ValueState } from '../api/keyed-state.js';
import type { WatermarkStrategy } from '../api/watermark-strategy.js';
import type { TypeInformation } from '../types/type-information.js';
import { Types } from '../types/types.js';

/** @internal An operator as declared, before defaults are resolved at execute. */
export interface OperatorDraft {
  readonly id: number;
  readonly kind: OperatorKind;
  readonly function: object;
  name: string;
  uid: string | undefined;
  parallelism: number | undefined;
  readonly inputId: number | undefined;
  readonly inputPartitioning: InputPartitioning;
  readonly extraInputIds?: readonly number[];
  readonly key?: KeySpec;
  readonly sideOutputTag?: string;
}

/** @internal Where a DataStream registers new operators. */
export interface OperatorRegistry {
  addOperator(draft: Omit<OperatorDraft, 'id'>): OperatorDraft;
}

/**
 * The optional interfaces a function object may also implement: {@link RichFunction} (`open`,
 * `close`), {@link CheckpointedFunction} and {@link CheckpointListener}.
 */
export type FunctionExtras = RichFunction & Partial<CheckpointedFunction> & Partial<CheckpointListener>;

/** A map step: a function or a {@link MapFunction} object. */
export type MapFunctionLike<TIn, TOut> =
  | ((value: TIn) => TOut | Promise<TOut>)
  | (MapFunction<TIn, TOut> & FunctionExtras);
/** A flatMap step: a function or a {@link FlatMapFunction} object. */
export type FlatMapFunctionLike<TIn, TOut> =
  | ((value: TIn, out: Collector<TOut>) => void | Promise<void>)
  | (FlatMapFunction<TIn, TOut> & FunctionExtras);
/** A filter step: a predicate or a {@link FilterFunction} object. */
export type FilterFunctionLike<TIn> =
  | ((value: TIn) => boolean | Promise<boolean>)
  | (FilterFunction<TIn> & FunctionExtras);

/** Options of {@link DataStream.addSink}. */
export interface AddSinkOptions {
  /**
   * Display name of the sink.
   * @defaultValue `'Sink'`
   */
  readonly name?: string;
}

/** Settings shared by streams and sinks: uid, name and parallelism of the operator. */
abstract class OperatorSettings {
  /** @internal */
  protected constructor(protected readonly draft: OperatorDraft) {}

  /**
   * Sets the operator's uid: checkpointed state is matched to operators by uid on restore, so
   * every stateful operator needs one, unique in the job.
   * @defaultValue derived from the position (allowed only for stateless operators)
   */
  uid(uid: string): this {
    if (typeof uid !== 'string' || uid.length === 0) {
      throw new ConfigError(`uid must be a non-empty string, got ${JSON.stringify(uid)}.`, { option: 'uid' });
    }
    this.draft.uid = uid;
    return this;
  }

  /**
   * Sets the display name used in errors and metrics-facing names.
   * @defaultValue the operator kind (`Source`, `Map`, `FlatMap`, `Filter`, `Sink`)
   */
  name(name: string): this {
    this.draft.name = name;
    return this;
  }

  /**
   * Sets this operator's parallelism (checked at execute: 1 ≤ p ≤ maxParallelism).
   * @defaultValue the environment's parallelism
   */
  setParallelism(parallelism: number): this {
    this.draft.parallelism = parallelism;
    return this;
  }

  /** The operator's uid, if set. */
  getUid(): string | undefined {
    return this.draft.uid;
  }
}

/** A stream of records of type `TRecord`. */
export class DataStream<TRecord> extends OperatorSettings {
  /** @internal */
  constructor(
    private readonly registry: OperatorRegistry,
    draft: OperatorDraft,
    private readonly partitioning: InputPartitioning = 'forward',
  ) {
    super(draft);
  }

  /** Transforms every record with `fn` (a function, or an object with `map`). */
  map<TOut>(fn: MapFunctionLike<TRecord, TOut>): DataStream<TOut> {
    const object = typeof fn === 'function' ? { map: fn } : requireMethod(fn, 'map');
    return this.next('map', object);
  }

  /** Emits zero or more records per record through the collector. */
  flatMap<TOut>(fn: FlatMapFunctionLike<TRecord, TOut>): DataStream<TOut> {
    const object = typeof fn === 'function' ? { flatMap: fn } : requireMethod(fn, 'flatMap');
    return this.next('flatMap', object);
  }

  /** Keeps the records for which `fn` returns true. */
  filter(fn: FilterFunctionLike<TRecord>): DataStream<TRecord> {
    const object = typeof fn === 'function' ? { filter: fn } : requireMethod(fn, 'filter');
    return this.next('filter', object);
  }

  /**
   * Sends the records of this stream round-robin to all subtasks of the next operator, through a
   * bounded channel (no chaining across this edge).
   */
  rebalance(): DataStream<TRecord> {
    return new DataStream<TRecord>(this.registry, this.draft, 'rebalance');
  }

  /**
   * Partitions the stream by key: records with equal keys (equal serialized bytes of `keyType`) go
   * to the same subtask of the next operator, by key group (see the README's "Keyed streams").
   * @defaultValue keyType `Types.json()` (strings, numbers, booleans, null, arrays, plain objects)
   */
  keyBy<TKey>(keySelector: (value: TRecord) => TKey, keyType?: TypeInformation<TKey>): KeyedStream<TRecord, TKey> {
    if (typeof keySelector !== 'function') {
      throw new ConfigError('keyBy expects a key selector function.', { option: 'keySelector' });
    }
    const key: KeySpec = {
      selector: keySelector as (value: unknown) => unknown,
      type: (keyType ?? Types.json()) as TypeInformation<unknown>,
    };
    return new KeyedStream<TRecord, TKey>({ registry: this.registry, draft: this.draft, key });
  }

  /** Sends every record to every subtask of the next operator (records are shared, do not mutate them). */
  broadcast(): DataStream<TRecord> {
    return new DataStream<TRecord>(this.registry, this.draft, 'broadcast');
  }

  /**
   * Merges this stream with `others` (same record type) into one stream; records of each input
   * keep their order, inputs interleave. Watermarks are the minimum over the inputs.
   */
  union(...others: DataStream<TRecord>[]): DataStream<TRecord> {
    const draft = this.registry.addOperator({
      kind: 'map',
      function: { map: (value: unknown) => value },
      name: 'Union',
      uid: undefined,
      parallelism: undefined,
      inputId: this.draft.id,
      inputPartitioning: 'rebalance',
      extraInputIds: others.map((other) => other.draft.id),
    });
    return new DataStream<TRecord>(this.registry, draft);
  }

  /**
   * Extracts event-time timestamps and generates watermarks with `strategy`
   * (see `WatermarkStrategies`). Upstream watermarks are replaced by the generated ones.
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<TRecord>): DataStream<TRecord> {
    if (typeof strategy?.createWatermarkGenerator !== 'function') {
      throw new ConfigError('assignTimestampsAndWatermarks expects a WatermarkStrategy.', { option: 'watermarkStrategy' });
    }
    const draft = this.registry.addOperator({
      kind: 'timestampsAndWatermarks',
      function: strategy,
      name: 'Timestamps/Watermarks',
      uid: undefined,
      parallelism: undefined,
      inputId: this.draft.id,
      inputPartitioning: this.partitioning,
    });
    return new DataStream<TRecord>(this.registry, draft);
  }

  /** The records the operator of this stream emitted to the side output `tag`. */
  getSideOutput<TSide>(tag: OutputTag<TSide>): DataStream<TSide> {
    const draft = this.registry.addOperator({
      kind: 'sideOutput',
      function: { map: (value: unknown) => value },
      name: `SideOutput(${tag.id})`,
      uid: undefined,
      parallelism: undefined,
      inputId: this.draft.id,
      inputPartitioning: 'forward',
      sideOutputTag: tag.id,
    });
    return new DataStream<TSide>(this.registry, draft);
  }

  /** Writes the stream into `sink`. */
  addSink(sink: Sink<TRecord> & FunctionExtras, options: AddSinkOptions = {}): DataStreamSink<TRecord> {
    const draft = this.registry.addOperator({
      kind: 'sink',
      function: requireMethod(sink, 'invoke'),
      name: options.name ?? 'Sink',
      uid: undefined,
      parallelism: undefined,
      inputId: this.draft.id,
      inputPartitioning: this.partitioning,
    });
    return new DataStreamSink<TRecord>(draft);
  }

  /**
   * Prints every record on standard output (Flink's `DataStream.print()`): `String(record)` per
   * line, prefixed with the 1-based subtask when the sink's parallelism is above 1.
   * @param sinkIdentifier - put in front of every line; default none
   */
  print(sinkIdentifier?: string): DataStreamSink<TRecord> {
    return this.addSink(new PrintSinkFunction<TRecord>(sinkIdentifier === undefined ? {} : { sinkIdentifier }), { name: 'Print to Std. Out' });
  }

  /** Like {@link DataStream.print}, on standard error (Flink's `printToErr()`). */
  printToErr(sinkIdentifier?: string): DataStreamSink<TRecord> {
    return this.addSink(new PrintSinkFunction<TRecord>({ stdErr: true, ...(sinkIdentifier === undefined ? {} : { sinkIdentifier }) }), {
      name: 'Print to Std. Err',
    });
  }

  private next<TOut>(kind: 'map' | 'flatMap' | 'filter', fn: object): DataStream<TOut> {
    const draft = this.registry.addOperator({
      kind,
      function: fn,
      name: kind === 'map' ? 'Map' : kind === 'flatMap' ? 'FlatMap' : 'Filter',
      uid: undefined,
      parallelism: undefined,
      inputId: this.draft.id,
      inputPartitioning: this.partitioning,
    });
    return new DataStream<TOut>(this.registry, draft);
  }
}

/**
 * A stream partitioned by key (`DataStream.keyBy`): keyed state and timers are available to the
 * functions applied to it.
 */
export class KeyedStream<TRecord, TKey> {
  private readonly registry: OperatorRegistry;
  private readonly draft: OperatorDraft;
  private readonly key: KeySpec;

  /** @internal */
  constructor(options: { registry: OperatorRegistry; draft: OperatorDraft; key: KeySpec }) {
    this.registry = options.registry;
    this.draft = options.draft;
    this.key = options.key;
  }

  /**
   * Applies a `KeyedProcessFunction`: `processElement` per record with keyed state, timers and
   * side outputs. Set a `uid` on the result (keyed state is checkpointed).
   */
  process<TOut>(fn: KeyedProcessFunctionLike<TKey, TRecord, TOut>): DataStream<TOut> {
    const draft = this.registry.addOperator({
      kind: 'keyedProcess',
      function: requireMethod(fn, 'processElement'),
      name: 'KeyedProcess',
      uid: undefined,
      parallelism: undefined,
      inputId: this.draft.id,
      inputPartitioning: 'hash',
      key: this.key,
    });
    return new DataStream<TOut>(this.registry, draft);
  }

  /**
   * Rolling reduce per key: emits the reduced value after every record. The state
   * (`ValueState` named `reduce`) is checkpointed: set a `uid`.
   */
  reduce(reducer: (accumulated: TRecord, value: TRecord) => TRecord, type?: TypeInformation<TRecord>): DataStream<TRecord> {
    const valueType = (type ?? Types.json()) as TypeInformation<TRecord>;
    // State handles live in fields: each subtask runs its own copy of the function object.
    class ReduceFunction implements KeyedProcessFunction<TKey, TRecord, TRecord> {
      state: ValueState<TRecord> | undefined;
      open(context: KeyedRuntimeContext): void {
        this.state = context.getState({ name: 'reduce', type: valueType });
      }
      processElement(value: TRecord, _ctx: KeyedProcessContext<TKey>, out: Collector<TRecord>): void {
        const state = this.state as ValueState<TRecord>;
        const current = state.value();
        const next = current === undefined ? value : reducer(current, value);
        state.update(next);
        out.collect(next);
      }
    }
    const fn = new ReduceFunction();
    return this.process(fn).name('Reduce');
  }
}

/** The end of a stream: a sink operator, configurable with `uid`, `name` and `setParallelism`. */
export class DataStreamSink<TRecord> extends OperatorSettings {
  /** @internal */
  constructor(draft: OperatorDraft) {
    super(draft);
  }

  /** @internal Phantom use of the record type. */
  protected readonly recordType?: TRecord;
}

function requireMethod<TFunction>(fn: TFunction, method: string): TFunction & object {
  if (!hasMethod(fn, method)) {
    throw new ConfigError(
      `Expected a function or an object with a ${method}() method, got ${describe(fn)}.`,
      { option: method },
    );
  }
  return fn as TFunction & object;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object without ${'a matching method'}`;
  return typeof value;
}
