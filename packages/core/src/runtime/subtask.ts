/**
 * One parallel subtask of a chain: its operator instances, input channels and outputs, the
 * lifecycle (initializeState → open → records → close) and the checkpoint steps (snapshot on the
 * barrier, forward the barrier, acknowledge). Everything a subtask does to its operators runs
 * through one serial executor, so a record, a snapshot and a completion notification never
 * interleave inside the chain.
 */
import { hasMethod } from '../api/functions.js';
import type { Source, SourceContext } from '../api/functions.js';
import { isCheckpointListener, isCheckpointedFunction } from '../api/state.js';
import type { BoundedChannel } from './bounded-channel.js';
import { ChannelWriter } from './channel-writer.js';
import type { Chain } from './job-graph.js';
import type { OperatorHost, OperatorInstance, Output, TaskFrame } from './operators.js';
import type { KeySpec } from './job-graph.js';
import { KeyGroupAssigner, subtaskForKeyGroup } from './key-groups.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import type { StreamEvent } from './stream-event.js';
import { isPromiseLike } from './stream-event.js';
import type { CoordinatedSubtask } from './checkpoint-coordinator.js';

/** The job-level services a subtask reports to. */
export interface SubtaskHost {
  /** Snapshot of checkpoint `checkpointId` done: the states of this subtask's stateful operators. */
  acknowledge(ack: SubtaskAck): void;
  /** The subtask failed (user function error, snapshot failure): stop the job. */
  fail(error: Error): void;
  /** A source subtask's `run` resolved. */
  sourceFinished(subtask: RunnableSubtask): void;
  /** True once the job stops without a final checkpoint (failure or abort-cancel). */
  readonly stopping: boolean;
  /** Barrier alignment of a subtask with several inputs took `durationMs` (for monitoring). */
  alignmentDone?(alignment: { checkpointId: number; durationMs: number }): void;
}

/** A subtask's acknowledgement of a checkpoint. */
export interface SubtaskAck {
  readonly checkpointId: number;
  readonly subtask: RunnableSubtask;
  /** State-file bytes by operator uid (stateful operators only). */
  readonly states: ReadonlyMap<string, Uint8Array>;
}

/**
 * A subtask as the job runner drives it: a {@link Subtask} of this thread, or one that runs on a
 * task thread (`task-threads/remote-subtask.ts`).
 */
export interface RunnableSubtask extends CoordinatedSubtask {
  /** Resolves when the subtask has processed end-of-stream on every input and closed. */
  readonly done: Promise<void>;
  initializeState(restoredIds: ReadonlyMap<string, number>): Promise<void>;
  open(): Promise<void>;
  /** Closes every function once; resolves with the first error. */
  close(): Promise<Error | undefined>;
  start(): void;
  whenSourceSettled(): Promise<void>;
  cancelSource(): void;
  endSource(): void;
  stop(): void;
}

/** Barrier alignment mode for subtasks with several input channels. */
export type AlignmentMode = 'exactly-once' | 'at-least-once';

/** Writes records of a chain's tail round-robin to the channels of one downstream chain. */
export class NetworkOutput implements Output<unknown> {
  private next: number;
  /** The side output this consumer reads (`undefined`: the main output). */
  tag: string | undefined;
  /** One batching writer per channel. */
  protected readonly writers: readonly ChannelWriter<unknown>[];

  constructor(
    channels: readonly BoundedChannel<unknown>[],
    protected readonly frame: TaskFrame,
    start: number,
  ) {
    this.writers = channels.map((channel) => new ChannelWriter(channel));
    this.next = start % Math.max(1, channels.length);
  }

  /** Broadcasts a watermark to every channel. */
  watermark(watermark: number): void {
    this.broadcast({ kind: 'watermark', watermark });
  }

  push(value: unknown): void | Promise<void> {
    const writer = this.writers[this.next] as ChannelWriter<unknown>;
    this.next = this.next + 1 === this.writers.length ? 0 : this.next + 1;
    return writer.write(value, this.frame.timestamp);
  }

  /** Sends a control event to every channel, after the records written before it. */
  broadcast(event: StreamEvent<unknown>): void {
    for (const writer of this.writers) writer.control(event);
  }

