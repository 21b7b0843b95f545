/**
 * Flink 1.6's `BucketingSink`: rolling part files in buckets, moved in-progress → pending on roll
 * and pending → final when the checkpoint that covers them completes. On restore, the part that
 * was open at the checkpoint is made final and truncated to its valid length (or, without
 * truncate, given a `.valid-length` file), and the checkpoint's pending parts are made final.
 *
 * Names (defaults): final `part-<subtask>-<counter>`, in-progress `_part-<subtask>-<counter>.in-progress`,
 * pending `_part-<subtask>-<counter>.pending`, valid length `_part-<subtask>-<counter>.valid-length`.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, Types } from '@sluice/core';
import type {
  CheckpointedFunction,
  CheckpointListener,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  ListState,
  RichFunction,
  RuntimeContext,
  Sink,
  SinkContext,
} from '@sluice/core';
import { FileSystemError, HdfsErrorCode, isFileSystemError } from '../../errors.js';
import type { FileSystem } from '../../filesystem/file-system.js';
import { normalizePath } from '../../filesystem/paths.js';
import { LocalFileSystem } from '../../local/local-file-system.js';
import { checkBucketPath, DateTimeBucketer } from './bucketer.js';
import type { Bucketer } from './bucketer.js';
import { decodeBucketingState, encodeBucketingState } from './bucketing-state.js';
import type { BucketingBucketState } from './bucketing-state.js';
import { StringWriter } from './writer.js';
import type { Writer } from './writer.js';

/** The resolved settings of a {@link BucketingSink} (see {@link BucketingSinkBuilder} for defaults). */
export interface BucketingSinkConfig<TIn> {
  readonly basePath: string;
  /** Returns the file system (a function, so every subtask shares the instance). */
  readonly fileSystem: () => FileSystem;
  readonly bucketer: Bucketer<TIn>;
  readonly writer: Writer<TIn>;
  readonly batchSize: number;
  readonly batchRolloverIntervalMs: number;
  readonly inactiveBucketCheckIntervalMs: number;
  readonly inactiveBucketThresholdMs: number;
  readonly inProgressPrefix: string;
  readonly inProgressSuffix: string;
  readonly pendingPrefix: string;
  readonly pendingSuffix: string;
  readonly validLengthPrefix: string;
  readonly validLengthSuffix: string;
  readonly partPrefix: string;
  readonly partSuffix: string;
  readonly useTruncate: boolean;
  readonly asyncTimeoutMs: number;
}

interface BucketRuntime<TIn> {
  readonly path: string;
  writer: Writer<TIn> | undefined;
  currentFile: string | undefined;
  currentFileValidLength: number;
  creationTime: number;
  lastWrittenTo: number;
  partCounter: number;
  pendingFiles: string[];
  readonly pendingFilesPerCheckpoint: Map<number, string[]>;
}

const STATE = { name: 'bucket-states', type: Types.bytes() } as const;

/** Java's `DataOutput.writeUTF` of an ASCII string: 2-byte big-endian length, then the bytes. */
function writeUtf(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
}

function splitPath(path: string): { dir: string; name: string } {
  const i = path.lastIndexOf('/');
  return { dir: i <= 0 ? '' : path.slice(0, i), name: path.slice(i + 1) };
}

/**
 * Flink 1.6's `BucketingSink` (build it with {@link BucketingSink.builder}). Prefer
 * {@link FileSink} for new jobs: it resumes in-progress parts instead of finalizing them on restore
 * and never leaves `.valid-length` files.
 */
export class BucketingSink<TIn> implements Sink<TIn>, CheckpointedFunction, CheckpointListener, RichFunction {
  private readonly buckets = new Map<string, BucketRuntime<TIn>>();
  private state: ListState<Uint8Array> | undefined;
  private subtaskIndex = 0;
  private lastCheck = 0;
  private truncateWorks: boolean | undefined;

  /** Use {@link BucketingSink.builder}. */
  constructor(readonly config: BucketingSinkConfig<TIn>) {}

