import { describe, expect, it } from 'vitest';
import { buildChains } from './job-graph.js';
import type { InputPartitioning, OperatorKind, OperatorNode } from './job-graph.js';

function node(
  id: number,
  options: { kind: OperatorKind; parallelism: number; input?: number; partitioning?: InputPartitioning },
): OperatorNode {
  return {
    id,
    kind: options.kind,
    uid: `op-${id}`,
    uidExplicit: false,
    name: options.kind,
    parallelism: options.parallelism,
    function: {},
    inputId: options.input,
    inputPartitioning: options.partitioning ?? 'forward',
  };
}

const ids = (chains: ReturnType<typeof buildChains>) =>
  chains.map((chain) => ({ ops: chain.operators.map((op) => op.id), input: chain.inputChainId }));

describe('buildChains', () => {
  it('chains forward edges of equal parallelism', () => {
    const chains = buildChains([
      node(0, { kind: 'source', parallelism: 2 }),
      node(1, { kind: 'map', parallelism: 2, input: 0 }),
      node(2, { kind: 'sink', parallelism: 2, input: 1 }),
    ]);
    expect(ids(chains)).toEqual([{ ops: [0, 1, 2], input: undefined }]);
  });

  it('breaks chains at a parallelism change, a rebalance, and a fan-out', () => {
    const chains = buildChains([
      node(0, { kind: 'source', parallelism: 2 }),
      node(1, { kind: 'map', parallelism: 3, input: 0 }),
      node(2, { kind: 'filter', parallelism: 3, input: 1, partitioning: 'rebalance' }),
      node(3, { kind: 'sink', parallelism: 3, input: 2 }),
      node(4, { kind: 'sink', parallelism: 3, input: 2 }),
    ]);
    expect(ids(chains)).toEqual([
      { ops: [0], input: undefined },
      { ops: [1], input: 0 },
      { ops: [2], input: 1 },
      { ops: [3], input: 2 },
      { ops: [4], input: 2 },
    ]);
  });
});