  /** Releases producers waiting on full channels (the job is stopping). */
  release(): void {
    for (const writer of this.writers) writer.channel.releaseProducer();
  }
}

/** Writes each record to the subtask owning its key group (a `keyBy` exchange). */
export class KeyGroupOutput extends NetworkOutput {
  private readonly assigner: KeyGroupAssigner<unknown>;
  /** The subtask owning each key group. */
  private readonly targets: Uint32Array;

  constructor(
    channels: readonly BoundedChannel<unknown>[],
    frame: TaskFrame,
    private readonly key: { spec: KeySpec; serializer: TypeSerializer<unknown>; maxParallelism: number },
  ) {
    super(channels, frame, 0);
    this.assigner = new KeyGroupAssigner(key.serializer, { maxParallelism: key.maxParallelism });
    const placement = { parallelism: channels.length, maxParallelism: key.maxParallelism };
    this.targets = Uint32Array.from({ length: key.maxParallelism }, (_, keyGroup) => subtaskForKeyGroup(keyGroup, placement));
  }

  override push(value: unknown): void | Promise<void> {
    const key = this.key.spec.selector(value);
    const route = this.assigner.route(key);
    const target = this.targets[typeof route === 'number' ? route : route.keyGroup] as number;
    return (this.writers[target] as ChannelWriter<unknown>).write(value, this.frame.timestamp, route, key);
  }
}

/** Writes every record to every channel (a `broadcast` exchange). */
export class BroadcastOutput extends NetworkOutput {
  override push(value: unknown): void | Promise<void> {
    let waits: Promise<void>[] | undefined;
    for (const writer of this.writers) {
      const result = writer.write(value, this.frame.timestamp);
      if (result !== undefined) (waits ??= []).push(result);
    }
    return waits === undefined ? undefined : Promise.all(waits).then(() => undefined);
  }
}

class FanOut implements Output<unknown> {
  private readonly main: readonly NetworkOutput[];
  constructor(private readonly outputs: readonly NetworkOutput[]) {
    this.main = outputs.filter((output) => output.tag === undefined);
  }
  push(value: unknown): void | Promise<void> {
    return all(this.main, (output) => output.push(value));
  }
  pushSide(tagId: string, value: unknown): void | Promise<void> {
    return all(
      this.outputs.filter((output) => output.tag === tagId),
      (output) => output.push(value),
    );
  }
  watermark(watermark: number): void {
    for (const output of this.outputs) output.watermark(watermark);
  }
}

function all(outputs: readonly NetworkOutput[], action: (output: NetworkOutput) => void | Promise<void>): void | Promise<void> {
  let waits: Promise<void>[] | undefined;
  for (const output of outputs) {
    const result = action(output);
    if (result !== undefined) (waits ??= []).push(result);
  }
  return waits === undefined ? undefined : Promise.all(waits).then(() => undefined);
}

/**
 * What a subtask's operators may ask of it. A class, not an object literal: a literal with a getter
 * gets a hidden class of its own per subtask, and `host.stopping`, read for every record, would
 * stop being a plain load.
 */
class SubtaskOperatorHost implements OperatorHost {
  constructor(
    private readonly subtask: Subtask,
    private readonly job: SubtaskHost,
  ) {}

  exec(action: () => void | Promise<void>): void | Promise<void> {
    return this.subtask.exec(action);
  }

  fail(error: Error): void {
    this.job.fail(error);
  }

  get stopping(): boolean {
    return this.job.stopping;
  }

  setIdle(idle: boolean): void {
    this.subtask.setOutputIdle(idle);
  }
}

/** What a subtask is built from. */
export interface SubtaskInit {
  readonly chain: Chain;
  readonly index: number;
  readonly operators: readonly OperatorInstance[];
  readonly inputs: readonly BoundedChannel<unknown>[];
  readonly outputs: readonly NetworkOutput[];
  readonly frame: TaskFrame;
  readonly host: SubtaskHost;
  readonly alignment: AlignmentMode;
}

