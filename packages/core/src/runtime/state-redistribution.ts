/**
 * Pure redistribution of operator list state on restore (reference §4): even-split for
 * `getListState`, whole concatenation for `getUnionListState`.
 */

/**
 * Cuts the concatenation of `oldLists` into `newParallelism` contiguous chunks. Chunk sizes differ
 * by at most one: the `n mod p` subtasks starting at `startIndex` (wrapping) take one element more.
 * When the parallelism is unchanged each subtask gets its own list back (identity).
 *
 * @param oldLists - one list per old subtask, in subtask order
 * @param newParallelism - number of new subtasks, at least 1
 * @param startIndex - first subtask to receive an extra element; rotates between state names
 * @defaultValue startIndex 0
 */
export function redistributeEvenSplit<TElement>(
  oldLists: readonly (readonly TElement[])[],
  newParallelism: number,
  startIndex = 0,
): TElement[][] {
  if (!Number.isInteger(newParallelism) || newParallelism < 1) {
    throw new RangeError(`newParallelism must be a positive integer, got ${newParallelism}`);
  }
  if (oldLists.length === newParallelism) return oldLists.map((list) => [...list]);
  const all = oldLists.flat() as TElement[];
  const base = Math.floor(all.length / newParallelism);
  const remainder = all.length % newParallelism;
  const start = ((startIndex % newParallelism) + newParallelism) % newParallelism;
  const result: TElement[][] = [];
  let offset = 0;
  for (let subtask = 0; subtask < newParallelism; subtask += 1) {
    const rank = (subtask - start + newParallelism) % newParallelism;
    const size = base + (rank < remainder ? 1 : 0);
    result.push(all.slice(offset, offset + size));
    offset += size;
  }
  return result;
}

/** Gives every one of `newParallelism` subtasks the whole concatenation of `oldLists`. */
export function redistributeUnion<TElement>(
  oldLists: readonly (readonly TElement[])[],
  newParallelism: number,
): TElement[][] {
  if (!Number.isInteger(newParallelism) || newParallelism < 1) {
    throw new RangeError(`newParallelism must be a positive integer, got ${newParallelism}`);
  }
  const all = oldLists.flat() as TElement[];
  return Array.from({ length: newParallelism }, () => [...all]);
}
