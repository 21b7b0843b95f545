/**
 * The FileSink (Flink's `StreamingFileSink` / `FileSink`): writes a stream into bucketed part
 * files that become visible exactly once, when the checkpoint that covers them completes.
 *
 * Lifecycle of a part: in-progress (hidden `.part-<subtask>-<counter>.inprogress.<uuid>`, written
 * and, at checkpoints, persisted with its durable length) → pending (closed on roll, filed under
 * the next checkpoint) → finished (renamed without overwrite to `part-<subtask>-<counter>` on
 * `notifyCheckpointComplete` of that checkpoint or a later one). At the end of a bounded input,
 * `finish` closes every in-progress part, so the final checkpoint commits all output.
 *
 * Metrics (in the sink's operator group): gauges `partsInProgress` and `partsPending` (closed, not
 * yet finished), counters `partsFinished` (files made visible; a compacted group counts once) and
 * `numBytesOut` (bytes handed to part files: a row part's collected text when it goes to the file
 * output, per 16 Ki characters and at every checkpoint).
 */
import { ConfigError, Types } from '@sluice/core';
import type {
  CheckpointedFunction,
  CheckpointListener,
  Counter,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  ListState,
  RichFunction,
  RuntimeContext,
  Sink,
  SinkContext,
} from '@sluice/core';
import type { FileSystem } from '../../filesystem/file-system.js';
import { normalizePath } from '../../filesystem/paths.js';
import { resolveBucketPath } from '../../filesystem/path-safety.js';
import type { UnsafeBucketIdPolicy } from '../../filesystem/path-safety.js';
import { LocalFileSystem } from '../../local/local-file-system.js';
import { DateTimeBucketAssigner } from '../bucket-assigner.js';
import type { BucketAssigner, BucketAssignerContext } from '../bucket-assigner.js';
import { OutputFileConfig } from '../output-file-config.js';
import { DefaultRollingPolicy, OnCheckpointRollingPolicy } from '../rolling-policy.js';
import type { RollingPolicy } from '../rolling-policy.js';
import { Bucket } from './bucket.js';
import type { BucketContext } from './bucket.js';
import { decodeBucketState, encodeBucketState } from './bucket-state.js';
import type { BucketState } from './bucket-state.js';
import { compactionConfig } from './compaction.js';
import type { CompactionConfig, CompactionOptions } from './compaction.js';
import type { BulkWriterFactory, Encoder } from './encoder.js';
import { bulkPartWriters, rowPartWriters } from './part-writer.js';
import type { PartWriterFactory } from './part-writer.js';

/** The resolved configuration of a {@link FileSink} (what the builders produce). */
export interface FileSinkConfig<TIn> {
  /** Directory the buckets are created under. */
  readonly basePath: string;
  /** Returns the file system (a function, so that every subtask shares the one instance). */
  readonly fileSystem: () => FileSystem;
  /** Part writers of the format. */
  readonly writers: PartWriterFactory<TIn>;
  /** Bucket of each element. */
  readonly bucketAssigner: BucketAssigner<TIn>;
  /** When parts roll. */
  readonly rollingPolicy: RollingPolicy<TIn>;
  /** Part-file names. */
  readonly outputFileConfig: OutputFileConfig;
  /** How often (at most) the processing-time rolling check runs, ms. */
  readonly bucketCheckIntervalMs: number;
  /** What to do with a bucket id that is not a safe relative path. */
  readonly unsafeBucketIds: UnsafeBucketIdPolicy;
  /** Compaction of each checkpoint's pending parts at commit (row formats), if enabled. */
  readonly compaction: CompactionConfig | undefined;
}

const BUCKET_STATES = { name: 'bucket-states', type: Types.bytes() } as const;
const MAX_PART_COUNTER = { name: 'max-part-counter', type: Types.safeInteger() } as const;

/**
 * Exactly-once file sink for row formats (resumable part files) and bulk formats. Build it with
 * {@link FileSink.forRowFormat} or {@link FileSink.forBulkFormat}; one sink object serves every
 * parallel subtask (the runtime copies it).
 *
 * It is a `CheckpointedFunction` + `CheckpointListener` (as Flink's StreamingFileSink), not a
 * two-phase-commit sink: a part can span several checkpoints (persisted, then resumed on restore),
 * which a transaction per checkpoint cannot express.
 */