/** A running parallel instance of a chain. */
export class Subtask implements RunnableSubtask {
  readonly chain: Chain;
  readonly index: number;
  readonly operators: readonly OperatorInstance[];
  readonly inputs: readonly BoundedChannel<unknown>[];
  readonly outputs: readonly NetworkOutput[];
  readonly frame: TaskFrame;
  /** Resolves when the subtask has processed end-of-stream on every input and closed. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private readonly host: SubtaskHost;
  private readonly alignment: AlignmentMode;
  private tail: Promise<void> | undefined;
  private closed = false;
  /** Set when the job stops without a final checkpoint: records are dropped from then on. */
  stopped = false;
  private finishing = false;
  private inputEnded = false;
  private readonly source: SourceDriver | undefined;
  private readonly head: OperatorInstance;

  constructor(init: SubtaskInit) {
    this.chain = init.chain;
    this.index = init.index;
    this.operators = init.operators;
    this.inputs = init.inputs;
    this.outputs = init.outputs;
    this.frame = init.frame;
    this.host = init.host;
    this.alignment = init.alignment;
    this.done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
    for (let i = 0; i + 1 < this.operators.length; i += 1) {
      (this.operators[i] as OperatorInstance).output = this.operators[i + 1] as OperatorInstance;
    }
    const last = this.operators.at(-1) as OperatorInstance;
    const tagged = this.outputs.some((output) => output.tag !== undefined);
    if (this.outputs.length === 1 && !tagged) last.output = this.outputs[0] as NetworkOutput;
    else if (this.outputs.length > 0) last.output = new FanOut(this.outputs);
    const host = new SubtaskOperatorHost(this, init.host);
    for (const op of this.operators) op.host = host;
    const head = this.operators[0] as OperatorInstance;
    this.head = head;
    this.source = head.node.kind === 'source' ? new SourceDriver(this, head) : undefined;
  }

  /** `<chain>/<subtask>`, unique within the job. */
  get key(): string {
    return `${this.chain.id}/${this.index}`;
  }

  /** True for the subtasks of a source chain. */
  get isSource(): boolean {
    return this.source !== undefined;
  }

  /** The operator instances whose function is a {@link CheckpointedFunction}. */
  get statefulOperators(): OperatorInstance[] {
    return this.operators.filter((op) => op.isStateful);
  }

  /**
   * Runs `action` after everything queued before it. Returns nothing when the executor was idle
   * and `action` completed synchronously.
   */
  exec(action: () => void | Promise<void>): void | Promise<void> {
    if (this.tail !== undefined) {
      const next = this.tail.then(action);
      this.track(next);
      return next;
    }
    const result = action();
    if (result === undefined || !isPromiseLike(result)) return undefined;
    this.track(result);
    return result;
  }

  /** Pushes a source's record into the chain's head ({@link Subtask.exec} without allocating on the fast path). */
  pushRecord(value: unknown, timestamp: number | undefined): void | Promise<void> {
    if (this.tail !== undefined) return this.pushQueued(value, timestamp);
    const result = this.enter(value, timestamp);
    if (result === undefined) return undefined;
    this.track(result);
    return result;
  }

  /** {@link Subtask.pushRecord} behind what is queued (its own method: a closure in `pushRecord` would cost every call a context). */
  private pushQueued(value: unknown, timestamp: number | undefined): Promise<void> | void {
    return this.exec(() => this.enter(value, timestamp));
  }

  private enter(value: unknown, timestamp: number | undefined): void | Promise<void> {
    this.frame.timestamp = timestamp;
    return this.head.push(value);
  }

  /**
   * Makes `promise` the executor's tail. Tracked promises settle in the order they were tracked
   * (a later one is only tracked while nothing is queued, or is chained behind the tail), so the
   * executor is idle again when the count of unsettled ones drops to zero.
   */
  private track(promise: Promise<void>): void {
    this.unsettled += 1;
    this.tail = promise.then(this.settled, this.failed);
  }

  /** Tracked promises not settled yet. */
  private unsettled = 0;

  // Fields, not closures in `track`: an asynchronous record would pay two allocations.
  private readonly settled = (): void => {
    this.unsettled -= 1;
    if (this.unsettled === 0) this.tail = undefined;
  };

  private readonly failed = (error: unknown): void => {
    this.settled();
    this.host.fail(error instanceof Error ? error : new Error(String(error)));
  };

