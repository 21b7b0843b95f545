/**
 * Which task thread runs each subtask: subtask i of every chain runs on thread i mod n, so that
 * each thread runs one slice of the whole job (its sources, their chains and the consumers of
 * the same index). Records between subtasks on different threads travel on
 * {@link crossThreadChannels} (see `thread-channels.ts`).
 */
import type { Chain } from '../job-graph.js';

/** Subtask key (`<chain>/<index>`) → thread index, and how many threads have subtasks. */
export interface Placement {
  readonly threadOf: ReadonlyMap<string, number>;
  readonly threadCount: number;
}

/** Places the subtasks of `chains` on at most `threads` threads. */
export function placeSubtasks(chains: readonly Chain[], threads: number): Placement {
  const threadOf = new Map<string, number>();
  let widest = 1;
  for (const chain of chains) {
    widest = Math.max(widest, chain.parallelism);
    for (let index = 0; index < chain.parallelism; index += 1) threadOf.set(`${chain.id}/${index}`, index % threads);
  }
  return { threadOf, threadCount: Math.min(threads, widest) };
}

/** One channel whose producer and consumer subtasks run on different threads. */
export interface CrossThreadChannel {
  /** `<consumer chain>/<upstream chain>/<upstream subtask>/<consumer subtask>`. */
  readonly id: string;
  readonly producerThread: number;
  readonly consumerThread: number;
}

/** The id of the channel from subtask `u` of chain `upstream` to subtask `d` of chain `consumer`. */
export function channelId(link: { consumer: number; upstream: number; u: number; d: number }): string {
  return `${link.consumer}/${link.upstream}/${link.u}/${link.d}`;
}

/** Every channel of the job whose two ends are placed on different threads. */
export function crossThreadChannels(chains: readonly Chain[], placement: Placement): CrossThreadChannel[] {
  const out: CrossThreadChannel[] = [];
  for (const chain of chains) {
    if (chain.inputChainId === undefined) continue;
    for (const upstreamId of [chain.inputChainId, ...chain.extraInputChainIds]) {
      const upstream = chains[upstreamId];
      if (upstream === undefined) continue;
      for (let u = 0; u < upstream.parallelism; u += 1) {
        for (let d = 0; d < chain.parallelism; d += 1) {
          const producerThread = placement.threadOf.get(`${upstream.id}/${u}`) ?? 0;
          const consumerThread = placement.threadOf.get(`${chain.id}/${d}`) ?? 0;
          if (producerThread === consumerThread) continue;
          out.push({ id: channelId({ consumer: chain.id, upstream: upstream.id, u, d }), producerThread, consumerThread });
        }
      }
    }
  }
  return out;
}
