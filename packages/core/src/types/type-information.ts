/**
 * A type descriptor: names a record or state type and creates its versioned serializer
 * (Flink's `TypeInformation`).
 */
import type { TypeSerializer } from './type-serializer.js';

/** Describes values of type `T` and creates their binary serializer. */
export interface TypeInformation<T> {
  /** Human-readable type, e.g. `string` or `row<id: number, name: string?>`. */
  readonly name: string;
  /** A serializer for this type (serializers are stateless and may be shared). */
  createSerializer(): TypeSerializer<T>;
}