  /** Calls `initializeState` of every checkpointed function, head first. */
  async initializeState(restoredIds: ReadonlyMap<string, number>): Promise<void> {
    for (const op of this.operators) {
      if (!isCheckpointedFunction(op.fn)) continue;
      const restoredCheckpointId = restoredIds.get(op.node.uid);
      try {
        await op.fn.initializeState({
          isRestored: restoredCheckpointId !== undefined,
          restoredCheckpointId,
          operatorStateStore: op.stateBackend,
        });
      } catch (error) {
        throw op.fail('initializeState', error);
      }
    }
  }

  /** Calls `open` of every rich function, tail first (downstream is ready before upstream). */
  async open(): Promise<void> {
    for (const op of [...this.operators].reverse()) {
      if (!hasMethod(op.fn, 'open')) continue;
      try {
        await (op.fn as { open(c: unknown): unknown }).open(op.openContext());
      } catch (error) {
        throw op.fail('open', error);
      }
    }
    for (const op of this.operators) op.opened();
  }

  /** Calls `close` of every function once, head first; returns the first error. */
  async close(): Promise<Error | undefined> {
    if (this.closed) return undefined;
    this.closed = true;
    let first: Error | undefined;
    for (const op of this.operators) op.closing();
    for (const op of this.operators) {
      if (!hasMethod(op.fn, 'close')) continue;
      try {
        await (op.fn as { close(): unknown }).close();
      } catch (error) {
        first ??= op.fail('close', error);
      }
    }
    return first;
  }

  /** Starts the subtask: a source runs, a subtask with inputs reads them. */
  start(): void {
    if (this.source !== undefined) this.source.start();
    else void this.readInputs();
  }

  /** Resolves when a source subtask's `run` has settled (at once for other subtasks). */
  whenSourceSettled(): Promise<void> {
    return this.source?.settled ?? Promise.resolve();
  }

  /** Asks a source subtask to stop (`cancel()` and abort its signal). */
  cancelSource(): void {
    this.source?.cancel();
  }

  /** Checkpoint trigger from the coordinator (source subtasks only). */
  triggerCheckpoint(checkpointId: number, timestamp: number): void {
    this.source?.trigger(checkpointId, timestamp);
  }

  /** After the last checkpoint: a finished source sends end-of-stream and closes. */
  endSource(): void {
    if (this.source === undefined) return;
    void this.exec(() => this.finish());
  }

  /** Releases producers blocked on this subtask's channels and wakes its input loop (job stopping). */
  stop(): void {
    this.stopped = true;
    for (const output of this.outputs) output.release();
    for (const input of this.inputs) void input.push({ kind: 'end' });
  }

  /** Calls `notifyCheckpointComplete` on every listener of the chain, through the executor. */
  notifyComplete(checkpointId: number): Promise<void> {
    return this.notify(checkpointId, 'notifyCheckpointComplete');
  }

  /** Calls `notifyCheckpointAborted` on every listener that has it. */
  notifyAborted(checkpointId: number): Promise<void> {
    return this.notify(checkpointId, 'notifyCheckpointAborted');
  }

  private notify(
    checkpointId: number,
    method: 'notifyCheckpointComplete' | 'notifyCheckpointAborted',
  ): Promise<void> {
    if (this.closed) return Promise.resolve();
    const run = async (): Promise<void> => {
      for (const op of this.operators) {
        if (!isCheckpointListener(op.fn) || !hasMethod(op.fn, method)) continue;
        try {
          await (op.fn as unknown as Record<string, (id: number) => unknown>)[method]?.(checkpointId);
        } catch (error) {
          throw op.fail(method, error, checkpointId);
        }
      }
    };
    return Promise.resolve(this.exec(run));
  }

  /**
   * Snapshots every operator of the chain (the source head already snapshotted when
   * `headState` is given), forwards barrier `checkpointId` and acknowledges.
   */
  async checkpoint(
    barrier: { checkpointId: number; timestamp: number },
    headState?: Promise<Uint8Array | undefined> | Uint8Array,
  ): Promise<void> {
    const { checkpointId, timestamp } = barrier;
    const states = new Map<string, Uint8Array>();
    for (const [i, op] of this.operators.entries()) {
      if (!op.isStateful) continue;
      if (i === 0 && headState !== undefined) {
        const bytes = await headState;
        if (bytes !== undefined) states.set(op.node.uid, bytes);
        continue;
      }
      try {
        if (isCheckpointedFunction(op.fn)) await op.fn.snapshotState({ checkpointId, checkpointTimestamp: timestamp });
        states.set(op.node.uid, op.snapshotBytes());
      } catch (error) {
        throw op.fail('snapshotState', error, checkpointId);
      }
    }
    for (const output of this.outputs) output.broadcast({ kind: 'barrier', checkpointId, timestamp });
    this.host.acknowledge({ checkpointId, subtask: this, states });
  }

