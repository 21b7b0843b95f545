/**
 * Avro logical types mapped to JavaScript values (avsc `LogicalType` hooks). The mapping:
 *
 * | logical type | Avro type | JavaScript |
 * |---|---|---|
 * | `decimal` | bytes or fixed | `string`: the exact decimal text with `scale` fraction digits, e.g. `"12.30"` |
 * | `date` | int | `Date` at 00:00 UTC |
 * | `time-millis` | int | `number`: milliseconds since midnight |
 * | `time-micros` | long | `number`: microseconds since midnight |
 * | `timestamp-millis`, `local-timestamp-millis` | long | `Date` |
 * | `timestamp-micros`, `local-timestamp-micros` | long | `bigint`: microseconds since the epoch |
 * | `uuid` | string | `string` (checked to be a UUID when written) |
 *
 * A logical type annotation on the wrong underlying type is ignored (the value reads as the
 * underlying type), as the Avro specification and Java Avro do.
 */
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { BIGINT_LONG } from './bigint-long.js';

const MS_PER_DAY = 86_400_000;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

const LogicalTypeBase = avro.types.LogicalType;
type Resolve = ((value: unknown) => unknown) | undefined;

/** True when the type's longs are bigints (`longs: 'bigint'`). */
function bigintLongs(type: Type): boolean {
  return type === BIGINT_LONG;
}

function typeNameOf(type: Type): string {
  return type.typeName;
}

/** A resolver for `writer` when it is the same logical type (values already converted) or the underlying one. */
function sameOrUnderlying(
  self: { underlyingType: Type; _logicalTypeName?: string },
  writer: Type,
  fromValue: (v: unknown) => unknown,
): Resolve {
  const name = typeNameOf(writer);
  if (name === `logical:${self._logicalTypeName ?? ''}`) return (v) => v;
  const underlying = typeNameOf(self.underlyingType).replace('abstract:', '');
  if (name.replace('abstract:', '') === underlying) return fromValue;
  if (underlying === 'long' && name === 'int') return fromValue;
  return undefined;
}

class DateType extends LogicalTypeBase {
  protected override _fromValue(days: number): Date {
    return new Date(days * MS_PER_DAY);
  }
  protected override _toValue(date: unknown): number | undefined {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) return undefined;
    return Math.floor(date.getTime() / MS_PER_DAY);
  }
  protected override _resolve(type: Type): Resolve {
    return sameOrUnderlying(this as never, type, (v) => this._fromValue(v as number));
  }
}

class TimeMillisType extends LogicalTypeBase {
  protected override _fromValue(ms: number): number {
    return ms;
  }
  protected override _toValue(ms: unknown): number | undefined {
    return typeof ms === 'number' && Number.isInteger(ms) && ms >= 0 && ms < MS_PER_DAY ? ms : undefined;
  }
  protected override _resolve(type: Type): Resolve {
    return sameOrUnderlying(this as never, type, (v) => v);
  }
}

class TimeMicrosType extends LogicalTypeBase {
  protected override _fromValue(us: number | bigint): number {
    return Number(us);
  }
  protected override _toValue(us: unknown): number | bigint | undefined {
    if (typeof us !== 'number' || !Number.isInteger(us) || us < 0 || us >= MS_PER_DAY * 1000) return undefined;
    return bigintLongs(this.underlyingType) ? BigInt(us) : us;
  }
  protected override _resolve(type: Type): Resolve {
    return sameOrUnderlying(this as never, type, (v) => this._fromValue(v as number));
  }
}

class TimestampMillisType extends LogicalTypeBase {
  protected override _fromValue(ms: number | bigint): Date {
    return new Date(Number(ms));
  }
  protected override _toValue(date: unknown): number | bigint | undefined {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) return undefined;
    return bigintLongs(this.underlyingType) ? BigInt(date.getTime()) : date.getTime();
  }
  protected override _resolve(type: Type): Resolve {
    return sameOrUnderlying(this as never, type, (v) => this._fromValue(v as number));
  }
}