  /** A builder with Flink 1.6's defaults. */
  static builder<TIn>(basePath: string): BucketingSinkBuilder<TIn> {
    return new BucketingSinkBuilder<TIn>(basePath);
  }

  private get fs(): FileSystem {
    return this.config.fileSystem();
  }

  /** `<dir>/<prefix><name><suffix>` of a final part path. */
  private derived(partPath: string, prefix: string, suffix: string): string {
    const { dir, name } = splitPath(partPath);
    return `${dir}/${prefix}${name}${suffix}`;
  }

  /** The in-progress name of a part. */
  inProgressPathFor(partPath: string): string {
    return this.derived(partPath, this.config.inProgressPrefix, this.config.inProgressSuffix);
  }

  /** The pending name of a part. */
  pendingPathFor(partPath: string): string {
    return this.derived(partPath, this.config.pendingPrefix, this.config.pendingSuffix);
  }

  /** The valid-length file of a part. */
  validLengthPathFor(partPath: string): string {
    return this.derived(partPath, this.config.validLengthPrefix, this.config.validLengthSuffix);
  }

  async initializeState(context: FunctionInitializationContext): Promise<void> {
    this.state = context.operatorStateStore.getListState(STATE);
    this.truncateWorks = this.config.useTruncate ? await this.probeTruncate() : false;
    if (!context.isRestored) return;
    for (const bytes of this.state.get()) {
      for (const bucket of decodeBucketingState(bytes).buckets) await this.restoreBucket(bucket);
    }
    this.state.clear();
  }

  open(context: RuntimeContext): void {
    this.subtaskIndex = context.subtaskIndex;
    this.lastCheck = Date.now();
  }

  async invoke(value: TIn, context: SinkContext): Promise<void> {
    const now = context.currentProcessingTime();
    await this.checkInactive(now);
    const path = checkBucketPath(
      this.config.basePath,
      this.config.bucketer.getBucketPath({ currentTimeMillis: () => now }, this.config.basePath, value),
    );
    let bucket = this.buckets.get(path);
    if (bucket === undefined) {
      bucket = {
        path,
        writer: undefined,
        currentFile: undefined,
        currentFileValidLength: 0,
        creationTime: now,
        lastWrittenTo: now,
        partCounter: 0,
        pendingFiles: [],
        pendingFilesPerCheckpoint: new Map(),
      };
      this.buckets.set(path, bucket);
    }
    if (
      bucket.writer === undefined ||
      bucket.writer.getPos() > this.config.batchSize ||
      now - bucket.creationTime > this.config.batchRolloverIntervalMs
    ) {
      await this.openNewPartFile(bucket, now);
    }
    await (bucket.writer as Writer<TIn>).write(value);
    bucket.lastWrittenTo = now;
  }

  async snapshotState(context: FunctionSnapshotContext): Promise<void> {
    await this.checkInactive(Date.now());
    const states: BucketingBucketState[] = [];
    for (const bucket of this.buckets.values()) {
      if (bucket.writer !== undefined) bucket.currentFileValidLength = await bucket.writer.flush();
      if (bucket.pendingFiles.length > 0) {
        bucket.pendingFilesPerCheckpoint.set(context.checkpointId, bucket.pendingFiles);
        bucket.pendingFiles = [];
      }
      states.push({
        bucketPath: bucket.path,
        currentFile: bucket.writer === undefined ? undefined : bucket.currentFile,
        currentFileValidLength: bucket.currentFileValidLength,
        pendingFiles: [],
        pendingFilesPerCheckpoint: [...bucket.pendingFilesPerCheckpoint.entries()],
      });
    }
    this.state?.update([encodeBucketingState({ buckets: states })]);
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    for (const [path, bucket] of this.buckets) {
      for (const [id, files] of bucket.pendingFilesPerCheckpoint) {
        if (id > checkpointId) continue;
        for (const file of files) await this.fs.rename(this.pendingPathFor(file), file);
        bucket.pendingFilesPerCheckpoint.delete(id);
      }
      if (bucket.writer === undefined && bucket.pendingFiles.length === 0 && bucket.pendingFilesPerCheckpoint.size === 0) {
        this.buckets.delete(path);
      }
    }
  }

