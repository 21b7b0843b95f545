/**
 * One bucket of a FileSink subtask: its in-progress part, the parts closed since the last
 * checkpoint, and the pending parts filed under checkpoints, waiting for completion.
 */
import type { FileSystem } from '../../filesystem/file-system.js';
import type { OutputFileConfig } from '../output-file-config.js';
import type { PartFileInfo, RollingPolicy } from '../rolling-policy.js';
import type { BucketState, PendingPart } from './bucket-state.js';
import { commitCompactedGroup, compactionGroups } from './compaction.js';
import type { CompactionConfig } from './compaction.js';
import { commitPendingPart, truncateToValidLength } from './part-commit.js';
import type { PartWriter, PartWriterFactory } from './part-writer.js';

/** What a bucket needs from its sink subtask. */
export interface BucketContext<TIn> {
  readonly fs: FileSystem;
  readonly writers: PartWriterFactory<TIn>;
  readonly policy: RollingPolicy<TIn>;
  readonly names: OutputFileConfig;
  /** Merge each checkpoint's pending parts into target-size files at commit, if set. */
  readonly compaction: CompactionConfig | undefined;
  /** Index of the subtask (part names). */
  subtask(): number;
  /** Takes the next part counter of the subtask. */
  nextPartCounter(): number;
  /** Counts bytes written to part files and files finished (the sink's metrics). */
  readonly counts: { bytesWritten(bytes: number): void; filesFinished(files: number): void };
}

/**
 * The in-progress part of a bucket. It is also the {@link PartFileInfo} the rolling policy is asked
 * with (a live view, as in Flink), so asking costs no allocation per element.
 */
class OpenPart<TIn> implements PartFileInfo {
  readonly bucketId: string;
  readonly writer: PartWriter<TIn>;
  readonly finalPath: string;
  readonly creationTime: number;
  lastUpdateTime: number;
  /** The writer's output position already counted in the `numBytesOut` metric. */
  counted: number;

  constructor(part: { bucketId: string; writer: PartWriter<TIn>; finalPath: string; creationTime: number; lastUpdateTime: number }) {
    this.bucketId = part.bucketId;
    this.writer = part.writer;
    this.finalPath = part.finalPath;
    this.creationTime = part.creationTime;
    this.lastUpdateTime = part.lastUpdateTime;
    this.counted = part.writer.outputPosition;
  }

  get size(): number {
    return this.writer.size;
  }
}

/** A bucket (directory) with at most one in-progress part. */
export class Bucket<TIn> {
  private inProgress: OpenPart<TIn> | undefined;
  /** Parts closed since the last checkpoint. */
  private closedSinceCheckpoint: PendingPart[] = [];
  /** Pending parts by checkpoint id, ascending. */
  private readonly pending = new Map<number, PendingPart[]>();

  /** The bucket id from the assigner. */
  readonly bucketId: string;
  /** The bucket's directory. */
  readonly bucketPath: string;
  /** When the bucket was created (processing time, ms). */
  readonly creationTime: number;

  constructor(
    identity: { bucketId: string; bucketPath: string; creationTime: number },
    private readonly context: BucketContext<TIn>,
  ) {
    this.bucketId = identity.bucketId;
    this.bucketPath = identity.bucketPath;
    this.creationTime = identity.creationTime;
  }

  /** Restores a bucket from its state: commits its pending parts and resumes its in-progress part. */
  static async restore<TIn>(state: BucketState, context: BucketContext<TIn>): Promise<Bucket<TIn>> {
    const bucket = new Bucket<TIn>(state, context);
    await bucket.commitRestored(state);
    const part = state.inProgress;
    if (part !== undefined) {
      await truncateToValidLength(context.fs, part.inProgressPath, part.validLength);
      const writer = await context.writers.resume(await context.fs.append(part.inProgressPath));
      bucket.inProgress = new OpenPart({
        bucketId: state.bucketId,
        writer,
        finalPath: part.finalPath,
        creationTime: part.creationTime,
        lastUpdateTime: Date.now(),
      });
    }
    return bucket;
  }

  /**
   * Merges the state of the same bucket from another old subtask (scale-in): its pending parts
   * are committed, and its in-progress part is cut to its valid length and queued as pending.
   */
  async mergeRestored(state: BucketState): Promise<void> {
    await this.commitRestored(state);
    const part = state.inProgress;
    if (part === undefined) return;
    await truncateToValidLength(this.context.fs, part.inProgressPath, part.validLength);
    this.closedSinceCheckpoint.push({ pendingPath: part.inProgressPath, finalPath: part.finalPath, length: part.validLength });
  }

  private async commitRestored(state: BucketState): Promise<void> {
    for (const [, parts] of state.pending) await this.commitParts(parts, true);
  }

  /** Commits one checkpoint's pending parts: one by one, or compacted into groups. */
  private async commitParts(parts: readonly PendingPart[], recovering: boolean): Promise<void> {
    const { fs, compaction, counts } = this.context;
    if (compaction === undefined) {
      for (const part of parts) {
        await commitPendingPart(fs, part, { recovering });
        counts.filesFinished(1);
      }
      return;
    }
    for (const group of compactionGroups(parts, compaction.targetSizeBytes)) {
      await commitCompactedGroup(fs, group, { recovering });
      counts.filesFinished(1);
    }
  }

