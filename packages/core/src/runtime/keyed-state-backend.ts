/**
 * The heap keyed state backend of one keyed operator subtask: keyed state and timers, kept in
 * memory (each entry tagged with its key group), and its checkpoint section.
 *
 * Keyed section of a state file (format 2, after the operator states of format 1):
 * `bytes keySerializerSnapshot`, `varuint groupCount`, then per key group `varuint keyGroup`,
 * `bytes groupBlob`. A group blob: `varuint stateCount`, per state `string name`, `uint8 kind`
 * (0 value, 1 list, 2 map, 3 reducing, 4 aggregating), `bytes serializerSnapshot`,
 * `varuint entryCount`, per entry `bytes key`, `bytes value`, `float64 lastWrite`; then
 * `varuint timerCount`, per timer `uint8 domain` (0 event time, 1 processing time), `bytes key`,
 * `float64 time`. Blobs are self-contained, so restoring at another parallelism only moves them.
 */
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  KeyedListStateDescriptor,
  KeyedStateStore,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueState,
  ValueStateDescriptor,
} from '../api/keyed-state.js';
import type { ListState } from '../api/state.js';
import { CoreErrorCode, StateError } from '../errors.js';
import { DataInput, DataOutput } from '../types/data-view.js';
import { decodeSnapshot, encodeSnapshot } from '../types/snapshot-envelope.js';
import type { TypeInformation } from '../types/type-information.js';
import type { SerializerSnapshot, TypeSerializer } from '../types/type-serializer.js';
import { Types } from '../types/types.js';
import { KeyGroupAssigner, isValueKey, latin1String } from './key-groups.js';
import type { KeyInfo, KeyRoute } from './key-groups.js';
import { processingTime } from './processing-time.js';

/** Kind of a keyed state. */
export type KeyedStateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';
const KINDS: readonly KeyedStateKind[] = ['value', 'list', 'map', 'reducing', 'aggregating'];

/** The keyed part of a state file. */
export interface KeyedSection {
  readonly keySnapshot: SerializerSnapshot;
  /** Blob per key group. */
  readonly groups: ReadonlyMap<number, Uint8Array>;
}

interface Entry {
  readonly key: unknown;
  readonly keyString: string;
  readonly keyGroup: number;
  value: unknown;
  ts: number;
}

interface RawEntry {
  readonly keyGroup: number;
  readonly keyBytes: Uint8Array;
  readonly valueBytes: Uint8Array;
  readonly ts: number;
}

interface RawState {
  readonly kind: KeyedStateKind;
  readonly snapshot: SerializerSnapshot;
  readonly entries: RawEntry[];
}

/** A timer of one key. */
export interface Timer {
  readonly time: number;
  readonly key: unknown;
  readonly keyString: string;
  readonly keyGroup: number;
}

class StateTable {
  /** Entries (of all key groups: one lookup per access) of keys a `Map` tells apart by value ({@link isValueKey}), by key. */
  readonly byValue = new Map<unknown, Entry>();
  /** Entries of the other keys, by serialized key. */
  readonly byBytes = new Map<string, Entry>();
  readonly name: string;
  readonly kind: KeyedStateKind;
  readonly serializer: TypeSerializer<unknown>;
  readonly ttl: StateTtlConfig | undefined;
  constructor(options: { name: string; kind: KeyedStateKind; serializer: TypeSerializer<unknown>; ttl: StateTtlConfig | undefined }) {
    this.name = options.name;
    this.kind = options.kind;
    this.serializer = options.serializer;
    this.ttl = options.ttl;
  }
}

/**
 * A {@link ValueState} without TTL, with the backend's `read` and `write` written out: the usual
 * read-modify-write of a record is then short enough for V8 to inline whole into the operator's
 * record loop. A class, not an object of closures: every subtask's states, and those of the next
 * job of the process, then share the two methods V8 inlined, and a new job does not throw the
 * optimized record loop away for a new closure ("wrong call target").
 */
