import { CoreErrorCode, StateError } from '@sluice/core';
import type { DataInput, DataOutput, SerializerSnapshot, TypeInformation, TypeSerializer } from '@sluice/core';

/** Options of {@link textTypeInfo}. */
export interface TextTypeInfoOptions<T> {
  /** Human-readable type name. */
  name: string;
  /** Stable serializer id, e.g. `sluice.serialization-json.value`. */
  typeId: string;
  /** Parameters stored in the snapshot (e.g. the row type). */
  params?: Readonly<Record<string, unknown>>;
  /** Value → JSON bytes (lossless for this type). */
  encode: (value: T) => Uint8Array;
  /** JSON bytes → value. */
  decode: (bytes: Uint8Array) => T;
}

/**
 * A `TypeInformation` whose serializer stores a value as its JSON bytes (length-prefixed), using the
 * schema's own lossless codec. Format version 1.
 */
export function textTypeInfo<T>(options: TextTypeInfoOptions<T>): TypeInformation<T> {
  const version = 1;
  const snapshot: SerializerSnapshot = {
    typeId: options.typeId,
    version,
    ...(options.params === undefined ? {} : { params: options.params }),
  };
  const serializer: TypeSerializer<T> = {
    typeId: options.typeId,
    version,
    serialize(value: T, out: DataOutput): void {
      out.writeBytes(options.encode(value));
    },
    deserialize(input: DataInput): T {
      return options.decode(input.readBytes());
    },
    snapshot: () => snapshot,
    readerFor(other: SerializerSnapshot): (input: DataInput) => T {
      if (other.typeId !== options.typeId) {
        throw new StateError(
          `State was written by serializer ${other.typeId}, which ${options.typeId} cannot read.`,
          { code: CoreErrorCode.STATE_INCOMPATIBLE },
        );
      }
      if (other.version > version) {
        throw new StateError(
          `State was written by ${other.typeId} version ${other.version}; this release reads up to version ${version}.`,
          { code: CoreErrorCode.STATE_UNKNOWN_VERSION },
        );
      }
      return (input) => options.decode(input.readBytes());
    },
  };
  return { name: options.name, createSerializer: () => serializer };
}
