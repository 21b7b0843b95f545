/**
 * `DirectorySink`: an exactly-once sink built on `@sluice/core`'s `TwoPhaseCommitSink`. One
 * transaction is one file: records are buffered, written and fsynced to `pending/` at the
 * checkpoint (pre-commit), and renamed into `committed/` when the checkpoint completes (commit).
 * Readers look at `committed/` only, so they see each record exactly once.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TwoPhaseCommitSink, Types } from '@sluice/core';
import type { RuntimeContext, SinkContext } from '@sluice/core';

/** Options of {@link DirectorySink.create}. */
export interface DirectorySinkOptions {
  /** Directory holding `pending/` and `committed/`. */
  readonly directory: string;
}

/** A transaction handle: the file name, the same under `pending/` and `committed/`. */
export interface FileTransaction {
  readonly name: string;
}

const FileTransactionType = Types.row({ name: Types.string() });

/** Writes each string record as one line; output appears in `<directory>/committed/` on checkpoint completion. */
export class DirectorySink extends TwoPhaseCommitSink<string, FileTransaction> {
  /** Lines of open transactions, by file name (never in checkpoints: they are written at pre-commit). */
  private readonly buffers = new Map<string, string[]>();
  private subtask = 0;

  private constructor(private readonly options: DirectorySinkOptions) {
    super({ transactionType: FileTransactionType });
  }

  /** A sink writing under `options.directory`. */
  static create(options: DirectorySinkOptions): DirectorySink {
    if (options.directory === '') throw new RangeError('DirectorySink: directory must not be empty.');
    return new DirectorySink(options);
  }

  override async open(context: RuntimeContext): Promise<void> {
    this.subtask = context.subtaskIndex;
    await mkdir(join(this.options.directory, 'pending'), { recursive: true });
    await mkdir(join(this.options.directory, 'committed'), { recursive: true });
    await super.open(context); // recovers restored transactions, then begins the first one
  }

  protected beginTransaction(): FileTransaction {
    const name = `part-${this.subtask}-${randomUUID()}.txt`;
    this.buffers.set(name, []);
    return { name };
  }

  protected invokeInTransaction(txn: FileTransaction, value: string, _context: SinkContext): void {
    this.buffers.get(txn.name)?.push(value);
  }

  /** Writes and fsyncs the transaction's file: after this, it survives a crash. */
  protected async preCommit(txn: FileTransaction): Promise<void> {
    const lines = this.buffers.get(txn.name) ?? [];
    this.buffers.delete(txn.name);
    const file = await open(this.pendingPath(txn), 'wx');
    try {
      await file.writeFile(lines.map((line) => `${line}\n`).join(''));
      await file.sync();
    } finally {
      await file.close();
    }
  }

  /**
   * Moves the file into `committed/`. Idempotent: after a crash the same transaction may be
   * committed again, and then the file is already there. `link` never overwrites, so a commit
   * cannot replace another file.
   */
  protected async commit(txn: FileTransaction): Promise<void> {
    const committed = join(this.options.directory, 'committed', txn.name);
    try {
      await link(this.pendingPath(txn), committed);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && (await exists(committed))) return; // committed before a crash
      if (code !== 'EEXIST') throw error; // EEXIST: linked before a crash, not yet unlinked
    }
    await unlink(this.pendingPath(txn));
  }

  protected async abort(txn: FileTransaction): Promise<void> {
    this.buffers.delete(txn.name);
    await rm(this.pendingPath(txn), { force: true });
  }

  private pendingPath(txn: FileTransaction): string {
    return join(this.options.directory, 'pending', txn.name);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