class HeapValueState<TValue> implements ValueState<TValue> {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly table: StateTable,
    private readonly fallback: TValue | undefined,
  ) {}

  value(): TValue | undefined {
    const backend = this.backend;
    const entry = backend.cachedTable === this.table ? backend.cachedEntry : backend.lookup(this.table);
    return (entry?.value as TValue | undefined) ?? this.fallback;
  }

  update(value: TValue): void {
    const backend = this.backend;
    const entry = backend.cachedTable === this.table ? backend.cachedEntry : backend.lookup(this.table);
    if (entry !== undefined) entry.value = value;
    else backend.writeEntry(this.table, undefined, value);
  }

  clear(): void {
    this.backend.remove(this.table);
  }
}

/** Time ordered timers with per-key deduplication; ties ordered by key bytes. */
export class TimerQueue {
  private heap: Timer[] = [];
  private readonly live = new Map<string, Timer>();

  private static id(time: number, keyString: string): string {
    return `${time}|${keyString}`;
  }

  /** Number of registered timers. */
  get size(): number {
    return this.live.size;
  }

  add(timer: Timer): void {
    const id = TimerQueue.id(timer.time, timer.keyString);
    if (this.live.has(id)) return;
    this.live.set(id, timer);
    this.heap.push(timer);
    this.up(this.heap.length - 1);
  }

  delete(time: number, keyString: string): void {
    this.live.delete(TimerQueue.id(time, keyString));
  }

  /** Earliest live timer time, or `Infinity`. */
  peekTime(): number {
    this.dropDead();
    return this.heap[0]?.time ?? Infinity;
  }

  /** Removes and returns the earliest live timer with `time ≤ upTo`. */
  pollUpTo(upTo: number): Timer | undefined {
    this.dropDead();
    const top = this.heap[0];
    if (top === undefined || top.time > upTo) return undefined;
    this.pop();
    this.live.delete(TimerQueue.id(top.time, top.keyString));
    return top;
  }

  /** Every live timer. */
  all(): IterableIterator<Timer> {
    return this.live.values();
  }

  private dropDead(): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || this.live.get(TimerQueue.id(top.time, top.keyString)) === top) return;
      this.pop();
    }
  }

  private less(a: Timer, b: Timer): boolean {
    return a.time < b.time || (a.time === b.time && a.keyString < b.keyString);
  }

  private pop(): void {
    const last = this.heap.pop() as Timer;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.less(this.heap[l] as Timer, this.heap[m] as Timer)) m = l;
      if (r < this.heap.length && this.less(this.heap[r] as Timer, this.heap[m] as Timer)) m = r;
      if (m === i) return;
      [this.heap[i], this.heap[m]] = [this.heap[m] as Timer, this.heap[i] as Timer];
      i = m;
    }
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(this.heap[i] as Timer, this.heap[p] as Timer)) return;
      [this.heap[i], this.heap[p]] = [this.heap[p] as Timer, this.heap[i] as Timer];
      i = p;
    }
  }
}

/** Options of a {@link HeapKeyedStateBackend}. */
export interface HeapKeyedStateBackendOptions {
  readonly keyType: TypeInformation<unknown>;
  readonly maxParallelism: number;
  /** Restored key-group blobs of this subtask's range and the key serializer snapshot they use. */
  readonly restored?: KeyedSection | undefined;
  /** Processing-time clock (TTL). @defaultValue the runtime's per-turn processing time */
  readonly clock?: () => number;
}

const bytesToString = latin1String;


