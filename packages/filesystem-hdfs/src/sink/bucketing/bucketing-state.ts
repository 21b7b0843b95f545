/**
 * The BucketingSink's checkpointed state (one element per subtask in the even-split
 * `bucket-states` list) and its versioned codec.
 *
 * Version 1 layout: `varuint version=1`, `varuint n`, n × (`string bucketPath`, `bool hasCurrent`
 * [+ `string currentFile`, `varuint validLength`], `varuint k`, k × `string pendingFile`,
 * `varuint c`, c × (`varuint checkpointId`, `varuint m`, m × `string pendingFile`)). File names
 * are the final part paths; in-progress, pending and valid-length names derive from them.
 */
import { DataOutput } from '@sluice/core';
import type { DataInput } from '@sluice/core';
import { decodeVersioned } from '../../internal/versioned-codec.js';

/** One bucket of a {@link BucketingSinkState}. */
export interface BucketingBucketState {
  /** The bucket directory. */
  readonly bucketPath: string;
  /** Final path of the part that was open at the checkpoint, if any. */
  readonly currentFile: string | undefined;
  /** Its valid (flushed) length at the checkpoint. */
  readonly currentFileValidLength: number;
  /** Parts closed since the previous checkpoint (empty after a snapshot; kept for parity). */
  readonly pendingFiles: readonly string[];
  /** Closed parts by the checkpoint they wait for. */
  readonly pendingFilesPerCheckpoint: readonly (readonly [checkpointId: number, files: readonly string[]])[];
}

/** A subtask's state: its buckets. */
export interface BucketingSinkState {
  readonly buckets: readonly BucketingBucketState[];
}

/** The newest version of the BucketingSink state codec. */
export const BUCKETING_STATE_VERSION = 1;

const writeStrings = (out: DataOutput, values: readonly string[]): void => {
  out.writeVarUint(values.length);
  for (const value of values) out.writeString(value);
};

const readStrings = (input: DataInput): string[] =>
  Array.from({ length: input.readVarUint() }, () => input.readString());

/** Encodes a subtask's state (current version). */
export function encodeBucketingState(state: BucketingSinkState): Uint8Array {
  const out = new DataOutput();
  out.writeVarUint(BUCKETING_STATE_VERSION);
  out.writeVarUint(state.buckets.length);
  for (const bucket of state.buckets) {
    out.writeString(bucket.bucketPath);
    out.writeBoolean(bucket.currentFile !== undefined);
    if (bucket.currentFile !== undefined) {
      out.writeString(bucket.currentFile);
      out.writeVarUint(bucket.currentFileValidLength);
    }
    writeStrings(out, bucket.pendingFiles);
    out.writeVarUint(bucket.pendingFilesPerCheckpoint.length);
    for (const [checkpointId, files] of bucket.pendingFilesPerCheckpoint) {
      out.writeVarUint(checkpointId);
      writeStrings(out, files);
    }
  }
  return out.toBytes();
}

function decodeV1(input: DataInput): BucketingSinkState {
  const buckets: BucketingBucketState[] = [];
  for (let i = input.readVarUint(); i > 0; i -= 1) {
    const bucketPath = input.readString();
    const hasCurrent = input.readBoolean();
    const currentFile = hasCurrent ? input.readString() : undefined;
    const currentFileValidLength = hasCurrent ? input.readVarUint() : 0;
    const pendingFiles = readStrings(input);
    const pendingFilesPerCheckpoint: (readonly [number, string[]])[] = [];
    for (let c = input.readVarUint(); c > 0; c -= 1) {
      const checkpointId = input.readVarUint();
      pendingFilesPerCheckpoint.push([checkpointId, readStrings(input)]);
    }
    buckets.push({ bucketPath, currentFile, currentFileValidLength, pendingFiles, pendingFilesPerCheckpoint });
  }
  return { buckets };
}

/**
 * Decodes state written by any known version: an unknown version throws `STATE_UNKNOWN_VERSION`,
 * truncated or trailing bytes throw `STATE_CORRUPT`.
 */
export function decodeBucketingState(bytes: Uint8Array): BucketingSinkState {
  return decodeVersioned(bytes, 'BucketingSink state', { 1: decodeV1 });
}
