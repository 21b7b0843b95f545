/**
 * Operator (non-keyed) list state of one subtask, and its versioned state-file format.
 *
 * State file (format version 1), written with {@link DataOutput}:
 * `string "sluice-operator-state"`, `varuint formatVersion`, `varuint stateCount`, then per state:
 * `string name`, `uint8 mode` (0 even-split, 1 union), `bytes serializerSnapshot` (the snapshot
 * envelope of `types/snapshot-envelope.ts`),
 * `varuint elementCount`, and each element as `bytes` (varint length + serializer bytes).
 * Elements are length-prefixed so that redistribution can cut lists without decoding them.
 */
import type {
  ListState,
  ListStateDescriptor,
  OperatorStateStore,
} from '../api/state.js';
import { CoreErrorCode, StateError } from '../errors.js';
import { DataInput, DataOutput } from '../types/data-view.js';
import { decodeSnapshot, encodeSnapshot } from '../types/snapshot-envelope.js';
import type { SerializerSnapshot, TypeSerializer } from '../types/type-serializer.js';
import { readKeyedSection, writeKeyedSection } from './keyed-state-backend.js';
import type { KeyedSection } from './keyed-state-backend.js';
import { redistributeEvenSplit, redistributeUnion } from './state-redistribution.js';

const MAGIC = 'sluice-operator-state';
/** Format version of the state files this release writes for operators without keyed state. */
export const OPERATOR_STATE_FORMAT_VERSION = 1;
/**
 * Format version of state files with a keyed section (keyed operators): format 1, then the keyed
 * section of `keyed-state-backend.ts`. Both versions are read.
 */
export const KEYED_STATE_FORMAT_VERSION = 2;

/** How a list state is redistributed on restore. */
export type ListStateMode = 'split' | 'union';

/** One serialized element and the snapshot of the serializer that wrote it. */
export interface StoredElement {
  readonly snapshot: SerializerSnapshot;
  readonly bytes: Uint8Array;
}

/** One list state as stored in (or restored from) a checkpoint. */
export interface StoredListState {
  readonly name: string;
  readonly mode: ListStateMode;
  readonly elements: readonly StoredElement[];
}

class InMemoryListState<TValue> implements ListState<TValue> {
  values: TValue[] = [];
  get(): TValue[] {
    return [...this.values];
  }
  add(value: TValue): void {
    this.values.push(value);
  }
  addAll(values: Iterable<TValue>): void {
    for (const value of values) this.values.push(value);
  }
  update(values: Iterable<TValue>): void {
    this.values = [...values];
  }
  clear(): void {
    this.values = [];
  }
}

interface Registered {
  readonly mode: ListStateMode;
  readonly serializer: TypeSerializer<unknown>;
  readonly state: InMemoryListState<unknown>;
}

/** The operator state store of one subtask: registers list states and snapshots them. */
export class OperatorStateBackend implements OperatorStateStore {
  private readonly registered = new Map<string, Registered>();
  private readonly restored: ReadonlyMap<string, StoredListState>;

  /** @param restored - this subtask's share of the restored states, by name */
  constructor(restored: ReadonlyMap<string, StoredListState> = new Map()) {
    this.restored = restored;
  }

  getListState<TValue>(descriptor: ListStateDescriptor<TValue>): ListState<TValue> {
    return this.register(descriptor, 'split');
  }

  getUnionListState<TValue>(descriptor: ListStateDescriptor<TValue>): ListState<TValue> {
    return this.register(descriptor, 'union');
  }

  /** Whether any state was registered. */
  get isEmpty(): boolean {
    return this.registered.size === 0;
  }

  /**
   * Serializes every registered state into one state file: format 1, or format 2 when `keyed`
   * (the keyed section of a keyed operator) is given.
   */
  snapshot(keyed?: KeyedSection): Uint8Array {
    // Sized for the keyed blobs up front: a state of millions of keys is not copied on every doubling.
    let keyedBytes = 0;
    for (const blob of keyed?.groups.values() ?? []) keyedBytes += blob.length + 10;
    const out = new DataOutput(1024 + keyedBytes);
    out.writeString(MAGIC);
    out.writeVarUint(keyed === undefined ? OPERATOR_STATE_FORMAT_VERSION : KEYED_STATE_FORMAT_VERSION);
    out.writeVarUint(this.registered.size);
    for (const [name, { mode, serializer, state }] of this.registered) {
      out.writeString(name);
      out.writeUint8(mode === 'split' ? 0 : 1);
      out.writeBytes(encodeSnapshot(serializer.snapshot()));
      out.writeVarUint(state.values.length);
      const element = new DataOutput(64);
      for (const value of state.values) {
        element.reset();
        serializer.serialize(value, element);
        out.writeBytesOf(element);
      }
    }
    if (keyed !== undefined) writeKeyedSection(keyed, out);
    // `out` is written no more: its bytes need no copy.
    return out.peek();
  }