/** Keyed state and timers of one subtask, scoped to the current key. */
export class HeapKeyedStateBackend implements KeyedStateStore {
  readonly keySerializer: TypeSerializer<unknown>;
  readonly maxParallelism: number;
  readonly eventTimers = new TimerQueue();
  readonly processingTimers = new TimerQueue();
  private readonly clock: () => number;
  private readonly tables = new Map<string, StateTable>();
  private readonly raw = new Map<string, RawState>();
  private currentKeyValue: unknown;
  /** Serialized current key (latin1); computed when first needed for a routed value key. */
  private currentKeyString: string | undefined;
  private currentKeyGroupValue = 0;
  /** Whether the current key's entries are in `byValue` (keyed by `currentKeyValue`) or `byBytes`. */
  private currentIsValue = false;
  private hasKey = false;
  private readonly assigner: KeyGroupAssigner<unknown>;
  /**
   * The entry of the current key in `cachedTable` (reads and writes of one record share one
   * lookup). Read by {@link HeapValueState} only.
   */
  cachedTable: StateTable | undefined;
  /** See {@link HeapKeyedStateBackend.cachedTable}. */
  cachedEntry: Entry | undefined;

  constructor(options: HeapKeyedStateBackendOptions) {
    this.keySerializer = options.keyType.createSerializer();
    this.maxParallelism = options.maxParallelism;
    this.assigner = new KeyGroupAssigner(this.keySerializer, { maxParallelism: this.maxParallelism });
    this.clock = options.clock ?? processingTime;
    if (options.restored !== undefined) this.restore(options.restored);
  }

  /** Sets the key the state handles are scoped to. */
  setCurrentKey(key: unknown): void {
    this.setCurrentKeyRouted(key, undefined);
  }

  /** Sets the current key, with its key group (and maybe serialized bytes) when known (from a keyBy exchange). */
  setCurrentKeyRouted(key: unknown, route: KeyRoute | undefined): void {
    if (typeof route === 'number') this.scope(key, route, undefined);
    else this.scopeInfo(key, route ?? this.assigner.info(key));
  }

  private scopeInfo(key: unknown, info: KeyInfo): void {
    this.scope(key, info.keyGroup, info.keyBytes);
  }

  /** Scopes state to a timer's key (no serialization). */
  setCurrentKeyFromTimer(timer: Timer): void {
    this.scope(timer.key, timer.keyGroup, timer.keyString);
  }

  private scope(key: unknown, keyGroup: number, keyString: string | undefined): void {
    this.currentKeyValue = key;
    this.currentKeyGroupValue = keyGroup;
    this.currentKeyString = keyString;
    // Without serialized bytes the key came routed by key group alone, which only value keys are.
    this.currentIsValue = keyString === undefined || isValueKey(key);
    this.hasKey = true;
    this.cachedTable = undefined;
  }

  /** The serialized current key (latin1), serialized now if it was not known. */
  private keyString(): string {
    this.currentKeyString ??= this.assigner.info(this.currentKeyValue).keyBytes;
    return this.currentKeyString;
  }

  get currentKey(): unknown {
    return this.currentKeyValue;
  }

  /** A timer for the current key at `time`. */
  timerFor(time: number): Timer {
    this.requireKey();
    return { time, key: this.currentKeyValue, keyString: this.keyString(), keyGroup: this.currentKeyGroupValue };
  }

  /** Number of keys with any state entry (all states). */
  entryCount(): number {
    let n = 0;
    for (const table of this.tables.values()) n += table.byValue.size + table.byBytes.size;
    return n;
  }

  getState<TValue>(descriptor: ValueStateDescriptor<TValue>): ValueState<TValue> {
    const table = this.register(descriptor, { kind: 'value', type: descriptor.type as TypeInformation<unknown> });
    const fallback = descriptor.defaultValue;
    if (table.ttl !== undefined) {
      return {
        value: () => (this.read(table) as TValue | undefined) ?? fallback,
        update: (value) => this.write(table, value),
        clear: () => this.remove(table),
      };
    }
    return new HeapValueState(this, table, fallback);
  }