  /**
   * Writes one element, rolling first if the policy says so (or opening the first part). Returns
   * nothing when the element went into the open part without waiting for anything.
   */
  write(element: TIn, now: number): void | Promise<void> {
    const open = this.inProgress;
    // The common case (an open part that does not roll) only appends: no promise at all.
    if (open !== undefined && !this.context.policy.shouldRollOnEvent(open, element)) {
      return this.append(open, element, now);
    }
    return this.rollAndWrite(element, now);
  }

  private async rollAndWrite(element: TIn, now: number): Promise<void> {
    if (this.inProgress !== undefined) await this.roll();
    await this.append(await this.openPart(now), element, now);
  }

  /**
   * Writes into `part`. Bytes are counted when the writer hands them to its output (a row writer
   * per chunk; a bulk writer's deferred bytes at its next write, the checkpoint or the roll).
   */
  private append(part: OpenPart<TIn>, element: TIn, now: number): void | Promise<void> {
    const written = part.writer.write(element);
    part.lastUpdateTime = now;
    if (written === undefined) return undefined;
    this.countOutput(part);
    return written;
  }

  /** Counts the bytes `part` handed to its output since the last count (the `numBytesOut` metric). */
  private countOutput(part: OpenPart<TIn>): void {
    const position = part.writer.outputPosition;
    this.context.counts.bytesWritten(position - part.counted);
    part.counted = position;
  }

  /** Rolls the in-progress part if the policy says so at processing time `now`. */
  async onProcessingTime(now: number): Promise<void> {
    if (this.inProgress !== undefined && this.context.policy.shouldRollOnProcessingTime(this.inProgress, now)) {
      await this.roll();
    }
  }

  /**
   * At checkpoint `checkpointId`: rolls if the policy says so (always for bulk parts), files the
   * closed parts under the checkpoint, persists the in-progress part, and returns the state.
   */
  async snapshot(checkpointId: number): Promise<BucketState> {
    const open = this.inProgress;
    if (open !== undefined && (!open.writer.resumable || this.context.policy.shouldRollOnCheckpoint(open))) {
      await this.roll();
    }
    if (this.closedSinceCheckpoint.length > 0) {
      this.pending.set(checkpointId, this.closedSinceCheckpoint);
      this.closedSinceCheckpoint = [];
    }
    const part = this.inProgress;
    let inProgress: BucketState['inProgress'];
    if (part !== undefined) {
      const validLength = await part.writer.persist();
      this.countOutput(part);
      inProgress = { inProgressPath: part.writer.path, finalPath: part.finalPath, validLength, creationTime: part.creationTime };
    }
    return {
      bucketId: this.bucketId,
      bucketPath: this.bucketPath,
      creationTime: this.creationTime,
      inProgress,
      pending: [...this.pending.entries()],
    };
  }

  /** Commits every pending part filed under a checkpoint ≤ `checkpointId`. */
  async commitUpTo(checkpointId: number): Promise<void> {
    for (const [id, parts] of this.pending) {
      if (id > checkpointId) continue;
      await this.commitParts(parts, false);
      this.pending.delete(id);
    }
  }

  /** Whether the bucket has an in-progress part (the `partsInProgress` metric). */
  get hasInProgress(): boolean {
    return this.inProgress !== undefined;
  }

  /** Closed parts not yet finished: since the last checkpoint and filed under checkpoints (`partsPending`). */
  get pendingCount(): number {
    let count = this.closedSinceCheckpoint.length;
    for (const parts of this.pending.values()) count += parts.length;
    return count;
  }

  /** No open part and nothing pending: the bucket can be dropped. */
  isInactive(): boolean {
    return this.inProgress === undefined && this.closedSinceCheckpoint.length === 0 && this.pending.size === 0;
  }

  /** Releases the in-progress part without committing it. */
  async dispose(): Promise<void> {
    const part = this.inProgress;
    this.inProgress = undefined;
    await part?.writer.dispose();
  }

  /** Closes the in-progress part and queues it for the next checkpoint. */
  async roll(): Promise<void> {
    const part = this.inProgress;
    if (part === undefined) return;
    this.inProgress = undefined;
    const length = await part.writer.closeForCommit();
    // A bulk writer may write its buffered body and trailer only now.
    this.context.counts.bytesWritten(length - part.counted);
    this.closedSinceCheckpoint.push({ pendingPath: part.writer.path, finalPath: part.finalPath, length });
  }

  private async openPart(now: number): Promise<OpenPart<TIn>> {
    const { fs, names } = this.context;
    const dir = this.bucketPath === '/' ? '' : this.bucketPath;
    for (;;) {
      const name = { subtask: this.context.subtask(), counter: this.context.nextPartCounter() };
      const finalPath = `${dir}/${names.partFileName(name)}`;
      const inProgressPath = `${dir}/${names.inProgressFileName(name)}`;
      // The check of the final name and the create of the in-progress file run side by side (one
      // round trip less per part on HDFS). A name taken by a file from elsewhere (an earlier job
      // writing here) is skipped, and the in-progress file created for it deleted.
      const [taken, created] = await Promise.allSettled([fs.exists(finalPath), fs.create(inProgressPath)]);
      if (created.status === 'rejected') throw created.reason;
      const output = created.value;
      if (taken.status === 'rejected' || taken.value) {
        await output.abort();
        if (taken.status === 'rejected') throw taken.reason;
        await fs.delete(inProgressPath);
        continue;
      }
      const writer = await this.context.writers.open(output);
      this.inProgress = new OpenPart({ bucketId: this.bucketId, writer, finalPath, creationTime: now, lastUpdateTime: now });
      return this.inProgress;
    }
  }
}
