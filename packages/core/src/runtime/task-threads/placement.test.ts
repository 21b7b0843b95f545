import { describe, expect, it } from 'vitest';
import type { Chain } from '../job-graph.js';
import { placeSubtasks } from './placement.js';

function chain(id: number, parallelism: number, inputs: { input?: number; extra?: number[] } = {}): Chain {
  return { id, operators: [], parallelism, inputChainId: inputs.input, extraInputChainIds: inputs.extra ?? [] };
}

const threadsOf = (placement: ReturnType<typeof placeSubtasks>) => Object.fromEntries(placement.threadOf);

describe('placeSubtasks', () => {
  it('deals the subtasks of a chain that stands alone out over the threads', () => {
    const placement = placeSubtasks([chain(0, 3)], 2);
    expect(threadsOf(placement)).toEqual({ '0/0': 0, '0/1': 1, '0/2': 0 });
    expect(placement.threadCount).toBe(2);
  });

  it('keeps chains joined by an exchange, with all their subtasks, on one thread', () => {
    // source (p=2) → keyBy → process (p=2); a second pipeline stands alone.
    const placement = placeSubtasks([chain(0, 2), chain(1, 2, { input: 0 }), chain(2, 2)], 2);
    expect(threadsOf(placement)).toEqual({ '0/0': 0, '0/1': 0, '1/0': 0, '1/1': 0, '2/0': 1, '2/1': 0 });
  });

  it('joins union inputs into one group', () => {
    const placement = placeSubtasks([chain(0, 1), chain(1, 1), chain(2, 1, { input: 0, extra: [1] })], 4);
    expect(new Set(placement.threadOf.values())).toEqual(new Set([0]));
    expect(placement.threadCount).toBe(1);
  });

  it('uses no more threads than there are units to place', () => {
    expect(placeSubtasks([chain(0, 2)], 8).threadCount).toBe(2);
    expect(placeSubtasks([chain(0, 1)], 1).threadCount).toBe(1);
  });
});