  getListState<TValue>(descriptor: KeyedListStateDescriptor<TValue>): ListState<TValue> {
    const table = this.register(descriptor, { kind: 'list', type: Types.array(descriptor.type) as TypeInformation<unknown> });
    const list = (): TValue[] | undefined => this.read(table) as TValue[] | undefined;
    return {
      get: () => [...(list() ?? [])],
      add: (value) => {
        const current = list();
        if (current === undefined) this.write(table, [value]);
        else {
          current.push(value);
          this.write(table, current);
        }
      },
      addAll: (values) => {
        const next = [...(list() ?? []), ...values];
        if (next.length > 0) this.write(table, next);
      },
      update: (values) => {
        const next = [...values];
        if (next.length === 0) this.remove(table);
        else this.write(table, next);
      },
      clear: () => this.remove(table),
    };
  }

  getMapState<TKey, TValue>(descriptor: MapStateDescriptor<TKey, TValue>): MapState<TKey, TValue> {
    const table = this.register(descriptor, {
      kind: 'map',
      type: Types.map(descriptor.keyType, descriptor.valueType) as TypeInformation<unknown>,
    });
    const map = (): Map<TKey, TValue> | undefined => this.read(table) as Map<TKey, TValue> | undefined;
    const mutable = (): Map<TKey, TValue> => {
      const current = map();
      if (current !== undefined) return current;
      const created = new Map<TKey, TValue>();
      return created;
    };
    return {
      get: (key) => map()?.get(key),
      put: (key, value) => this.write(table, mutable().set(key, value)),
      putAll: (entries) => {
        const target = mutable();
        for (const [k, v] of entries) target.set(k, v);
        this.write(table, target);
      },
      remove: (key) => {
        const current = map();
        if (current === undefined) return;
        current.delete(key);
        if (current.size === 0) this.remove(table);
        else this.write(table, current);
      },
      contains: (key) => map()?.has(key) ?? false,
      entries: () => [...(map() ?? new Map<TKey, TValue>()).entries()],
      keys: () => [...(map() ?? new Map<TKey, TValue>()).keys()],
      values: () => [...(map() ?? new Map<TKey, TValue>()).values()],
      isEmpty: () => (map()?.size ?? 0) === 0,
      clear: () => this.remove(table),
    };
  }

  getReducingState<TValue>(descriptor: ReducingStateDescriptor<TValue>): ReducingState<TValue> {
    const table = this.register(descriptor, { kind: 'reducing', type: descriptor.type as TypeInformation<unknown> });
    return {
      get: () => this.read(table) as TValue | undefined,
      add: (value) => {
        const current = this.read(table) as TValue | undefined;
        this.write(table, current === undefined ? value : descriptor.reduce(current, value));
      },
      clear: () => this.remove(table),
    };
  }

  getAggregatingState<TIn, TAcc, TOut>(
    descriptor: AggregatingStateDescriptor<TIn, TAcc, TOut>,
  ): AggregatingState<TIn, TOut> {
    const table = this.register(descriptor, {
      kind: 'aggregating',
      type: descriptor.accumulatorType as TypeInformation<unknown>,
    });
    const fn = descriptor.aggregate;
    return {
      get: () => {
        const acc = this.read(table) as TAcc | undefined;
        return acc === undefined ? undefined : fn.getResult(acc);
      },
      add: (value) => {
        const acc = (this.read(table) as TAcc | undefined) ?? fn.createAccumulator();
        this.write(table, fn.add(value, acc));
      },
      clear: () => this.remove(table),
    };
  }