export class FileSink<TIn>
  implements Sink<TIn>, CheckpointedFunction, CheckpointListener, RichFunction
{
  private readonly buckets = new Map<string, Bucket<TIn>>();
  private bucketStates: ListState<Uint8Array> | undefined;
  private maxPartCounterState: ListState<number> | undefined;
  private partCounter = 0;
  private subtaskIndex = 0;
  private lastBucketCheck = 0;
  private readonly assignerContext = new ElementContext();
  // Counted from initializeState on (restore commits parts); moved into the metric group by open.
  private partsFinished: Counter = localCounter();
  private bytesOut: Counter = localCounter();

  /** Use the builders ({@link FileSink.forRowFormat}, {@link FileSink.forBulkFormat}). */
  constructor(readonly config: FileSinkConfig<TIn>) {}

  /**
   * A builder of a sink for a row format: each element is encoded on its own and appended to the
   * bucket's in-progress part (resumed after a restore).
   */
  static forRowFormat<TIn>(basePath: string, encoder: Encoder<TIn>): RowFormatBuilder<TIn> {
    return new RowFormatBuilder(basePath, encoder);
  }

  /** A builder of a sink for a bulk format: parts roll at every checkpoint. */
  static forBulkFormat<TIn>(basePath: string, writerFactory: BulkWriterFactory<TIn>): BulkFormatBuilder<TIn> {
    return new BulkFormatBuilder(basePath, writerFactory);
  }

  async initializeState(context: FunctionInitializationContext): Promise<void> {
    const store = context.operatorStateStore;
    this.bucketStates = store.getListState(BUCKET_STATES);
    this.maxPartCounterState = store.getUnionListState(MAX_PART_COUNTER);
    if (!context.isRestored) return;
    this.partCounter = Math.max(0, ...this.maxPartCounterState.get());
    for (const bytes of this.bucketStates.get()) {
      const state = decodeBucketState(bytes);
      const existing = this.buckets.get(state.bucketId);
      if (existing === undefined) {
        this.buckets.set(state.bucketId, await Bucket.restore(state, this.bucketContext()));
      } else {
        await existing.mergeRestored(state);
      }
    }
  }

  open(context: RuntimeContext): void {
    this.subtaskIndex = context.subtaskIndex;
    this.lastBucketCheck = Date.now();
    const group = context.metricGroup;
    const buckets = (): Bucket<TIn>[] => [...this.buckets.values()];
    group.gauge('partsInProgress', () => buckets().filter((bucket) => bucket.hasInProgress).length);
    group.gauge('partsPending', () => buckets().reduce((sum, bucket) => sum + bucket.pendingCount, 0));
    this.partsFinished = adopt(group.counter('partsFinished'), this.partsFinished);
    this.bytesOut = adopt(group.counter('numBytesOut'), this.bytesOut);
  }

  /**
   * Writes one element. Returns nothing when it only went into the open part's memory (the common
   * case), so the runtime goes on with the next record without a promise. The processing time
   * (bucket assigner, rolling policy) is the runtime's, which reads the clock once per event-loop turn.
   */
  invoke(value: TIn, context: SinkContext): void | Promise<void> {
    const now = context.currentProcessingTime();
    // The processing-time check is due rarely; the common path stays synchronous up to the write.
    if (now - this.lastBucketCheck < this.config.bucketCheckIntervalMs) return this.write(value, context, now);
    return this.checkProcessingTime(now).then(() => this.write(value, context, now));
  }

  private write(value: TIn, context: SinkContext, now: number): void | Promise<void> {
    const assignerContext = this.assignerContext;
    assignerContext.sinkContext = context;
    assignerContext.now = now;
    const bucketId = this.config.bucketAssigner.getBucketId(value, assignerContext);
    let bucket = this.buckets.get(bucketId);
    if (bucket === undefined) {
      const path = resolveBucketPath(this.config.basePath, bucketId, { onUnsafe: this.config.unsafeBucketIds });
      bucket = new Bucket({ bucketId, bucketPath: path, creationTime: now }, this.bucketContext());
      this.buckets.set(bucketId, bucket);
    }
    return bucket.write(value, now);
  }

  async snapshotState(context: FunctionSnapshotContext): Promise<void> {
    await this.checkProcessingTime(Date.now());
    const states: Uint8Array[] = [];
    for (const bucket of this.buckets.values()) {
      const state: BucketState = await bucket.snapshot(context.checkpointId);
      if (state.inProgress !== undefined || state.pending.length > 0) states.push(encodeBucketState(state));
    }
    this.bucketStates?.update(states);
    this.maxPartCounterState?.update([this.partCounter]);
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    for (const [id, bucket] of this.buckets) {
      await bucket.commitUpTo(checkpointId);
      if (bucket.isInactive()) this.buckets.delete(id);
    }
  }

  /**
   * End of input (a bounded job): closes every in-progress part to pending, so that the final
   * checkpoint files it and its completion makes it finished. Not called on failure or cancel.
   */
  async finish(): Promise<void> {
    for (const bucket of this.buckets.values()) await bucket.roll();
  }

  /** Releases in-progress parts without committing them (their data stays in hidden files). */
  async close(): Promise<void> {
    const buckets = [...this.buckets.values()];
    this.buckets.clear();
    for (const bucket of buckets) await bucket.dispose();
  }

  private async checkProcessingTime(now: number): Promise<void> {
    if (now - this.lastBucketCheck < this.config.bucketCheckIntervalMs) return;
    this.lastBucketCheck = now;
    for (const bucket of this.buckets.values()) await bucket.onProcessingTime(now);
  }

  private bucketContext(): BucketContext<TIn> {
    return {
      fs: this.config.fileSystem(),
      writers: this.config.writers,
      policy: this.config.rollingPolicy,
      names: this.config.outputFileConfig,
      compaction: this.config.compaction,
      subtask: () => this.subtaskIndex,
      nextPartCounter: () => this.partCounter++,
      counts: {
        bytesWritten: (bytes) => this.bytesOut.inc(bytes),
        filesFinished: (files) => this.partsFinished.inc(files),
      },
    };
  }
}

