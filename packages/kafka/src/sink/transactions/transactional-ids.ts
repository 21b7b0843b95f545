/**
 * Transactional ids of an EXACTLY_ONCE sink (reference §2.3, checklist 22-23): each subtask owns a
 * pool of `poolSize` ids, disjoint from every other subtask's, derived from a prefix and a
 * checkpointed "next free id" hint, so a restarted or rescaled job can find (and abort) every id an
 * earlier run may have left a transaction open on.
 */
import { KafkaError, KafkaErrorCode, invalidOption } from '../../errors.js';
import type { NextTransactionalIdHint } from './transaction-state.js';

/** Default number of transactional ids per subtask (Flink's `DEFAULT_KAFKA_PRODUCERS_POOL_SIZE`). */
export const DEFAULT_PRODUCER_POOL_SIZE = 5;
/** Default factor of scale-down covered by the abort-on-fresh-start sweep. */
export const SAFE_SCALE_DOWN_FACTOR = 5;

/** Options of {@link TransactionalIdsGenerator}. */
export interface TransactionalIdsGeneratorOptions {
  /** `<prefix>-<operatorUid>` is the start of every id; see {@link transactionalIdPrefix}. */
  readonly prefix: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** @defaultValue 5 */
  readonly poolSize?: number;
  /** @defaultValue 5 */
  readonly safeScaleDownFactor?: number;
}

/** The start of every id of one sink: `<prefix>-<operatorUid>`. */
export function transactionalIdPrefix(prefix: string, operatorUid: string): string {
  return `${prefix}-${operatorUid}`;
}

/** Flink's `TransactionalIdsGenerator`. */
export class TransactionalIdsGenerator {
  private readonly poolSize: number;
  private readonly safeScaleDownFactor: number;

  constructor(private readonly options: TransactionalIdsGeneratorOptions) {
    this.poolSize = options.poolSize ?? DEFAULT_PRODUCER_POOL_SIZE;
    this.safeScaleDownFactor = options.safeScaleDownFactor ?? SAFE_SCALE_DOWN_FACTOR;
    if (!Number.isInteger(this.poolSize) || this.poolSize <= 0) {
      throw invalidOption('producerPoolSize', `producerPoolSize is ${this.poolSize}; it must be an integer > 0.`);
    }
    if (!Number.isInteger(this.safeScaleDownFactor) || this.safeScaleDownFactor <= 0) {
      throw invalidOption('safeScaleDownFactor', `safeScaleDownFactor is ${this.safeScaleDownFactor}; it must be an integer > 0.`);
    }
    if (options.prefix === '') throw invalidOption('transactionalIdPrefix', 'transactionalIdPrefix must not be empty.');
  }

  /** `{ next + subtask·pool + i | 0 ≤ i < pool }` as ids `<prefix>-<n>`. */
  idsToUse(nextFreeTransactionalId: number): string[] {
    const first = nextFreeTransactionalId + this.options.subtaskIndex * this.poolSize;
    return Array.from({ length: this.poolSize }, (_, i) => this.id(first + i));
  }

  /** `⋃_{k < factor} idsToUse(k · pool · P)`: every id a run of up to factor × P subtasks could have used. */
  idsToAbort(): string[] {
    const ids = new Set<string>();
    for (let k = 0; k < this.safeScaleDownFactor; k += 1) {
      for (const id of this.idsToUse(k * this.poolSize * this.options.parallelism)) ids.add(id);
    }
    return [...ids];
  }

  /** The hint subtask 0 writes at a snapshot, given the one it holds. */
  nextHint(current: NextTransactionalIdHint): NextTransactionalIdHint {
    const { parallelism } = this.options;
    const next =
      current.nextFreeTransactionalId + (parallelism > current.lastParallelism ? parallelism * this.poolSize : 0);
    return { lastParallelism: parallelism, nextFreeTransactionalId: next };
  }

  private id(n: number): string {
    return `${this.options.prefix}-${n}`;
  }
}

/** The free transactional ids of one subtask (Flink's `availableTransactionalIds`). */
export class TransactionalIdPool {
  private readonly free: string[];

  constructor(ids: Iterable<string>) {
    this.free = [...ids];
  }

  /** Takes the oldest free id; an empty pool fails with `KAFKA_PRODUCERS_POOL_EMPTY`. */
  take(): string {
    const id = this.free.shift();
    if (id === undefined) {
      throw new KafkaError(
        'Every transactional id of this sink subtask is in use: too many checkpoints are pending commit at once. ' +
          'Raise producerPoolSize, or lower the number of concurrent checkpoints.',
        { code: KafkaErrorCode.KAFKA_PRODUCERS_POOL_EMPTY, option: 'producerPoolSize' },
      );
    }
    return id;
  }

  /** Returns an id after its transaction was committed or aborted. */
  giveBack(id: string): void {
    if (!this.free.includes(id)) this.free.push(id);
  }

  /** The free ids, oldest first. */
  ids(): string[] {
    return [...this.free];
  }
}
