/**
 * Which task thread runs each subtask. Records cross threads only as checkpoint control messages,
 * never through channels: the chains that an exchange joins (and all their subtasks) share one
 * thread, while the parallel subtasks of a chain that stands alone (a whole pipeline chained
 * from source to sink) are dealt out over the threads.
 */
import type { Chain } from '../job-graph.js';

/** Subtask key (`<chain>/<index>`) → thread index, and how many threads have subtasks. */
export interface Placement {
  readonly threadOf: ReadonlyMap<string, number>;
  readonly threadCount: number;
}

/** Places the subtasks of `chains` on at most `threads` threads, dealing units out round-robin. */
export function placeSubtasks(chains: readonly Chain[], threads: number): Placement {
  const components = connectedChains(chains);
  const threadOf = new Map<string, number>();
  let next = 0;
  for (const component of components) {
    if (component.length === 1) {
      const chain = component[0] as Chain;
      for (let index = 0; index < chain.parallelism; index += 1) {
        threadOf.set(`${chain.id}/${index}`, next % threads);
        next += 1;
      }
      continue;
    }
    for (const chain of component) {
      for (let index = 0; index < chain.parallelism; index += 1) threadOf.set(`${chain.id}/${index}`, next % threads);
    }
    next += 1;
  }
  return { threadOf, threadCount: Math.min(threads, next) };
}

/** The chains grouped by the exchanges between them, each group in chain order. */
function connectedChains(chains: readonly Chain[]): Chain[][] {
  const root = chains.map((chain) => chain.id);
  const find = (id: number): number => {
    while (root[id] !== id) id = root[id] as number;
    return id;
  };
  for (const chain of chains) {
    for (const input of [chain.inputChainId, ...chain.extraInputChainIds]) {
      if (input !== undefined) root[find(chain.id)] = find(input);
    }
  }
  const groups = new Map<number, Chain[]>();
  for (const chain of chains) {
    const group = groups.get(find(chain.id)) ?? [];
    group.push(chain);
    groups.set(find(chain.id), group);
  }
  return [...groups.values()];
}
