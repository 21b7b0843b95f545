/**
 * The FileSink's checkpointed state of one bucket, and its versioned binary codec (one byte array
 * per active bucket in the even-split `bucket-states` list).
 *
 * Version 1 layout (DataOutput primitives, varuint = unsigned LEB128):
 * `varuint version=1`, `string bucketId`, `string bucketPath`, `varuint creationTime`,
 * `bool hasInProgress` [+ `string inProgressPath`, `string finalPath`, `varuint validLength`,
 * `varuint partCreationTime`], `varuint n`, n × (`varuint checkpointId`, `varuint m`,
 * m × (`string pendingPath`, `string finalPath`, `varuint length`)).
 */
import { DataOutput } from '@sluice/core';
import type { DataInput } from '@sluice/core';
import { decodeVersioned } from '../../internal/versioned-codec.js';

/** A closed part waiting for its checkpoint to complete: renamed from `pendingPath` to `finalPath`. */
export interface PendingPart {
  /** The hidden file holding the data. */
  readonly pendingPath: string;
  /** The visible name it gets on commit. */
  readonly finalPath: string;
  /** Its length when it was closed; a commit checks it. */
  readonly length: number;
}

/** The in-progress part of a bucket as of a checkpoint: resumed from `validLength` on restore. */
export interface InProgressPart {
  /** The hidden file being written. */
  readonly inProgressPath: string;
  /** The visible name it gets when it is committed. */
  readonly finalPath: string;
  /** Durable length at the checkpoint; bytes after it are cut on restore. */
  readonly validLength: number;
  /** When the part was opened (processing time, ms). */
  readonly creationTime: number;
}

/** The state of one bucket in a checkpoint. */
export interface BucketState {
  /** The bucket id from the assigner. */
  readonly bucketId: string;
  /** The bucket's directory. */
  readonly bucketPath: string;
  /** When the bucket was created (processing time, ms). */
  readonly creationTime: number;
  /** The in-progress part, if one was open. */
  readonly inProgress: InProgressPart | undefined;
  /** Pending parts by the checkpoint they were filed under, ascending. */
  readonly pending: readonly (readonly [checkpointId: number, parts: readonly PendingPart[]])[];
}

/** The newest version of the bucket-state codec. */
export const BUCKET_STATE_VERSION = 1;

/** Encodes a bucket's state (current version). */
export function encodeBucketState(state: BucketState): Uint8Array {
  const out = new DataOutput();
  out.writeVarUint(BUCKET_STATE_VERSION);
  out.writeString(state.bucketId);
  out.writeString(state.bucketPath);
  out.writeVarUint(state.creationTime);
  out.writeBoolean(state.inProgress !== undefined);
  if (state.inProgress !== undefined) {
    out.writeString(state.inProgress.inProgressPath);
    out.writeString(state.inProgress.finalPath);
    out.writeVarUint(state.inProgress.validLength);
    out.writeVarUint(state.inProgress.creationTime);
  }
  out.writeVarUint(state.pending.length);
  for (const [checkpointId, parts] of state.pending) {
    out.writeVarUint(checkpointId);
    out.writeVarUint(parts.length);
    for (const part of parts) {
      out.writeString(part.pendingPath);
      out.writeString(part.finalPath);
      out.writeVarUint(part.length);
    }
  }
  return out.toBytes();
}

function decodeV1(input: DataInput): BucketState {
  const bucketId = input.readString();
  const bucketPath = input.readString();
  const creationTime = input.readVarUint();
  const inProgress = input.readBoolean()
    ? {
        inProgressPath: input.readString(),
        finalPath: input.readString(),
        validLength: input.readVarUint(),
        creationTime: input.readVarUint(),
      }
    : undefined;
  const pending: (readonly [number, PendingPart[]])[] = [];
  const checkpoints = input.readVarUint();
  for (let i = 0; i < checkpoints; i += 1) {
    const checkpointId = input.readVarUint();
    const count = input.readVarUint();
    const parts: PendingPart[] = [];
    for (let j = 0; j < count; j += 1) {
      parts.push({ pendingPath: input.readString(), finalPath: input.readString(), length: input.readVarUint() });
    }
    pending.push([checkpointId, parts]);
  }
  return { bucketId, bucketPath, creationTime, inProgress, pending };
}

/**
 * Decodes state written by any known version: an unknown version throws `STATE_UNKNOWN_VERSION`,
 * truncated or trailing bytes throw `STATE_CORRUPT`.
 */
export function decodeBucketState(bytes: Uint8Array): BucketState {
  return decodeVersioned(bytes, 'FileSink bucket state', { 1: decodeV1 });
}