  private register<TValue>(
    descriptor: ListStateDescriptor<TValue>,
    mode: ListStateMode,
  ): ListState<TValue> {
    const existing = this.registered.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.mode !== mode) {
        throw new StateError(
          `State "${descriptor.name}" is registered both as ${existing.mode} and as ${mode} list ` +
            'state; give each state its own name.',
          { code: CoreErrorCode.STATE_ACCESS_INVALID },
        );
      }
      return existing.state as InMemoryListState<TValue>;
    }
    const serializer = descriptor.type.createSerializer();
    const state = new InMemoryListState<TValue>();
    const stored = this.restored.get(descriptor.name);
    if (stored !== undefined) state.values = decodeElements(stored, serializer);
    this.registered.set(descriptor.name, {
      mode,
      serializer: serializer as TypeSerializer<unknown>,
      state: state as InMemoryListState<unknown>,
    });
    return state;
  }
}

function decodeElements<TValue>(stored: StoredListState, serializer: TypeSerializer<TValue>): TValue[] {
  const readers = new Map<SerializerSnapshot, (input: DataInput) => TValue>();
  return stored.elements.map(({ snapshot, bytes }) => {
    let reader = readers.get(snapshot);
    if (reader === undefined) {
      reader = serializer.readerFor(snapshot);
      readers.set(snapshot, reader);
    }
    const input = new DataInput(bytes);
    const value = reader(input);
    input.assertEnd();
    return value;
  });
}

/** Reads the operator states of a state file written by {@link OperatorStateBackend.snapshot}. */
export function decodeOperatorStateFile(bytes: Uint8Array): StoredListState[] {
  return decodeStateFile(bytes).operator;
}

/** A decoded state file: operator list states and, for format 2, the keyed section. */
export interface DecodedStateFile {
  readonly operator: StoredListState[];
  readonly keyed: KeyedSection | undefined;
}

/** Reads a state file of format 1 or 2. */
export function decodeStateFile(bytes: Uint8Array): DecodedStateFile {
  const input = new DataInput(bytes);
  const magic = input.readString();
  if (magic !== MAGIC) {
    throw new StateError(`Not an operator state file (starts with "${magic.slice(0, 40)}").`, {
      code: CoreErrorCode.STATE_CORRUPT,
    });
  }
  const version = input.readVarUint();
  if (version !== OPERATOR_STATE_FORMAT_VERSION && version !== KEYED_STATE_FORMAT_VERSION) {
    throw new StateError(
      `Operator state file format version ${version} is unknown; this release reads versions ` +
        `${OPERATOR_STATE_FORMAT_VERSION} and ${KEYED_STATE_FORMAT_VERSION}. Run the Sluice release that wrote the checkpoint or a newer one.`,
      { code: CoreErrorCode.STATE_UNKNOWN_VERSION },
    );
  }
  const states: StoredListState[] = [];
  const count = input.readVarUint();
  for (let i = 0; i < count; i += 1) {
    const name = input.readString();
    const modeByte = input.readUint8();
    if (modeByte > 1) {
      throw new StateError(`State "${name}" has unknown mode byte ${modeByte}.`, {
        code: CoreErrorCode.STATE_CORRUPT,
      });
    }
    const snapshot = decodeSnapshot(input.readBytes());
    const elementCount = input.readVarUint();
    const elements: StoredElement[] = [];
    for (let e = 0; e < elementCount; e += 1) elements.push({ snapshot, bytes: input.readBytes() });
    states.push({ name, mode: modeByte === 0 ? 'split' : 'union', elements });
  }
  const keyed = version === KEYED_STATE_FORMAT_VERSION ? readKeyedSection(input) : undefined;
  input.assertEnd();
  return { operator: states, keyed };
}

/**
 * Redistributes the states of an operator's old subtasks (one decoded file per old subtask, in
 * subtask order; a missing file is an empty list) over `newParallelism` subtasks. Even-split states
 * rotate the subtask that takes the first extra element from one state name to the next.
 */
export function assignOperatorState(
  oldSubtasks: readonly (readonly StoredListState[])[],
  newParallelism: number,
): Map<string, StoredListState>[] {
  const names = new Map<string, ListStateMode>();
  for (const states of oldSubtasks) {
    for (const state of states) {
      const mode = names.get(state.name);
      if (mode !== undefined && mode !== state.mode) {
        throw new StateError(`State "${state.name}" is stored both as split and as union list state.`, {
          code: CoreErrorCode.STATE_CORRUPT,
        });
      }
      names.set(state.name, state.mode);
    }
  }
  const result = Array.from({ length: newParallelism }, () => new Map<string, StoredListState>());
  let start = 0;
  for (const [name, mode] of [...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const lists = oldSubtasks.map((states) => states.find((s) => s.name === name)?.elements ?? []);
    const parts =
      mode === 'union' ? redistributeUnion(lists, newParallelism) : redistributeEvenSplit(lists, newParallelism, start);
    if (mode === 'split') start = (start + (lists.flat().length % newParallelism)) % newParallelism;
    parts.forEach((elements, subtask) => result[subtask]?.set(name, { name, mode, elements }));
  }
  return result;
}
