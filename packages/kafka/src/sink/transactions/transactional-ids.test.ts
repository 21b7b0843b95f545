import { describe, expect, it } from 'vitest';
import { KafkaError } from '../../errors.js';
import { TransactionalIdPool, TransactionalIdsGenerator, transactionalIdPrefix } from './transactional-ids.js';

const prefix = transactionalIdPrefix('job', 'sink');

describe('transactional ids (checklist 22, 23)', () => {
  it('ids are <prefix>-<opUid>-<next + subtask*pool + i>', () => {
    const gen = new TransactionalIdsGenerator({ prefix, subtaskIndex: 2, parallelism: 4, poolSize: 3 });
    expect(gen.idsToUse(0)).toEqual(['job-sink-6', 'job-sink-7', 'job-sink-8']);
    expect(gen.idsToUse(12)).toEqual(['job-sink-18', 'job-sink-19', 'job-sink-20']);
  });

  it('pools of the subtasks are disjoint', () => {
    const all = [0, 1, 2, 3].flatMap((subtaskIndex) =>
      new TransactionalIdsGenerator({ prefix, subtaskIndex, parallelism: 4 }).idsToUse(20),
    );
    expect(new Set(all).size).toBe(20);
  });

  it('idsToAbort covers the safe scale-down range: ⋃_{k<5} idsToUse(k·pool·P)', () => {
    const gen = new TransactionalIdsGenerator({ prefix, subtaskIndex: 1, parallelism: 2, poolSize: 2 });
    expect(gen.idsToAbort()).toEqual([2, 3, 6, 7, 10, 11, 14, 15, 18, 19].map((n) => `job-sink-${n}`));
    // every id a run with parallelism up to 5×2 used at hint 0 is aborted by one of the 2 subtasks
    const covered = new Set(
      [0, 1].flatMap((subtaskIndex) =>
        new TransactionalIdsGenerator({ prefix, subtaskIndex, parallelism: 2, poolSize: 2 }).idsToAbort(),
      ),
    );
    for (let subtaskIndex = 0; subtaskIndex < 10; subtaskIndex += 1) {
      for (const id of new TransactionalIdsGenerator({ prefix, subtaskIndex, parallelism: 10, poolSize: 2 }).idsToUse(0)) {
        expect(covered.has(id)).toBe(true);
      }
    }
  });

  it('hint: fresh (0,0) → (P, P·pool); unchanged P keeps next; scale-up adds P·pool', () => {
    const gen = new TransactionalIdsGenerator({ prefix, subtaskIndex: 0, parallelism: 3 });
    expect(gen.nextHint({ lastParallelism: 0, nextFreeTransactionalId: 0 })).toEqual({ lastParallelism: 3, nextFreeTransactionalId: 15 });
    expect(gen.nextHint({ lastParallelism: 3, nextFreeTransactionalId: 15 })).toEqual({ lastParallelism: 3, nextFreeTransactionalId: 15 });
    expect(gen.nextHint({ lastParallelism: 2, nextFreeTransactionalId: 10 })).toEqual({ lastParallelism: 3, nextFreeTransactionalId: 25 });
    expect(gen.nextHint({ lastParallelism: 5, nextFreeTransactionalId: 25 })).toEqual({ lastParallelism: 3, nextFreeTransactionalId: 25 });
  });

  it('rejects a pool size ≤ 0 and an empty prefix, naming the option', () => {
    expect(() => new TransactionalIdsGenerator({ prefix, subtaskIndex: 0, parallelism: 1, poolSize: 0 })).toThrow(/producerPoolSize/);
    expect(() => new TransactionalIdsGenerator({ prefix: '', subtaskIndex: 0, parallelism: 1 })).toThrow(/transactionalIdPrefix/);
  });

  it('an empty pool fails with PRODUCERS_POOL_EMPTY', () => {
    const pool = new TransactionalIdPool(['a']);
    expect(pool.take()).toBe('a');
    expect(() => pool.take()).toThrow(KafkaError);
    try {
      pool.take();
    } catch (error) {
      expect((error as KafkaError).code).toBe('KAFKA_PRODUCERS_POOL_EMPTY');
    }
    pool.giveBack('a');
    pool.giveBack('a');
    expect(pool.ids()).toEqual(['a']);
  });
});