  /** The keyed section of this subtask's state file; expired TTL entries are left out. */
  snapshot(): KeyedSection {
    this.cachedTable = undefined;
    const now = this.clock();
    const groupIds = new Set<number>();
    const tableGroups = new Map<StateTable, Map<number, Entry[]>>();
    for (const table of this.tables.values()) {
      const byGroup = new Map<number, Entry[]>();
      for (const entries of [table.byValue, table.byBytes] as Map<unknown, Entry>[]) {
        for (const entry of entries.values()) {
          if (this.expired(table, entry, now)) {
            entries.delete(entries === table.byValue ? entry.key : entry.keyString);
            continue;
          }
          const list = byGroup.get(entry.keyGroup);
          if (list !== undefined) list.push(entry);
          else {
            byGroup.set(entry.keyGroup, [entry]);
            groupIds.add(entry.keyGroup);
          }
        }
      }
      tableGroups.set(table, byGroup);
    }
    const rawByGroup = new Map<number, Map<string, RawEntry[]>>();
    for (const [name, raw] of this.raw) {
      for (const e of raw.entries) {
        groupIds.add(e.keyGroup);
        let byName = rawByGroup.get(e.keyGroup);
        if (byName === undefined) {
          byName = new Map();
          rawByGroup.set(e.keyGroup, byName);
        }
        const list = byName.get(name);
        if (list === undefined) byName.set(name, [e]);
        else list.push(e);
      }
    }
    const timersByGroup = new Map<number, [number, Timer][]>();
    for (const [domain, queue] of [
      [0, this.eventTimers],
      [1, this.processingTimers],
    ] as const) {
      for (const timer of queue.all()) {
        groupIds.add(timer.keyGroup);
        const list = timersByGroup.get(timer.keyGroup);
        if (list === undefined) timersByGroup.set(timer.keyGroup, [[domain, timer]]);
        else list.push([domain, timer]);
      }
    }
    const snapshots = new Map<string, Uint8Array>();
    for (const table of this.tables.values()) snapshots.set(table.name, encodeSnapshot(table.serializer.snapshot()));
    for (const [name, raw] of this.raw) snapshots.set(name, encodeSnapshot(raw.snapshot));
    const scratch = new DataOutput(64);
    const blobs = new Map<number, Uint8Array>();
    // One buffer for every group's blob (copied out at the end of each): it grows once, not per group.
    const out = new DataOutput(1024);
    for (const kg of [...groupIds].sort((x, y) => x - y)) {
      out.reset();
      const tables = [...this.tables.values()].filter((table) => tableGroups.get(table)?.has(kg));
      const raws = rawByGroup.get(kg) ?? new Map<string, RawEntry[]>();
      out.writeVarUint(tables.length + raws.size);
      for (const table of tables) {
        const entries = tableGroups.get(table)?.get(kg) as Entry[];
        out.writeString(table.name);
        out.writeUint8(KINDS.indexOf(table.kind));
        out.writeBytes(snapshots.get(table.name) as Uint8Array);
        out.writeVarUint(entries.length);
        for (const entry of entries) {
          out.writeLatin1Bytes(entry.keyString);
          scratch.reset();
          table.serializer.serialize(entry.value, scratch);
          out.writeBytesOf(scratch);
          out.writeFloat64(entry.ts);
        }
      }
      for (const [name, entries] of raws) {
        out.writeString(name);
        out.writeUint8(KINDS.indexOf((this.raw.get(name) as RawState).kind));
        out.writeBytes(snapshots.get(name) as Uint8Array);
        out.writeVarUint(entries.length);
        for (const e of entries) {
          out.writeBytes(e.keyBytes);
          out.writeBytes(e.valueBytes);
          out.writeFloat64(e.ts);
        }
      }
      const timers = timersByGroup.get(kg) ?? [];
      out.writeVarUint(timers.length);
      for (const [domain, timer] of timers) {
        out.writeUint8(domain);
        out.writeLatin1Bytes(timer.keyString);
        out.writeFloat64(timer.time);
      }
      blobs.set(kg, out.toBytes());
    }
    return { keySnapshot: this.keySerializer.snapshot(), groups: blobs };
  }

