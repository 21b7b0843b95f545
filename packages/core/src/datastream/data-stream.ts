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
import { ConfigError } from '../errors.js';
import type { InputPartitioning, OperatorKind } from '../runtime/job-graph.js';

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
