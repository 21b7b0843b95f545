import type { Type } from 'avsc';
import { AvroErrorCode, AvroSerdeError } from '../errors.js';
import type { AvroSerdeErrorOptions } from '../errors.js';
import { schemaText } from '../schema/avro-schema.js';
import { asBuffer, describeValue } from './excerpt.js';

type Resolver = ReturnType<Type['createResolver']>;

/** What an {@link AvroBodyDecoder} needs besides the bytes. */
export interface DecodeBodyOptions {
  readonly type: Type;
  readonly resolver?: Resolver | undefined;
  /** Where the body starts (5 for the Confluent wire format). */
  readonly offset?: number;
  /** Extra error context (schema id, registry). */
  readonly context?: Omit<AvroSerdeErrorOptions, 'code'>;
  /** Words for messages, e.g. `the Avro body (writer schema id 7)`. */
  readonly what?: string;
}

/**
 * Decodes Avro binary values of one schema (and one writer schema), each of which must use exactly
 * the bytes given: a truncated body, a corrupt one or trailing bytes fail with `SERDE_AVRO_CORRUPT`
 * saying what was expected and found. Built once per schema; `decode` allocates nothing of its own.
 */
export class AvroBodyDecoder {
  private readonly type: Type;
  private readonly resolver: Resolver | undefined;
  private readonly offset: number;

  constructor(private readonly options: DecodeBodyOptions) {
    this.type = options.type;
    this.resolver = options.resolver;
    this.offset = options.offset ?? 0;
  }

  /** Decodes one message. */
  decode(bytes: Uint8Array): unknown {
    const buf = asBuffer(bytes);
    let result: { value: unknown; offset: number };
    try {
      result = this.type.decode(buf, this.offset, this.resolver);
    } catch (error) {
      const reason = error instanceof Error ? error.message.slice(0, 160) : String(error);
      const hint = /precision loss/.test(reason) ? "; a long beyond ±(2^53-1) needs the option longs: 'bigint'" : '';
      throw this.corrupt(`the bytes are not valid for the schema (${reason})${hint}`, error);
    }
    if (result.offset !== buf.length) throw this.lengthMismatch(buf.length, result.offset);
    return result.value;
  }

  private lengthMismatch(length: number, end: number): AvroSerdeError {
    const start = this.offset;
    return end < 0
      ? this.corrupt(`expected more bytes than the ${length - start} present (truncated body)`)
      : this.corrupt(`expected ${end - start} bytes for the value, found ${length - start} (${length - end} trailing bytes)`);
  }

  private corrupt(detail: string, cause?: unknown): AvroSerdeError {
    const { type, what = 'the Avro body', context } = this.options;
    return new AvroSerdeError(`Cannot decode ${what} as ${type.name ?? type.typeName}: ${detail}.`, {
      ...context,
      code: AvroErrorCode.SERDE_AVRO_CORRUPT,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/**
 * Where values are written before the exact bytes are copied out (encoding is synchronous, so one
 * buffer serves every schema). It grows to the largest value seen up to {@link MAX_SCRATCH}.
 */
let scratch = Buffer.allocUnsafeSlow(8192);
const MAX_SCRATCH = 1 << 20;

/**
 * Encodes a value after `header` (e.g. the Confluent wire-format header) into one new buffer; a
 * value not matching the schema is `SERDE_AVRO_INVALID_VALUE` naming the path.
 */
export function encodeValue(type: Type, value: unknown, header?: Uint8Array): Buffer {
  const start = header === undefined ? 0 : header.length;
  try {
    // avsc checks every value while writing (and throws); the path is worked out only on failure.
    const end = type.encode(value, scratch, start);
    if (end >= 0) {
      const out = Buffer.allocUnsafe(end);
      if (header !== undefined) out.set(header, 0);
      scratch.copy(out, start, start, end);
      return out;
    }
    // Too small: avsc returned the missing byte count. Write into an exact buffer, grow for next time.
    const size = scratch.length - end;
    if (size <= MAX_SCRATCH) scratch = Buffer.allocUnsafeSlow(Math.max(size, scratch.length * 2));
    const out = Buffer.allocUnsafe(size);
    if (header !== undefined) out.set(header, 0);
    type.encode(value, out, start);
    return out;
  } catch (error) {
    throw invalidValue(type, value, error);
  }
}

function invalidValue(type: Type, value: unknown, cause: unknown): AvroSerdeError {
  let problem: string | undefined;
  type.isValid(value, {
    errorHook: (path: string[], found: unknown, expected: Type) => {
      if (problem !== undefined) return;
      const where = path.length === 0 ? '$' : `$.${path.join('.')}`;
      problem = `${where}: expected ${expected.typeName.replace('abstract:', '')}, found ${describeValue(found)}`;
    },
  });
  const reason = problem ?? (cause instanceof Error ? cause.message.slice(0, 200) : String(cause));
  return new AvroSerdeError(`Cannot write the record as ${type.name ?? type.typeName}: ${reason}.`, {
    code: AvroErrorCode.SERDE_AVRO_INVALID_VALUE,
    cause,
  });
}

/**
 * A resolver from `writer` to `reader`, or `SERDE_SCHEMA_RESOLUTION` naming both schemas and the
 * reason. Undefined when the two are the same schema (same canonical form and attributes, e.g. a
 * writer schema fetched from a registry that is the reader schema): the reader then reads the bytes
 * directly, which is what resolution would do, only faster. Both must be parsed with the same options.
 */
export function createResolver(reader: Type, writer: Type, context: Omit<AvroSerdeErrorOptions, 'code'> = {}): Resolver | undefined {
  if (reader === writer || schemaText(reader) === schemaText(writer)) return undefined;
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