/** The {@link BucketAssignerContext} of the element being written: one per sink, updated per element. */
class ElementContext implements BucketAssignerContext {
  now = 0;
  sinkContext: SinkContext | undefined;

  currentProcessingTime(): number {
    return this.now;
  }

  currentWatermark(): number {
    return this.sinkContext?.currentWatermark ?? Number.NEGATIVE_INFINITY;
  }

  timestamp(): number | undefined {
    return this.sinkContext?.timestamp;
  }
}

/** A counter kept by the sink until `open` hands it the metric group's. */
function localCounter(): Counter {
  const counter = {
    count: 0,
    inc(n = 1): void {
      counter.count += n;
    },
  };
  return counter;
}

/** `counter` of the metric group, continued from what `before` counted. */
function adopt(counter: Counter, before: Counter): Counter {
  counter.inc(before.count);
  return counter;
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

/** Options shared by both builders. */
abstract class FileSinkBuilder<TIn, TSelf> {
  protected fileSystem: FileSystem | undefined;
  protected bucketAssigner: BucketAssigner<TIn> | undefined;
  protected outputFileConfig: OutputFileConfig | undefined;
  protected bucketCheckIntervalMs = 60_000;
  protected unsafeBucketIds: UnsafeBucketIdPolicy = 'reject';

  constructor(protected readonly basePath: string) {}

  /**
   * The file system to write to (`LocalFileSystem`, `WebHdfsFileSystem`, or your own). It must
   * support truncate for row formats. The sink does not close it.
   * @defaultValue `new LocalFileSystem()` (root `/`)
   */
  withFileSystem(fileSystem: FileSystem): TSelf {
    this.fileSystem = fileSystem;
    return this as unknown as TSelf;
  }

  /**
   * Which bucket (sub-directory) each element goes to.
   * @defaultValue `new DateTimeBucketAssigner()` (`yyyy-MM-dd--HH`, processing time, system zone)
   */
  withBucketAssigner(assigner: BucketAssigner<TIn>): TSelf {
    this.bucketAssigner = assigner;
    return this as unknown as TSelf;
  }

  /**
   * Part-file prefix and suffix.
   * @defaultValue `new OutputFileConfig()` (`part-<subtask>-<counter>`)
   */
  withOutputFileConfig(config: OutputFileConfig): TSelf {
    this.outputFileConfig = config;
    return this as unknown as TSelf;
  }

  /**
   * How often the processing-time rolling check (rollover and inactivity) runs, at most, in ms. It
   * runs on the next element or checkpoint after the interval has passed.
   * @defaultValue `60000`
   */
  withBucketCheckInterval(intervalMs: number): TSelf {
    this.bucketCheckIntervalMs = intervalMs;
    return this as unknown as TSelf;
  }

  /**
   * What to do with a bucket id that would escape the base path or holds forbidden characters:
   * `'reject'` fails the job with `HDFS_PATH_UNSAFE`; `'sanitize'` percent-encodes it.
   * @defaultValue `'reject'`
   */
  withUnsafeBucketIds(policy: UnsafeBucketIdPolicy): TSelf {
    this.unsafeBucketIds = policy;
    return this as unknown as TSelf;
  }

  protected resolve(
    writers: PartWriterFactory<TIn>,
    rollingPolicy: RollingPolicy<TIn>,
    compaction?: CompactionConfig,
  ): FileSinkConfig<TIn> {
    let basePath: string;
    try {
      basePath = normalizePath(this.basePath, 'FileSink');
    } catch (cause) {
      throw new ConfigError(`basePath ${JSON.stringify(this.basePath)} must be an absolute path such as "/data/out".`, {
        option: 'basePath',
        cause,
      });
    }
    if (!isPositiveInteger(this.bucketCheckIntervalMs)) {
      throw new ConfigError(
        `bucketCheckInterval must be a positive integer of ms, got ${String(this.bucketCheckIntervalMs)}.`,
        { option: 'bucketCheckInterval' },
      );
    }
    if (this.unsafeBucketIds !== 'reject' && this.unsafeBucketIds !== 'sanitize') {
      throw new ConfigError(`unsafeBucketIds must be 'reject' or 'sanitize', got ${String(this.unsafeBucketIds)}.`, {
        option: 'unsafeBucketIds',
      });
    }
    const fileSystem = this.fileSystem ?? new LocalFileSystem();
    if (writers.resumable && !fileSystem.supportsTruncate) {
      throw new ConfigError(
        `fileSystem (${fileSystem.scheme}) does not support truncate, which a row-format FileSink needs to resume ` +
          'part files after a restore. Use a file system with truncate (HDFS ≥ 2.7, local disk).',
        { option: 'fileSystem' },
      );
    }
    return {
      basePath,
      fileSystem: () => fileSystem,
      writers,
      bucketAssigner: this.bucketAssigner ?? (new DateTimeBucketAssigner() as BucketAssigner<TIn>),
      rollingPolicy,
      outputFileConfig: this.outputFileConfig ?? new OutputFileConfig(),
      bucketCheckIntervalMs: this.bucketCheckIntervalMs,
      unsafeBucketIds: this.unsafeBucketIds,
      compaction,
    };
  }
}

/** Builds a row-format {@link FileSink} (Flink's `RowFormatBuilder`). */
export class RowFormatBuilder<TIn> extends FileSinkBuilder<TIn, RowFormatBuilder<TIn>> {
  private rollingPolicy: RollingPolicy<TIn> | undefined;
  private compaction: CompactionOptions | undefined;

  /** Use {@link FileSink.forRowFormat}. */
  constructor(
    basePath: string,
    private readonly encoder: Encoder<TIn>,
  ) {
    super(basePath);
  }

  /**
   * When in-progress parts roll.
   * @defaultValue `new DefaultRollingPolicy()` (128 MiB, 60 s rollover, 60 s inactivity)
   */
  withRollingPolicy(policy: RollingPolicy<TIn>): this {
    this.rollingPolicy = policy;
    return this;
  }

  /**
   * Compacts small files: at commit, the parts one checkpoint closed in a bucket are merged into
   * files of up to `targetSizeBytes` (each named after its first part) instead of one file per
   * part. Row formats only: the encoded bytes must be concatenable.
   * @defaultValue off
   */
  withCompaction(options: CompactionOptions = {}): this {
    this.compaction = options;
    return this;
  }

  /** Validates the options (`CONFIG_INVALID` naming the option) and builds the sink. */
  build(): FileSink<TIn> {
    if (typeof (this.encoder as Partial<Encoder<TIn>> | undefined)?.encode !== 'function') {
      throw new ConfigError('encoder must have an encode(element) method, e.g. new SimpleStringEncoder().', {
        option: 'encoder',
      });
    }
    return new FileSink(
      this.resolve(
        rowPartWriters(this.encoder),
        this.rollingPolicy ?? new DefaultRollingPolicy(),
        this.compaction === undefined ? undefined : compactionConfig(this.compaction),
      ),
    );
  }
}

/** Builds a bulk-format {@link FileSink} (Flink's `BulkFormatBuilder`); parts roll at every checkpoint. */
export class BulkFormatBuilder<TIn> extends FileSinkBuilder<TIn, BulkFormatBuilder<TIn>> {
  /** Use {@link FileSink.forBulkFormat}. */
  constructor(
    basePath: string,
    private readonly writerFactory: BulkWriterFactory<TIn>,
  ) {
    super(basePath);
  }

  /** Validates the options (`CONFIG_INVALID` naming the option) and builds the sink. */
  build(): FileSink<TIn> {
    if (typeof (this.writerFactory as Partial<BulkWriterFactory<TIn>> | undefined)?.create !== 'function') {
      throw new ConfigError('writerFactory must have a create(output) method.', { option: 'writerFactory' });
    }
    return new FileSink(this.resolve(bulkPartWriters(this.writerFactory), new OnCheckpointRollingPolicy()));
  }
}