class TimestampMicrosType extends LogicalTypeBase {
  protected override _fromValue(us: number | bigint): bigint {
    return BigInt(us);
  }
  protected override _toValue(us: unknown): number | bigint | undefined {
    let value: bigint;
    if (typeof us === 'bigint') value = us;
    else if (us instanceof Date && !Number.isNaN(us.getTime())) value = BigInt(us.getTime()) * 1000n;
    else return undefined;
    if (bigintLongs(this.underlyingType)) return value;
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  protected override _resolve(type: Type): Resolve {
    return sameOrUnderlying(this as never, type, (v) => this._fromValue(v as number));
  }
}

class UuidType extends LogicalTypeBase {
  protected override _fromValue(text: string): string {
    return text;
  }
  protected override _toValue(text: unknown): string | undefined {
    return typeof text === 'string' && UUID.test(text) ? text : undefined;
  }
  protected override _resolve(type: Type): Resolve {
    return sameOrUnderlying(this as never, type, (v) => v);
  }
}

/** Two's complement big-endian bytes → bigint. */
function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  const first = bytes[0] as number;
  return first & 0x80 ? value - (1n << BigInt(bytes.length * 8)) : value;
}

/** bigint → minimal two's complement big-endian bytes (or exactly `size` bytes); undefined if it does not fit. */
function bigIntToBytes(value: bigint, size?: number): Buffer | undefined {
  let length = 1;
  while (value < -(1n << BigInt(length * 8 - 1)) || value >= 1n << BigInt(length * 8 - 1)) length += 1;
  const total = size ?? length;
  if (length > total) return undefined;
  const out = Buffer.alloc(total, value < 0n ? 0xff : 0);
  let v = value < 0n ? (1n << BigInt(total * 8)) + value : value;
  for (let i = total - 1; i >= 0 && v > 0n; i -= 1) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Formats an unscaled value with `scale` fraction digits. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return `${negative ? '-' : ''}${digits}${'0'.repeat(-scale)}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** Parses decimal text to an unscaled value at `scale`; undefined when it has more fraction digits. */
export function parseDecimal(text: string, scale: number): bigint | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const fraction = m[3] ?? '';
  if (fraction.length > scale) {
    if (!/^0*$/.test(fraction.slice(scale))) return undefined;
  }
  const unscaled = BigInt(`${m[2] ?? ''}${fraction.slice(0, scale).padEnd(scale, '0')}`);
  return m[1] === '-' ? -unscaled : unscaled;
}

class DecimalType extends LogicalTypeBase {
  private readonly scale: number;
  private readonly precision: number;
  private readonly size: number | undefined;

  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts);
    const attrs = schema as { precision?: unknown; scale?: unknown };
    const precision = attrs.precision;
    const scale = attrs.scale ?? 0;
    if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) {
      throw new Error(`decimal: precision must be a positive integer, got ${String(precision)}`);
    }
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`decimal: scale must be an integer from 0 to precision (${precision}), got ${String(scale)}`);
    }
    const underlying = this.underlyingType as Type & { size?: number };
    if (underlying.typeName !== 'bytes' && underlying.typeName !== 'fixed') {
      throw new Error(`decimal: the underlying type must be bytes or fixed, got ${underlying.typeName}`);
    }
    this.precision = precision;
    this.scale = scale;
    this.size = underlying.typeName === 'fixed' ? underlying.size : undefined;
  }

  protected override _fromValue(bytes: Buffer): string {
    return formatDecimal(bytesToBigInt(bytes), this.scale);
  }

  protected override _toValue(value: unknown): Buffer | undefined {
    const text = typeof value === 'bigint' && this.scale === 0 ? value.toString() : value;
    if (typeof text !== 'string') return undefined;
    const unscaled = parseDecimal(text, this.scale);
    if (unscaled === undefined) return undefined;
    if ((unscaled < 0n ? -unscaled : unscaled).toString().length > this.precision) return undefined;
    return bigIntToBytes(unscaled, this.size);
  }

  protected override _resolve(type: Type): Resolve {
    if (type.typeName === 'logical:decimal') {
      const other = type as unknown as { scale: number; precision: number };
      return other.scale === this.scale && other.precision === this.precision ? (v) => v : undefined;
    }
    return type.typeName === this.underlyingType.typeName ? (v) => this._fromValue(v as Buffer) : undefined;
  }

  protected override _export(schema: Schema): void {
    Object.assign(schema as object, { precision: this.precision, scale: this.scale });
  }
}

/** The logical types passed to avsc's `forSchema`. */
export const LOGICAL_TYPES = {
  decimal: DecimalType,
  date: DateType,
  'time-millis': TimeMillisType,
  'time-micros': TimeMicrosType,
  'timestamp-millis': TimestampMillisType,
  'timestamp-micros': TimestampMicrosType,
  'local-timestamp-millis': TimestampMillisType,
  'local-timestamp-micros': TimestampMicrosType,
  uuid: UuidType,
} as const;