  private restore(section: KeyedSection): void {
    const keyReader = this.keySerializer.readerFor(section.keySnapshot);
    const readKey = (bytes: Uint8Array): unknown => {
      const input = new DataInput(bytes);
      const key = keyReader(input);
      input.assertEnd();
      return key;
    };
    for (const [keyGroup, blob] of section.groups) {
      const input = new DataInput(blob);
      const stateCount = input.readVarUint();
      for (let i = 0; i < stateCount; i += 1) {
        const name = input.readString();
        const kindByte = input.readUint8();
        const kind = KINDS[kindByte];
        if (kind === undefined) {
          throw new StateError(`Keyed state "${name}" has unknown kind byte ${kindByte}.`, {
            code: CoreErrorCode.STATE_CORRUPT,
          });
        }
        const snapshot = decodeSnapshot(input.readBytes());
        let raw = this.raw.get(name);
        if (raw === undefined) {
          raw = { kind, snapshot, entries: [] };
          this.raw.set(name, raw);
        }
        const count = input.readVarUint();
        for (let e = 0; e < count; e += 1) {
          const keyBytes = input.readBytes();
          const valueBytes = input.readBytes();
          const ts = input.readFloat64();
          raw.entries.push({ keyGroup, keyBytes, valueBytes, ts });
        }
      }
      const timerCount = input.readVarUint();
      for (let t = 0; t < timerCount; t += 1) {
        const domain = input.readUint8();
        const keyBytes = input.readBytes();
        const time = input.readFloat64();
        const timer: Timer = { time, key: readKey(keyBytes), keyString: bytesToString(keyBytes), keyGroup };
        (domain === 0 ? this.eventTimers : this.processingTimers).add(timer);
      }
      input.assertEnd();
    }
    this.restoredKeyReader = readKey;
  }

  private restoredKeyReader: ((bytes: Uint8Array) => unknown) | undefined;

