import { describe, expect, it } from 'vitest';
import type { Chain } from '../job-graph.js';
import { crossThreadChannels, placeSubtasks } from './placement.js';

function chain(id: number, parallelism: number, inputs: { input?: number; extra?: number[] } = {}): Chain {
  return { id, operators: [], parallelism, inputChainId: inputs.input, extraInputChainIds: inputs.extra ?? [] };
}

const threadsOf = (placement: ReturnType<typeof placeSubtasks>) => Object.fromEntries(placement.threadOf);

describe('placeSubtasks', () => {
  it('runs subtask i of every chain on thread i mod n', () => {
    // source (p=3) → keyBy → process (p=2)
    const placement = placeSubtasks([chain(0, 3), chain(1, 2, { input: 0 })], 2);
    expect(threadsOf(placement)).toEqual({ '0/0': 0, '0/1': 1, '0/2': 0, '1/0': 0, '1/1': 1 });
    expect(placement.threadCount).toBe(2);
  });

  it('uses no more threads than the widest chain has subtasks', () => {
    expect(placeSubtasks([chain(0, 2)], 8).threadCount).toBe(2);
    expect(placeSubtasks([chain(0, 1), chain(1, 1, { input: 0 })], 4).threadCount).toBe(1);
  });
});

describe('crossThreadChannels', () => {
  it('lists the channels whose producer and consumer run on different threads, union inputs included', () => {
    const chains = [chain(0, 2), chain(1, 1), chain(2, 2, { input: 0, extra: [1] })];
    const placement = placeSubtasks(chains, 2);
    expect(crossThreadChannels(chains, placement)).toEqual([
      { id: '2/0/0/1', producerThread: 0, consumerThread: 1 },
      { id: '2/0/1/0', producerThread: 1, consumerThread: 0 },
      { id: '2/1/0/1', producerThread: 0, consumerThread: 1 },
    ]);
  });

  it('lists nothing for a job on one thread', () => {
    const chains = [chain(0, 2), chain(1, 2, { input: 0 })];
    expect(crossThreadChannels(chains, placeSubtasks(chains, 1))).toEqual([]);
  });
});