  /**
   * End of input (a bounded job): closes every open part and moves it to pending, so that the
   * final checkpoint files it and its completion makes it final. Not called on failure or cancel.
   */
  async finish(): Promise<void> {
    for (const bucket of this.buckets.values()) await this.closeCurrentPartFile(bucket);
  }

  /**
   * Closes parts still open (the job failed or was cancelled) and moves them to pending, as 1.6
   * did; no checkpoint covers them, so they stay pending (after `finish`, none is open).
   */
  async close(): Promise<void> {
    for (const bucket of this.buckets.values()) await this.closeCurrentPartFile(bucket);
  }

  private async checkInactive(now: number): Promise<void> {
    if (now - this.lastCheck < this.config.inactiveBucketCheckIntervalMs) return;
    this.lastCheck = now;
    for (const bucket of this.buckets.values()) {
      if (
        bucket.writer !== undefined &&
        (bucket.lastWrittenTo < now - this.config.inactiveBucketThresholdMs ||
          bucket.creationTime < now - this.config.batchRolloverIntervalMs)
      ) {
        await this.closeCurrentPartFile(bucket);
      }
    }
  }

  private async openNewPartFile(bucket: BucketRuntime<TIn>, now: number): Promise<void> {
    await this.closeCurrentPartFile(bucket);
    await this.fs.mkdirs(bucket.path);
    const dir = bucket.path === '/' ? '' : bucket.path;
    const partPath = (): string =>
      `${dir}/${this.config.partPrefix}-${this.subtaskIndex}-${bucket.partCounter}${this.config.partSuffix}`;
    // Skip every counter whose final, pending or in-progress name exists.
    while (
      (await this.fs.exists(partPath())) ||
      (await this.fs.exists(this.pendingPathFor(partPath()))) ||
      (await this.fs.exists(this.inProgressPathFor(partPath())))
    ) {
      bucket.partCounter += 1;
    }
    const path = partPath();
    bucket.partCounter += 1;
    bucket.creationTime = now;
    const writer = this.config.writer.duplicate();
    await writer.open(this.fs, this.inProgressPathFor(path));
    bucket.writer = writer;
    bucket.currentFile = path;
    bucket.currentFileValidLength = 0;
  }

  private async closeCurrentPartFile(bucket: BucketRuntime<TIn>): Promise<void> {
    const writer = bucket.writer;
    const file = bucket.currentFile;
    if (writer === undefined || file === undefined) return;
    bucket.writer = undefined;
    await writer.close();
    await this.fs.rename(this.inProgressPathFor(file), this.pendingPathFor(file));
    bucket.pendingFiles.push(file);
  }

  /** 1.6's restore of one bucket: the open part becomes final at its valid length; pending parts become final. */
  private async restoreBucket(bucket: BucketingBucketState): Promise<void> {
    const fs = this.fs;
    const file = bucket.currentFile;
    if (file !== undefined) {
      for (const source of [this.pendingPathFor(file), this.inProgressPathFor(file)]) {
        if (await fs.exists(source)) {
          await fs.rename(source, file);
          break;
        }
      }
      // If neither existed, an earlier restore made it final already.
      if (await fs.exists(file)) {
        const length = (await fs.status(file)).length;
        if (this.truncateWorks === true) {
          if (length > bucket.currentFileValidLength) await this.truncateWithin(file, bucket.currentFileValidLength);
        } else {
          const validLengthFile = this.validLengthPathFor(file);
          if (!(await fs.exists(validLengthFile))) {
            await fs.writeFile(validLengthFile, writeUtf(String(bucket.currentFileValidLength)));
          }
        }
      }
    }
    for (const files of [[...bucket.pendingFiles], ...bucket.pendingFilesPerCheckpoint.map(([, f]) => f)]) {
      for (const pending of files) {
        const source = this.pendingPathFor(pending);
        if (await fs.exists(source)) await fs.rename(source, pending);
      }
    }
  }

