/**
 * Copies a user function object for another parallel subtask, as Flink does by serializing the
 * function: own fields are deep-copied and the prototype is kept, so each subtask has its own
 * fields. Functions, promises and instances of built-in (native) classes other than the plain
 * containers (Array, Map, Set, Date) are shared, not copied; so are instances of platform classes
 * reachable from `globalThis` (AbortController, URL, …) and event emitters (sockets, streams,
 * clients). `#private` fields cannot be copied:
 * create such resources in `open()` or `initializeState()`.
 */

import { EventEmitter } from 'node:events';

const COPIED_BUILTINS = new Set<unknown>([Object, Array, Map, Set, Date]);

/** A deep copy of `value` that keeps prototypes (see the module comment). */
export function copyFunction<TValue>(value: TValue): TValue {
  return copy(value, new Map(), true) as TValue;
}

function copy(value: unknown, seen: Map<object, unknown>, root = false): unknown {
  if (value === null || typeof value !== 'object') return value;
  const existing = seen.get(value);
  if (existing !== undefined) return existing;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(copy(item, seen));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) out.set(copy(k, seen), copy(v, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const v of value) out.add(copy(v, seen));
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  // Sockets, streams, clients and other emitters hold live resources: share, never copy.
  if (value instanceof EventEmitter && !root) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== null && !root && !isCopyableClass(proto)) return value;
  const out = Object.create(proto as object | null) as Record<PropertyKey, unknown>;
  seen.set(value, out);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) continue;
    if ('value' in descriptor) descriptor.value = copy(descriptor.value, seen);
    Object.defineProperty(out, key, descriptor);
  }
  return out;
}

function isCopyableClass(proto: unknown): boolean {
  const ctor = (proto as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function') return true;
  if (COPIED_BUILTINS.has(ctor)) return true;
  if (isSharedBuiltin(proto)) return false;
  // Platform classes (AbortController, URL, TextEncoder, …) keep internal slots: share them.
  if ((globalThis as Record<string, unknown>)[(ctor as { name: string }).name] === ctor) return false;
  return !Function.prototype.toString.call(ctor).includes('[native code]');
}

function isSharedBuiltin(proto: unknown): boolean {
  return (
    proto === Promise.prototype ||
    proto === Error.prototype ||
    Object.prototype.isPrototypeOf.call(Error.prototype, proto as object)
  );
}