  private register(
    descriptor: { name: string; ttl?: StateTtlConfig | undefined },
    spec: { kind: KeyedStateKind; type: TypeInformation<unknown> },
  ): StateTable {
    const existing = this.tables.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.kind !== spec.kind) {
        throw new StateError(
          `Keyed state "${descriptor.name}" is registered both as ${existing.kind} and as ${spec.kind} state; give each state its own name.`,
          { code: CoreErrorCode.STATE_ACCESS_INVALID },
        );
      }
      return existing;
    }
    if (descriptor.ttl !== undefined && !(descriptor.ttl.ttlMs > 0)) {
      throw new StateError(`TTL of keyed state "${descriptor.name}" must be > 0 ms, got ${descriptor.ttl.ttlMs}.`, {
        code: CoreErrorCode.STATE_ACCESS_INVALID,
      });
    }
    const table = new StateTable({
      name: descriptor.name,
      kind: spec.kind,
      serializer: spec.type.createSerializer(),
      ttl: descriptor.ttl,
    });
    const raw = this.raw.get(descriptor.name);
    if (raw !== undefined) {
      if (raw.kind !== spec.kind) {
        throw new StateError(
          `Keyed state "${descriptor.name}" was checkpointed as ${raw.kind} state and is now asked for as ${spec.kind} state.`,
          { code: CoreErrorCode.STATE_INCOMPATIBLE },
        );
      }
      const reader = table.serializer.readerFor(raw.snapshot);
      const readKey = this.restoredKeyReader as (bytes: Uint8Array) => unknown;
      for (const e of raw.entries) {
        const input = new DataInput(e.valueBytes);
        const value = reader(input);
        input.assertEnd();
        const keyString = bytesToString(e.keyBytes);
        const key = readKey(e.keyBytes);
        const entry: Entry = { key, keyString, keyGroup: e.keyGroup, value, ts: this.restoredWriteTime(table, e.ts) };
        if (isValueKey(key)) table.byValue.set(key, entry);
        else table.byBytes.set(keyString, entry);
      }
      this.raw.delete(descriptor.name);
    }
    this.tables.set(descriptor.name, table);
    return table;
  }

  /**
   * The write time a restored entry starts with. Without TTL it is not kept (writes leave it at 0).
   * With TTL, an entry written while the state had none (time 0) lives `ttlMs` from the restore:
   * adding TTL to a state does not expire its entries at once.
   */
  private restoredWriteTime(table: StateTable, checkpointed: number): number {
    if (table.ttl === undefined) return 0;
    return checkpointed === 0 ? this.clock() : checkpointed;
  }

  private requireKey(): void {
    if (!this.hasKey) {
      throw new StateError('Keyed state and timers can only be used while a record or timer of a key is processed.', {
        code: CoreErrorCode.STATE_ACCESS_INVALID,
      });
    }
  }

  private expired(table: StateTable, entry: Entry, now: number): boolean {
    return table.ttl !== undefined && now - entry.ts >= table.ttl.ttlMs;
  }

  // The per-record methods below stay small and keep rare work (lookups, TTL, new entries) in
  // methods of their own, so that V8 inlines them into the operator's record loop.

  /** The current key's entry in `table`, remembered until the key changes: a record's read and write share one lookup. */
  private entryOf(table: StateTable): Entry | undefined {
    return this.cachedTable === table ? this.cachedEntry : this.lookup(table);
  }

  /** Looks the current key's entry up in `table` and remembers it. */
  lookup(table: StateTable): Entry | undefined {
    this.requireKey();
    const entry = this.currentIsValue ? table.byValue.get(this.currentKeyValue) : table.byBytes.get(this.keyString());
    this.cachedTable = table;
    this.cachedEntry = entry;
    return entry;
  }

  private read(table: StateTable): unknown {
    const entry = this.entryOf(table);
    if (entry === undefined) return undefined;
    return table.ttl === undefined ? entry.value : this.readLive(table, entry);
  }

  /** {@link HeapKeyedStateBackend.read} of a state with TTL: expired is absent, a read may refresh the entry. */
  private readLive(table: StateTable, entry: Entry): unknown {
    const ttl = table.ttl as StateTtlConfig;
    const now = this.clock();
    if (this.expired(table, entry, now)) {
      this.remove(table);
      return undefined;
    }
    if (ttl.updateType === 'OnReadAndWrite') entry.ts = now;
    return entry.value;
  }

  private write(table: StateTable, value: unknown): void {
    const entry = this.entryOf(table);
    // Without TTL an entry's `ts` stays 0.
    if (entry !== undefined && table.ttl === undefined) entry.value = value;
    else this.writeEntry(table, entry, value);
  }

  /** {@link HeapKeyedStateBackend.write} of a new entry, or of a state with TTL (the write time is kept). */
  writeEntry(table: StateTable, entry: Entry | undefined, value: unknown): void {
    const ts = table.ttl === undefined ? 0 : this.clock();
    if (entry !== undefined) {
      entry.value = value;
      entry.ts = ts;
      return;
    }
    const keyString = this.keyString();
    const created: Entry = { key: this.currentKeyValue, keyString, keyGroup: this.currentKeyGroupValue, value, ts };
    if (this.currentIsValue) table.byValue.set(this.currentKeyValue, created);
    else table.byBytes.set(keyString, created);
    this.cachedEntry = created;
  }

  /** Removes the current key's entry from `table`. */
  remove(table: StateTable): void {
    this.requireKey();
    if (this.currentIsValue) table.byValue.delete(this.currentKeyValue);
    else table.byBytes.delete(this.keyString());
    if (this.cachedTable === table) this.cachedEntry = undefined;
  }
}

/** Writes a keyed section (after the operator states of a format-2 state file). */
export function writeKeyedSection(section: KeyedSection, out: DataOutput): void {
  out.writeBytes(encodeSnapshot(section.keySnapshot));
  out.writeVarUint(section.groups.size);
  for (const [kg, blob] of section.groups) {
    out.writeVarUint(kg);
    out.writeBytes(blob);
  }
}

/** Reads a keyed section written by {@link writeKeyedSection}. */
export function readKeyedSection(input: DataInput): KeyedSection {
  const keySnapshot = decodeSnapshot(input.readBytes());
  const count = input.readVarUint();
  const groups = new Map<number, Uint8Array>();
  for (let i = 0; i < count; i += 1) {
    const kg = input.readVarUint();
    groups.set(kg, input.readBytes());
  }
  return { keySnapshot, groups };
}
