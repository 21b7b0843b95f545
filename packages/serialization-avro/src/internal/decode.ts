import type { Type } from 'avsc';
import { AvroErrorCode, AvroSerdeError } from '../errors.js';
import type { AvroSerdeErrorOptions } from '../errors.js';
import { asBuffer, describeValue } from './excerpt.js';

type Resolver = ReturnType<Type['createResolver']>;

/** What {@link decodeBody} needs besides the bytes. */
export interface DecodeBodyOptions {
  readonly type: Type;
  readonly resolver?: Resolver;
  /** Where the body starts (5 for the Confluent wire format). */
  readonly offset?: number;
  /** Extra error context (schema id, registry). */
  readonly context?: Omit<AvroSerdeErrorOptions, 'code'>;
  /** Words for messages, e.g. `the Avro body (writer schema id 7)`. */
  readonly what?: string;
}

/**
 * Decodes one Avro binary value that must use exactly the bytes given: a truncated body, a corrupt
 * one or trailing bytes fail with `SERDE_AVRO_CORRUPT` saying what was expected and found.
 */
export function decodeBody(bytes: Uint8Array, options: DecodeBodyOptions): unknown {
  const buf = asBuffer(bytes);
  const start = options.offset ?? 0;
  const what = options.what ?? 'the Avro body';
  const schemaName = options.type.name ?? options.type.typeName;
  const fail = (detail: string, cause?: unknown): AvroSerdeError =>
    new AvroSerdeError(`Cannot decode ${what} as ${schemaName}: ${detail}.`, {
      ...options.context,
      code: AvroErrorCode.SERDE_AVRO_CORRUPT,
      ...(cause === undefined ? {} : { cause }),
    });
  let result: { value: unknown; offset: number };
  try {
    result = options.type.decode(buf, start, options.resolver);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 160) : String(error);
    const hint = /precision loss/.test(reason) ? "; a long beyond ±(2^53-1) needs the option longs: 'bigint'" : '';
    throw fail(`the bytes are not valid for the schema (${reason})${hint}`, error);
  }
  if (result.offset < 0) {
    throw fail(`expected more bytes than the ${buf.length - start} present (truncated body)`);
  }
  if (result.offset !== buf.length) {
    throw fail(`expected ${result.offset - start} bytes for the value, found ${buf.length - start} (${buf.length - result.offset} trailing bytes)`);
  }
  return result.value;
}

/** Encodes a value after checking it; a mismatch is `SERDE_AVRO_INVALID_VALUE` naming the path. */
export function encodeValue(type: Type, value: unknown): Buffer {
  // avsc checks every value while writing (and throws); the path is worked out only on failure.
  let cause: unknown;
  try {
    return type.toBuffer(value);
  } catch (error) {
    cause = error;
  }
  let problem: string | undefined;
  type.isValid(value, {
    errorHook: (path: string[], found: unknown, expected: Type) => {
      if (problem !== undefined) return;
      const where = path.length === 0 ? '$' : `$.${path.join('.')}`;
      problem = `${where}: expected ${expected.typeName.replace('abstract:', '')}, found ${describeValue(found)}`;
    },
  });
  const reason = problem ?? (cause instanceof Error ? cause.message.slice(0, 200) : String(cause));
  throw new AvroSerdeError(`Cannot write the record as ${type.name ?? type.typeName}: ${reason}.`, {
    code: AvroErrorCode.SERDE_AVRO_INVALID_VALUE,
    cause,
  });
}

/** A resolver from `writer` to `reader`, or `SERDE_SCHEMA_RESOLUTION` naming both schemas and the reason. */
export function createResolver(reader: Type, writer: Type, context: Omit<AvroSerdeErrorOptions, 'code'> = {}): Resolver {
  try {
    return reader.createResolver(writer);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 300) : String(error);
    throw new AvroSerdeError(
      `The writer schema ${writer.name ?? writer.typeName}${context.schemaId === undefined ? '' : ` (id ${context.schemaId})`} cannot be ` +
        `resolved to the reader schema ${reader.name ?? reader.typeName}: ${reason}. Make the reader schema compatible ` +
        '(add defaults to new fields, widen types) or read with the writer schema.',
      { ...context, code: AvroErrorCode.SERDE_SCHEMA_RESOLUTION, cause: error },
    );
  }
}
