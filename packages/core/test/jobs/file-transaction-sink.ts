/**
 * Shared by the fault-test jobs (bundled with them by esbuild): the exactly-once file sink and
 * the checkpoint storage with kill points inside the checkpoint protocol.
 */
import { randomUUID } from 'node:crypto';
import { open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { FunctionSnapshotContext } from '@sluice/core';
import { LocalCheckpointStorage, TwoPhaseCommitSink, Types } from '@sluice/core';
import { killPoint } from './kill-points.js';

/** Where a {@link FileTransactionSink} writes, and its variants. */
export interface FileTransactionSinkOptions {
  readonly pendingDir: string;
  readonly committedDir: string;
  /**
   * `sync` (default): invokeInTransaction writes in the call. `async`: it returns a promise.
   * `async-yield`: it returns a promise and writes after a setImmediate — a runtime that let a
   * snapshot run meanwhile would put the record into a pre-committed transaction (caught as
   * "no buffer").
   */
  readonly invoke?: 'sync' | 'async' | 'async-yield';
  /** Broken on purpose (control): commit already at preCommit, before the checkpoint completes. */
  readonly eagerCommit?: boolean;
}

/**
 * Exactly-once file sink: a transaction is `pending/<id>.tmp`, filled at preCommit (then
 * fsynced) and committed by renaming it to `committed/<id>.txt`. A commit whose temp file is gone
 * but whose target exists was already done (idempotent). An id is
 * `<subtask>-<pid>-t<thread id>-<random>-<n>` (thread id 0: the calling thread; else a task thread).
 */
export class FileTransactionSink extends TwoPhaseCommitSink<string, string> {
  private readonly buffers = new Map<string, string[]>();
  /** Set at the first transaction: the runtime copies the sink per subtask before that. */
  private nonce: string | undefined;
  private counter = 0;

  constructor(private readonly options: FileTransactionSinkOptions) {
    super({ transactionType: Types.string() });
  }

  protected async beginTransaction(): Promise<string> {
    // The runtime context is there: TwoPhaseCommitSink begins transactions from open() on.
    this.nonce ??= `${this.getRuntimeContext().subtaskIndex}-${process.pid}-t${threadId}-${randomUUID().slice(0, 8)}`;
    const id = `${this.nonce}-${this.counter++}`;
    await writeFile(join(this.options.pendingDir, `${id}.tmp`), '');
    this.buffers.set(id, []);
    return id;
  }

  protected invokeInTransaction(txn: string, value: string): void | Promise<void> {
    const invoke = this.options.invoke ?? 'sync';
    if (invoke === 'sync') return this.append(txn, value);
    return this.appendAsync(txn, value, invoke === 'async-yield');
  }

  protected async preCommit(txn: string): Promise<void> {
    const lines = this.buffers.get(txn) ?? [];
    const file = await open(join(this.options.pendingDir, `${txn}.tmp`), 'a');
    try {
      if (lines.length > 0) await file.write(`${lines.join('\n')}\n`);
      killPoint('sink.precommit');
      await file.sync();
    } finally {
      await file.close();
    }
    this.buffers.delete(txn);
    if (this.options.eagerCommit === true) await this.moveToCommitted(txn);
  }

  protected async commit(txn: string): Promise<void> {
    killPoint('sink.commit');
    await this.moveToCommitted(txn);
    killPoint('sink.commit-renamed');
  }

  protected override async recoverAndCommit(txn: string): Promise<void> {
    killPoint('sink.recover-commit');
    await this.moveToCommitted(txn);
  }

  protected async abort(txn: string): Promise<void> {
    this.buffers.delete(txn);
    await unlink(join(this.options.pendingDir, `${txn}.tmp`)).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  }

  override async snapshotState(context: FunctionSnapshotContext): Promise<void> {
    await super.snapshotState(context);
    killPoint('sink.snapshot-done');
  }

  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    killPoint('sink.notify');
    await super.notifyCheckpointComplete(checkpointId);
  }

  private append(txn: string, value: string): void {
    const buffer = this.buffers.get(txn);
    if (buffer === undefined) throw new Error(`no buffer for transaction ${txn}`);
    buffer.push(value);
    killPoint('sink.invoke');
  }

  private async appendAsync(txn: string, value: string, yieldFirst: boolean): Promise<void> {
    if (yieldFirst) await new Promise<void>((resolve) => setImmediate(resolve));
    this.append(txn, value);
  }

  private async moveToCommitted(txn: string): Promise<void> {
    const target = join(this.options.committedDir, `${txn}.txt`);
    try {
      await rename(join(this.options.pendingDir, `${txn}.tmp`), target);
    } catch (error) {
      if (!isMissing(error)) throw error;
      // Already committed by an earlier attempt? Then there is nothing to do.
      const committed = await stat(target).then(
        () => true,
        () => false,
      );
      if (!committed) throw new Error(`transaction ${txn} is neither pending nor committed: data lost`);
    }
  }
}

/** Wraps local checkpoint storage to add kill points inside the checkpoint protocol. */
export class KillableCheckpointStorage extends LocalCheckpointStorage {
  override async writeFile(checkpointPath: string, file: { name: string; bytes: Uint8Array }): Promise<void> {
    await super.writeFile(checkpointPath, file);
    killPoint('storage.state-written');
  }

  override async commitMetadata(checkpointPath: string, bytes: Uint8Array): Promise<void> {
    await super.commitMetadata(checkpointPath, bytes);
    killPoint('storage.metadata-committed');
  }
}

/** True for an ENOENT error. */
export function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}
