import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreErrorCode } from '../errors.js';
import type { DataInput, DataOutput } from '../types/data-view.js';
import type { TypeInformation } from '../types/type-information.js';
import type { SerializerSnapshot, TypeSerializer } from '../types/type-serializer.js';
import {
  findLatestCheckpoint,
  loadCheckpoint,
  readOperatorState,
  retainCheckpoints,
  writeCheckpoint,
} from './checkpoint-store.js';
import { InMemoryCheckpointStorage } from './in-memory-checkpoint-storage.js';
import { LocalCheckpointStorage } from './local-checkpoint-storage.js';
import { OperatorStateBackend, assignOperatorState } from './operator-state-backend.js';

const numberSerializer: TypeSerializer<number> = {
  typeId: 'test.float64',
  version: 1,
  serialize: (value: number, out: DataOutput) => out.writeFloat64(value),
  deserialize: (input: DataInput) => input.readFloat64(),
  snapshot: (): SerializerSnapshot => ({ typeId: 'test.float64', version: 1 }),
  readerFor: () => (input: DataInput) => input.readFloat64(),
};
const numbers: TypeInformation<number> = { name: 'number', createSerializer: () => numberSerializer };

function stateBytes(split: number[], union: number[]): Uint8Array {
  const backend = new OperatorStateBackend();
  backend.getListState({ name: 'split', type: numbers }).addAll(split);
  backend.getUnionListState({ name: 'union', type: numbers }).addAll(union);
  return backend.snapshot();
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(storage: LocalCheckpointStorage | InMemoryCheckpointStorage, id: number) {
  return writeCheckpoint(storage, {
    jobName: 'job',
    jobId: 'j1',
    checkpointId: id,
    timestamp: 1000 + id,
    operators: [
      {
        uid: 'src',
        name: 'Source',
        parallelism: 2,
        maxParallelism: 128,
        subtaskStates: new Map([
          [0, stateBytes([1, 2, 3], [10])],
          [1, stateBytes([4, 5, 6, 7], [11])],
        ]),
      },
    ],
  });
}

describe('checkpoint store on LocalCheckpointStorage', () => {
  it('writes state files before _metadata and reads them back redistributed 2 -> 3', async () => {
    const storage = new InMemoryCheckpointStorage();
    const { path } = await write(storage, 1);
    expect(storage.events.map((e) => e.kind)).toEqual(['writeFile', 'writeFile', 'commitMetadata']);
    const { metadata } = await loadCheckpoint(storage, path);
    const [operator] = metadata.operators;
    const states = await readOperatorState(storage, { path, operator: operator! });
    const assigned = assignOperatorState(states, 3);
    const read = assigned.map((restored) => {
      const backend = new OperatorStateBackend(restored);
      return {
        split: backend.getListState({ name: 'split', type: numbers }).get(),
        union: backend.getUnionListState({ name: 'union', type: numbers }).get(),
      };
    });
    expect(read.map((r) => r.split)).toEqual([[1, 2, 3], [4, 5], [6, 7]]);
    expect(read.map((r) => r.union)).toEqual([[10, 11], [10, 11], [10, 11]]);
  });

  it('lays out <dir>/<job>/chk-<n>/ with <uid>-<subtask>.state and _metadata', async () => {
    const storage = new LocalCheckpointStorage({ directory: dir });
    await write(storage, 3);
    expect((await readdir(join(dir, 'job', 'chk-3'))).sort()).toEqual(['_metadata', 'src-0.state', 'src-1.state']);
  });

  it('ignores a half-written checkpoint directory when finding the latest', async () => {
    const storage = new LocalCheckpointStorage({ directory: dir });
    await write(storage, 1);
    await mkdir(join(dir, 'job', 'chk-2'), { recursive: true });
    await writeFile(join(dir, 'job', 'chk-2', 'src-0.state'), 'partial');
    const latest = await findLatestCheckpoint(storage, { jobName: 'job' });
    expect(latest?.metadata.checkpointId).toBe(1);
  });

  it('skips a checkpoint whose _metadata is unreadable, warning', async () => {
    const storage = new LocalCheckpointStorage({ directory: dir });
    await write(storage, 1);
    await mkdir(join(dir, 'job', 'chk-2'), { recursive: true });
    await writeFile(join(dir, 'job', 'chk-2', '_metadata'), '{"trunc');
    const warnings: Error[] = [];
    const latest = await findLatestCheckpoint(storage, { jobName: 'job', onWarning: (e) => warnings.push(e) });
    expect(latest?.metadata.checkpointId).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it('keeps the newest N complete checkpoints', async () => {
    const storage = new LocalCheckpointStorage({ directory: dir });
    for (const id of [1, 2, 3, 4]) await write(storage, id);
    await retainCheckpoints(storage, { jobName: 'job', retain: 2 });
    expect((await storage.listCheckpoints('job')).map((c) => c.checkpointId)).toEqual([3, 4]);
  });

  it('throws STATE_UNKNOWN_VERSION for metadata of an unknown version', async () => {
    const storage = new LocalCheckpointStorage({ directory: dir });
    await mkdir(join(dir, 'job', 'chk-9'), { recursive: true });
    await writeFile(
      join(dir, 'job', 'chk-9', '_metadata'),
      JSON.stringify({ format: 'sluice-checkpoint', version: 99, checkpointId: 9 }),
    );
    await expect(findLatestCheckpoint(storage, { jobName: 'job' })).rejects.toMatchObject({
      code: CoreErrorCode.STATE_UNKNOWN_VERSION,
    });
  });

  it('throws CHECKPOINT_NOT_FOUND for a path that is no checkpoint', async () => {
    const storage = new LocalCheckpointStorage({ directory: dir });
    await expect(loadCheckpoint(storage, join(dir, 'nothing'))).rejects.toMatchObject({
      code: CoreErrorCode.CHECKPOINT_NOT_FOUND,
    });
  });

  it('detects a state file that does not match its checksum', async () => {
    const storage = new LocalCheckpointStorage({ directory: dir });
    const { path, metadata } = await write(storage, 1);
    await writeFile(join(path, 'src-0.state'), new Uint8Array(60));
    await expect(readOperatorState(storage, { path, operator: metadata.operators[0]! })).rejects.toMatchObject({
      code: CoreErrorCode.STATE_CORRUPT,
    });
  });
});