  private async truncateWithin(path: string, length: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new FileSystemError(`truncate of ${path} to ${length} did not finish within asyncTimeout (${this.config.asyncTimeoutMs} ms).`, {
              code: HdfsErrorCode.HDFS_RETRIES_EXHAUSTED,
              operation: 'truncate',
              path,
            }),
          ),
        this.config.asyncTimeoutMs,
      );
    });
    try {
      await Promise.race([this.fs.truncate(path, length), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** 1.6's truncate probe: create a file with writeUTF("hello"), truncate it to 2 bytes, delete it. */
  private async probeTruncate(): Promise<boolean> {
    const fs = this.fs;
    if (!fs.supportsTruncate) return false;
    const probe = `${this.config.basePath === '/' ? '' : this.config.basePath}/${randomUUID()}`;
    await fs.writeFile(probe, writeUtf('hello'));
    let works = true;
    try {
      await fs.truncate(probe, 2);
    } catch (error) {
      if (!isFileSystemError(error)) throw error;
      works = false;
    }
    await fs.delete(probe);
    return works;
  }
}

type NameOption =
  | 'inProgressPrefix'
  | 'inProgressSuffix'
  | 'pendingPrefix'
  | 'pendingSuffix'
  | 'validLengthPrefix'
  | 'validLengthSuffix'
  | 'partPrefix'
  | 'partSuffix';

/** Collects a {@link BucketingSink}'s settings; Flink 1.6's setter names and defaults. */
export class BucketingSinkBuilder<TIn> {
  private fileSystem: FileSystem | undefined;
  private bucketer: Bucketer<TIn> | undefined;
  private writer: Writer<TIn> | undefined;
  private batchSize = 384 * 1024 * 1024;
  private batchRolloverIntervalMs = Number.POSITIVE_INFINITY;
  private inactiveBucketCheckIntervalMs = 60_000;
  private inactiveBucketThresholdMs = 60_000;
  private readonly names: Record<NameOption, string> = {
    inProgressPrefix: '_',
    inProgressSuffix: '.in-progress',
    pendingPrefix: '_',
    pendingSuffix: '.pending',
    validLengthPrefix: '_',
    validLengthSuffix: '.valid-length',
    partPrefix: 'part',
    partSuffix: '',
  };
  private useTruncate = true;
  private asyncTimeoutMs = 60_000;

  /** Use {@link BucketingSink.builder}. */
  constructor(private readonly basePath: string) {}

  /** The file system. @defaultValue `new LocalFileSystem()` */
  setFileSystem(fileSystem: FileSystem): this {
    this.fileSystem = fileSystem;
    return this;
  }
  /** Bucket directory of each element. @defaultValue `new DateTimeBucketer()` (`yyyy-MM-dd--HH`, system zone) */
  setBucketer(bucketer: Bucketer<TIn>): this {
    this.bucketer = bucketer;
    return this;
  }
  /** The writer template (duplicated per bucket). @defaultValue `new StringWriter()` */
  setWriter(writer: Writer<TIn>): this {
    this.writer = writer;
    return this;
  }
  /** Roll when a part is larger than this many bytes (checked before a write). @defaultValue `402653184` (384 MiB) */
  setBatchSize(bytes: number): this {
    this.batchSize = bytes;
    return this;
  }
  /** Roll parts older than this, ms; values ≤ 0 are ignored (as 1.6). @defaultValue never (`Infinity`) */
  setBatchRolloverInterval(ms: number): this {
    if (ms > 0) this.batchRolloverIntervalMs = ms;
    return this;
  }
  /** How often inactive or old parts are looked for, ms (on the next element or checkpoint after it). @defaultValue `60000` */
  setInactiveBucketCheckInterval(ms: number): this {
    this.inactiveBucketCheckIntervalMs = ms;
    return this;
  }
  /** Close parts not written to for this long, ms. @defaultValue `60000` */
  setInactiveBucketThreshold(ms: number): this {
    this.inactiveBucketThresholdMs = ms;
    return this;
  }
  /** @defaultValue `'_'` */
  setInProgressPrefix(value: string): this {
    return this.name('inProgressPrefix', value);
  }
  /** @defaultValue `'.in-progress'` */
  setInProgressSuffix(value: string): this {
    return this.name('inProgressSuffix', value);
  }
  /** @defaultValue `'_'` */
  setPendingPrefix(value: string): this {
    return this.name('pendingPrefix', value);
  }
  /** @defaultValue `'.pending'` */
  setPendingSuffix(value: string): this {
    return this.name('pendingSuffix', value);
  }
  /** @defaultValue `'_'` */
  setValidLengthPrefix(value: string): this {
    return this.name('validLengthPrefix', value);
  }
  /** @defaultValue `'.valid-length'` */
  setValidLengthSuffix(value: string): this {
    return this.name('validLengthSuffix', value);
  }
  /** @defaultValue `'part'` */
  setPartPrefix(value: string): this {
    return this.name('partPrefix', value);
  }
  /** @defaultValue `''` */
  setPartSuffix(value: string): this {
    return this.name('partSuffix', value);
  }
  /** Truncate restored parts (else write `.valid-length` files). @defaultValue `true` */
  setUseTruncate(useTruncate: boolean): this {
    this.useTruncate = useTruncate;
    return this;
  }
  /** Bound of a restore truncate (HDFS block recovery), ms. @defaultValue `60000` */
  setAsyncTimeout(ms: number): this {
    this.asyncTimeoutMs = ms;
    return this;
  }

  private name(option: NameOption, value: string): this {
    this.names[option] = value;
    return this;
  }

  /** Validates the settings (`CONFIG_INVALID` naming the option) and builds the sink. */
  build(): BucketingSink<TIn> {
    let basePath: string;
    try {
      basePath = normalizePath(this.basePath, 'BucketingSink');
    } catch (cause) {
      throw new ConfigError(`basePath ${JSON.stringify(this.basePath)} must be an absolute path such as "/data/out".`, {
        option: 'basePath',
        cause,
      });
    }
    const positive: [string, number][] = [
      ['batchSize', this.batchSize],
      ['inactiveBucketCheckInterval', this.inactiveBucketCheckIntervalMs],
      ['inactiveBucketThreshold', this.inactiveBucketThresholdMs],
      ['asyncTimeout', this.asyncTimeoutMs],
    ];
    for (const [option, value] of positive) {
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new ConfigError(`${option} must be a positive integer, got ${String(value)}.`, { option });
      }
    }
    for (const [option, value] of Object.entries(this.names)) {
      // eslint-disable-next-line no-control-regex
      if (typeof value !== 'string' || /[/\\:\u0000-\u001f\u007f]/.test(value) || (option === 'partPrefix' && value === '')) {
        throw new ConfigError(`${option} ${JSON.stringify(value)} is not usable in a file name.`, { option });
      }
    }
    const { inProgressPrefix, inProgressSuffix, pendingPrefix, pendingSuffix } = this.names;
    if (inProgressPrefix === pendingPrefix && inProgressSuffix === pendingSuffix) {
      throw new ConfigError('inProgressPrefix/Suffix must differ from pendingPrefix/Suffix, or parts could not be told apart.', {
        option: 'pendingSuffix',
      });
    }
    const fileSystem = this.fileSystem ?? new LocalFileSystem();
    return new BucketingSink<TIn>({
      basePath,
      fileSystem: () => fileSystem,
      bucketer: this.bucketer ?? new DateTimeBucketer(),
      writer: this.writer ?? (new StringWriter() as Writer<TIn>),
      batchSize: this.batchSize,
      batchRolloverIntervalMs: this.batchRolloverIntervalMs,
      inactiveBucketCheckIntervalMs: this.inactiveBucketCheckIntervalMs,
      inactiveBucketThresholdMs: this.inactiveBucketThresholdMs,
      ...this.names,
      useTruncate: this.useTruncate,
      asyncTimeoutMs: this.asyncTimeoutMs,
    });
  }
}
