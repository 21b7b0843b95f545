// Fault-test job, run as a child process by the SIGKILL tests: a replayable numbered source
// (position in operator state) → map → FileSink, on local disk or a real HDFS, with checkpoints
// in a local directory or on the same file system. SIGKILLed by the parent at random times or
// by itself at injected points (kill-switch.ts); restarted until it prints JOB_FINISHED.
//
// Environment: SLUICE_JOB_DIR (local work directory), SLUICE_TARGET (`local` | `hdfs`),
// SLUICE_WEBHDFS_URL + SLUICE_HDFS_USER (hdfs), SLUICE_OUT (base path of the output in the target
// file system), SLUICE_CHECKPOINTS (`local` | `target`), SLUICE_SEQ_COUNT, SLUICE_PARALLELISM,
// SLUICE_CHECKPOINT_INTERVAL_MS, SLUICE_PART_BYTES (DefaultRollingPolicy part size),
// SLUICE_SINK (`file-sink` | `direct`, an at-least-once control), SLUICE_COMPACT_BYTES (compaction target size; off when unset), SLUICE_PAUSE_EVERY (the source sleeps 1 ms every that many records), SLUICE_KILL_AT (`<point>:<n>`).
// SLUICE_SOURCE=kafka reads the numbers from SLUICE_KAFKA_TOPIC on SLUICE_KAFKA_BROKERS instead
// (a KafkaSource, one partition per subtask, each ending at an `END` record; offsets in its state).
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CheckpointingMode,
  LocalCheckpointStorage,
  StreamExecutionEnvironment,
  Types,
} from '@sluice/core';
import type {
  CheckpointStorage,
  CheckpointedFunction,
  DeserializationSchema,
  FunctionInitializationContext,
  ListState,
  RichFunction,
  RuntimeContext,
  Sink,
  Source,
  SourceContext,
  StoredCheckpoint,
} from '@sluice/core';
import {
  DefaultRollingPolicy,
  FileSink,
  FileSystemCheckpointStorage,
  LocalFileSystem,
  SimpleStringEncoder,
  WebHdfsFileSystem,
} from '../../src/index.js';
import type { BucketAssigner, FileSystem, PartFileInfo } from '../../src/index.js';
import { KafkaSource, StartingOffsets } from '@sluice/kafka';
import { KillableFileSystem } from './killable-file-system.js';
import { killPoint } from './kill-switch.js';

const setting = (name: string, fallback: string): string => process.env[name] || fallback;
const jobDir = setting('SLUICE_JOB_DIR', '');
if (jobDir === '') throw new Error('SLUICE_JOB_DIR is not set');
const target = setting('SLUICE_TARGET', 'local');
const outBase = setting('SLUICE_OUT', '/out');
const total = Number(setting('SLUICE_SEQ_COUNT', '3000'));
const parallelism = Number(setting('SLUICE_PARALLELISM', '2'));
const pauseEvery = Number(setting('SLUICE_PAUSE_EVERY', '5'));
const startedAt = Date.now();

/** Source subtasks that have emitted their whole range (this process). */
let sourcesDone = 0;

/**
 * Subtask s of p emits the numbers n < total with n mod p = s. Its state is how many it has
 * emitted, bumped in the same synchronous step as `collect`.
 */
class NumberSource implements Source<number>, CheckpointedFunction, RichFunction {
  private emitted = 0;
  private index = 0;
  private of = 1;
  private stopped = false;
  private position: ListState<number> | undefined;

  initializeState(context: FunctionInitializationContext): void {
    this.position = context.operatorStateStore.getListState({ name: 'emitted', type: Types.safeInteger() });
    this.emitted = context.isRestored ? (this.position.get()[0] ?? 0) : 0;
  }

  open(context: RuntimeContext): void {
    this.index = context.subtaskIndex;
    this.of = context.parallelism;
  }

  snapshotState(): void {
    this.position?.update([this.emitted]);
  }

  async run(context: SourceContext<number>): Promise<void> {
    for (let n = this.index + this.emitted * this.of; n < total && !this.stopped; n = this.index + this.emitted * this.of) {
      const pressure = context.collect(n);
      this.emitted += 1;
      killPoint('source.emit');
      if (pressure !== undefined) await pressure;
      if (this.emitted % pauseEvery === 0) await sleep(1);
    }
    sourcesDone += 1;
  }

  cancel(): void {
    this.stopped = true;
  }
}

/** The numbers as text from a Kafka topic, up to an `END` record in each partition. */
function kafkaNumbers(): Source<string> {
  const untilEnd: DeserializationSchema<string> = {
    deserialize: (bytes) => Buffer.from(bytes).toString('utf8'),
    isEndOfStream: (next) => next === 'END',
    producedType: Types.string(),
  };
  return KafkaSource.builder<string>()
    .setBootstrapServers(setting('SLUICE_KAFKA_BROKERS', '').split(','))
    .setTopics(setting('SLUICE_KAFKA_TOPIC', ''))
    .setGroupId('file-sink-sigkill')
    .setValueOnlyDeserializer(untilEnd)
    .setStartingOffsets(StartingOffsets.earliest())
    .build();
}

/** The map after the Kafka source: the kill point and pace of NumberSource (the source is the library's). */
function pacedText(): (value: number | string) => Promise<string> {
  let seen = 0;
  return async (value) => {
    seen += 1;
    killPoint('source.emit');
    if (seen % pauseEvery === 0) await sleep(1);
    return String(value);
  };
}