  /**
   * End of input: calls `finish` of every function, head first, then tells the consumers that no
   * record follows (before the final checkpoint's barrier reaches them).
   */
  async endInput(): Promise<void> {
    if (this.inputEnded || this.host.stopping) return;
    this.inputEnded = true;
    for (const op of this.operators) {
      if (!hasMethod(op.fn, 'finish')) continue;
      try {
        await (op.fn as { finish(): unknown }).finish();
      } catch (error) {
        throw op.fail('finish', error);
      }
    }
    for (const output of this.outputs) output.broadcast({ kind: 'endOfData' });
  }

  private async finish(): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    const error = await this.close();
    if (error !== undefined) {
      this.host.fail(error);
      return;
    }
    for (const output of this.outputs) output.broadcast({ kind: 'end' });
    this.resolveDone();
  }

  private async readInputs(): Promise<void> {
    const inputs = this.inputs;
    const count = inputs.length;
    // Per-input flags (1 = set) and watermarks in typed arrays, not in `inputs.map(...)` arrays: those
    // come out packed or holey depending on whether this line ran in optimized code, so the two
    // subtasks of an operator could hold arrays of different maps, and the loop's optimized code
    // (the whole record path inlined), specialized on one, was thrown away and compiled again
    // (about 30 ms of CPU) when a barrier or the end of input reached the other.
    const ended = new Uint8Array(count);
    const blocked = new Uint8Array(count);
    const watermarks = new Float64Array(count).fill(-Infinity);
    const idle = new Uint8Array(count);
    let open = count;
    let withData = count;
    let aligning: { checkpointId: number; timestamp: number; seen: Set<number>; startedAt: number } | undefined;
    let cursor = 0;

    const alignmentDone = (): boolean => {
      if (aligning === undefined) return false;
      for (let c = 0; c < count; c += 1) if (ended[c] === 0 && !aligning.seen.has(c)) return false;
      return true;
    };
    const completeAlignment = async (): Promise<void> => {
      const barrier = aligning as { checkpointId: number; timestamp: number; startedAt: number };
      this.host.alignmentDone?.({ checkpointId: barrier.checkpointId, durationMs: performance.now() - barrier.startedAt });
      aligning = undefined;
      blocked.fill(0);
      await this.exec(() => this.checkpoint(barrier));
    };

    try {
      while (open > 0 && !this.host.stopping) {
        let event: StreamEvent<unknown> | undefined;
        let channel = -1;
        for (let k = 0; k < count; k += 1) {
          const c = cursor + k < count ? cursor + k : cursor + k - count;
          if (blocked[c] === 1 || ended[c] === 1) continue;
          event = (inputs[c] as BoundedChannel<unknown>).poll();
          if (event !== undefined) {
            channel = c;
            cursor = c;
            break;
          }
        }
        if (event === undefined) {
          const waits: Promise<void>[] = [];
          for (let c = 0; c < count; c += 1) {
            if (blocked[c] === 0 && ended[c] === 0) waits.push((inputs[c] as BoundedChannel<unknown>).whenAvailable());
          }
          await (waits.length === 1 ? waits[0] : Promise.race(waits));
          continue;
        }
        switch (event.kind) {
          case 'records': {
            if (idle[channel] === 1) {
              idle[channel] = 0;
              this.updateIdle(idle, ended);
            }
            // The head takes the batch's records while they go through synchronously; a record goes in
            // only while the executor is idle, so it never overtakes work queued before it.
            for (let i = 0; i < event.values.length && !this.host.stopping; ) {
              if (this.tail !== undefined) {
                await this.tail;
                continue;
              }
              i = this.head.pushBatch(event, i);
              const waiting = this.head.waiting;
              if (waiting !== undefined) {
                this.head.waiting = undefined;
                this.track(waiting);
                await waiting;
              }
            }
            break;
          }
          case 'barrier': {
            if (count === 1) {
              await this.exec(() => this.checkpoint(event));
              break;
            }
            if (aligning !== undefined && event.checkpointId < aligning.checkpointId) break;
            if (aligning === undefined || event.checkpointId > aligning.checkpointId) {
              blocked.fill(0);
              const startedAt = performance.now();
              aligning = { checkpointId: event.checkpointId, timestamp: event.timestamp, seen: new Set(), startedAt };
            }
            aligning.seen.add(channel);
            if (this.alignment === 'exactly-once') blocked[channel] = 1;
            if (alignmentDone()) await completeAlignment();
            break;
          }
          case 'watermark': {
            if (idle[channel] === 1) {
              idle[channel] = 0;
              this.updateIdle(idle, ended);
            }
            watermarks[channel] = Math.max(watermarks[channel] as number, event.watermark);
            await this.advanceWatermark(watermarks, { ended, idle });
            break;
          }
          case 'status': {
            idle[channel] = event.idle ? 1 : 0;
            this.updateIdle(idle, ended);
            if (event.idle) await this.advanceWatermark(watermarks, { ended, idle });
            break;
          }
          case 'endOfData': {
            withData -= 1;
            if (withData === 0) await this.exec(() => this.endInput());
            break;
          }
          case 'end': {
            ended[channel] = 1;
            open -= 1;
            if (alignmentDone()) await completeAlignment();
            if (open > 0) await this.advanceWatermark(watermarks, { ended, idle });
            break;
          }
        }
      }
      if (!this.host.stopping) await this.exec(() => this.finish());
    } catch (error) {
      this.host.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * The input watermark is the minimum over the inputs that have not ended and are not idle; it
   * never decreases.
   */
  private async advanceWatermark(
    watermarks: Float64Array,
    inputs: { ended: Uint8Array; idle: Uint8Array },
  ): Promise<void> {
    let min = Infinity;
    let active = 0;
    for (let c = 0; c < watermarks.length; c += 1) {
      if (inputs.ended[c] === 1 || inputs.idle[c] === 1) continue;
      active += 1;
      min = Math.min(min, watermarks[c] as number);
    }
    if (active === 0 || min <= this.frame.watermark) return;
    await this.exec(() => this.emitWatermark(min));
  }

  private outputIdle = false;

  /** Forwards idleness downstream when every open input is idle, and activity when one is not. */
  private updateIdle(idle: Uint8Array, ended: Uint8Array): void {
    let open = 0;
    let idleCount = 0;
    for (let c = 0; c < idle.length; c += 1) {
      if (ended[c] === 1) continue;
      open += 1;
      if (idle[c] === 1) idleCount += 1;
    }
    this.setOutputIdle(open > 0 && idleCount === open);
  }

  /** Sends a stream-status change to every output channel (called per record: the change itself is a method of its own). */
  setOutputIdle(value: boolean): void {
    if (this.outputIdle !== value) this.changeOutputStatus(value);
  }

  private changeOutputStatus(idle: boolean): void {
    this.outputIdle = idle;
    for (const output of this.outputs) output.broadcast({ kind: 'status', idle });
  }

  /** Sets the subtask's watermark and passes it through the chain (keyed operators fire timers). */
  emitWatermark(watermark: number): void | Promise<void> {
    if (watermark <= this.frame.watermark) return undefined;
    this.frame.watermark = watermark;
    return this.head.processWatermark(watermark);
  }

  /** @internal Source driver callback: the source's run ended. */
  sourceRunEnded(): void {
    this.host.sourceFinished(this);
  }

  /** @internal */
  get hostStopping(): boolean {
    return this.host.stopping;
  }

  /** @internal */
  reportFailure(error: Error): void {
    this.host.fail(error);
  }
}

/**
 * The {@link SourceContext} of a source subtask. A checkpoint is taken exactly between two
 * emissions: at once when the trigger arrives while the source is not waiting on a promise that
 * `collect` returned, else at the start of the next `collect`/`emitWatermark`, or right after the
 * awaited promise resolved and the source went on to await something else.
 */
class SourceDriver implements SourceContext<unknown> {
  private readonly controller = new AbortController();
  private pending: { checkpointId: number; timestamp: number } | undefined;
  private blocked = 0;
  private cancelled = false;
  private finished = false;
  /** Resolves when `run` has settled. */
  settled: Promise<void> = Promise.resolve();

  constructor(
    private readonly task: Subtask,
    private readonly head: OperatorInstance,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    const source = this.head.fn as Source<unknown>;
    let running: Promise<void>;
    try {
      running = Promise.resolve(source.run(this));
    } catch (error) {
      running = Promise.reject(error as Error);
    }
    this.settled = running.then(
      () => this.ended(),
      (error: unknown) => {
        if (this.cancelled) this.ended();
        else this.task.reportFailure(this.head.fail('run', error));
      },
    );
  }

  private ended(): void {
    this.finished = true;
    this.blocked = 0;
    // End of input: the final watermark lets every event-time timer fire before the last checkpoint.
    if (!this.cancelled && !this.task.hostStopping) void this.task.exec(() => this.task.emitWatermark(Infinity));
    if (this.pending !== undefined) this.takeCheckpoint();
    if (!this.cancelled && !this.task.hostStopping) void this.task.exec(() => this.task.endInput());
    this.task.sourceRunEnded();
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    try {
      (this.head.fn as Source<unknown>).cancel();
    } catch (error) {
      this.task.reportFailure(this.head.fail('cancel', error));
    }
    this.controller.abort();
  }

  trigger(checkpointId: number, timestamp: number): void {
    this.pending = { checkpointId, timestamp };
    if (this.blocked === 0) this.takeCheckpoint();
  }

  collect(record: unknown): void | Promise<void> {
    return this.emit(record, undefined);
  }

  collectWithTimestamp(record: unknown, timestamp: number): void | Promise<void> {
    return this.emit(record, timestamp);
  }

  emitWatermark(watermark: number): void {
    if (this.task.hostStopping) return;
    if (this.pending !== undefined) this.takeCheckpoint();
    void this.task.exec(() => {
      this.task.setOutputIdle(false);
      return this.task.emitWatermark(watermark);
    });
  }

  markAsTemporarilyIdle(): void {
    if (this.task.hostStopping) return;
    void this.task.exec(() => this.task.setOutputIdle(true));
  }

  private emit(record: unknown, timestamp: number | undefined): void | Promise<void> {
    if (this.task.stopped) return undefined;
    if (this.pending !== undefined) this.takeCheckpoint();
    this.task.setOutputIdle(false);
    const result = this.task.pushRecord(record, timestamp);
    if (result === undefined) return undefined;
    this.blocked += 1;
    return result.then(this.unblocked, this.unblocked);
  }

  // A field, not a closure in `emit`: that would cost an allocation on every record.
  private readonly unblocked = (): void => {
    this.blocked = Math.max(0, this.blocked - 1);
    if (this.pending === undefined || this.blocked > 0) return;
    // Let the source run its continuation (state update, next collect) first.
    setImmediate(() => {
      if (this.pending !== undefined && this.blocked === 0) this.takeCheckpoint();
    });
  };

  private takeCheckpoint(): void {
    const barrier = this.pending;
    if (barrier === undefined) return;
    this.pending = undefined;
    const source = this.head.fn;
    let headState: Promise<Uint8Array | undefined> | Uint8Array | undefined;
    if (isCheckpointedFunction(source)) {
      try {
        const result = source.snapshotState({
          checkpointId: barrier.checkpointId,
          checkpointTimestamp: barrier.timestamp,
        });
        headState = isPromiseLike(result)
          ? Promise.resolve(result).then(
              () => this.head.stateBackend.snapshot(),
              (error: unknown) => {
                throw this.head.fail('snapshotState', error, barrier.checkpointId);
              },
            )
          : this.head.stateBackend.snapshot();
      } catch (error) {
        this.task.reportFailure(this.head.fail('snapshotState', error, barrier.checkpointId));
        return;
      }
    }
    if (headState instanceof Promise) headState.catch(() => undefined);
    void this.task.exec(() => this.task.checkpoint(barrier, headState ?? new Uint8Array(0)));
  }

  /** Whether `run` has resolved. */
  get isFinished(): boolean {
    return this.finished;
  }
}