/** Rolls by size (and time) like the default, and every part at checkpoints once all input is read. */
class RollAtEndPolicy extends DefaultRollingPolicy {
  override shouldRollOnCheckpoint(part: PartFileInfo): boolean {
    return sourcesDone === parallelism || super.shouldRollOnCheckpoint(part);
  }
}

/** Three buckets by value. */
const byRemainder: BucketAssigner<string> = { getBucketId: (line) => `r${Number(line) % 3}` };

/** The FileSink with kill points around its snapshot and notification, and restore timing. */
class JobFileSink extends FileSink<string> {
  override async initializeState(context: FunctionInitializationContext): Promise<void> {
    const begin = Date.now();
    await super.initializeState(context);
    if (context.isRestored) {
      process.stderr.write(`RESTORED_IN_MS ${Date.now() - begin} (process up ${Date.now() - startedAt} ms)\n`);
    }
  }
  override async snapshotState(context: { checkpointId: number; checkpointTimestamp: number }): Promise<void> {
    await super.snapshotState(context);
    killPoint('sink.snapshot-done');
  }
  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    killPoint('sink.notify');
    await super.notifyCheckpointComplete(checkpointId);
  }
}

/** Checkpoint storage decorator with the kill point between the metadata write and the commit. */
class KillableStorage implements CheckpointStorage {
  constructor(private readonly inner: CheckpointStorage) {}
  get location(): string {
    return this.inner.location;
  }
  checkpointPath(jobName: string, checkpointId: number): string {
    return this.inner.checkpointPath(jobName, checkpointId);
  }
  writeFile(checkpointPath: string, file: { name: string; bytes: Uint8Array }): Promise<void> {
    return this.inner.writeFile(checkpointPath, file);
  }
  async commitMetadata(checkpointPath: string, bytes: Uint8Array): Promise<void> {
    await this.inner.commitMetadata(checkpointPath, bytes);
    killPoint('storage.metadata-committed');
  }
  readMetadata(checkpointPath: string): Promise<Uint8Array | undefined> {
    return this.inner.readMetadata(checkpointPath);
  }
  readFile(checkpointPath: string, name: string): Promise<Uint8Array> {
    return this.inner.readFile(checkpointPath, name);
  }
  listCheckpoints(jobName: string): Promise<StoredCheckpoint[]> {
    return this.inner.listCheckpoints(jobName);
  }
  discard(checkpointPath: string): Promise<void> {
    return this.inner.discard(checkpointPath);
  }
}

/**
 * Control sink (SLUICE_SINK=direct, local target only): appends every record straight into a
 * visible file, with no checkpoint protocol: after a kill the replayed records appear twice.
 */
class DirectAppendSink implements Sink<string> {
  invoke(line: string): void {
    const dir = join(jobDir, 'fs', outBase, `r${Number(line) % 3}`);
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, `part-9-${process.pid}`), `${line}\n`);
  }
}

function targetFileSystem(): FileSystem {
  if (target === 'local') return new LocalFileSystem({ root: join(jobDir, 'fs') });
  return new WebHdfsFileSystem({
    url: setting('SLUICE_WEBHDFS_URL', ''),
    user: setting('SLUICE_HDFS_USER', 'sluice'),
    appendBufferBytes: 1024 * 1024,
  });
}

async function main(): Promise<void> {
  const fs = targetFileSystem();
  const env = StreamExecutionEnvironment.create();
  env.setParallelism(parallelism);
  env.enableCheckpointing(Number(setting('SLUICE_CHECKPOINT_INTERVAL_MS', '100')), CheckpointingMode.EXACTLY_ONCE);
  const storage: CheckpointStorage =
    setting('SLUICE_CHECKPOINTS', 'local') === 'target'
      ? new FileSystemCheckpointStorage({ fileSystem: fs, basePath: `${outBase}-checkpoints` })
      : new LocalCheckpointStorage({ directory: join(jobDir, 'checkpoints') });
  env.getCheckpointConfig().setCheckpointStorage(new KillableStorage(storage));
  const builder = FileSink.forRowFormat(outBase, new SimpleStringEncoder<string>())
    .withFileSystem(new KillableFileSystem(fs))
    .withBucketAssigner(byRemainder)
    .withRollingPolicy(new RollAtEndPolicy({ maxPartSizeBytes: Number(setting('SLUICE_PART_BYTES', '1500')) }));
  const compactBytes = Number(setting('SLUICE_COMPACT_BYTES', '0'));
  const built = (compactBytes > 0 ? builder.withCompaction({ targetSizeBytes: compactBytes }) : builder).build();
  const fromKafka = setting('SLUICE_SOURCE', 'numbers') === 'kafka';
  const source: Source<number | string> = fromKafka ? kafkaNumbers() : new NumberSource();
  env
    .addSource(source, { name: 'numbers' })
    .uid('numbers')
    .map(fromKafka ? pacedText() : (n: number | string) => String(n))
    .uid('to-text')
    .addSink(setting('SLUICE_SINK', 'file-sink') === 'direct' ? new DirectAppendSink() : new JobFileSink(built.config))
    .uid('file-sink');
  await env.execute('file-sink-sigkill');
}

main().then(
  () => {
    process.stdout.write('JOB_FINISHED\n');
    process.exit(0);
  },
  (error: unknown) => {
    const cause = error instanceof Error && error.cause !== undefined ? `\nCAUSE ${String(error.cause)}` : '';
    process.stderr.write(`JOB_FAILED ${error instanceof Error ? (error.stack ?? error.message) : String(error)}${cause}\n`);
    process.exit(1);
  },
);
