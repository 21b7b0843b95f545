/**
 * Bucket assigners of the FileSink (Flink's `BucketAssigner`): which bucket (sub-directory of the
 * base path) an element goes to. The id is resolved under the base path with
 * {@link resolveBucketPath}, so an id derived from data can never escape it.
 */
import { ConfigError } from '@sluice/core';
import { resolveBucketPath } from '../filesystem/path-safety.js';
import { DateTimePattern } from '../internal/date-time-pattern.js';

/**
 * What a bucket assigner may use besides the element. The sink passes one object, updated for each
 * element (as Flink does): read it during `getBucketId`, do not keep it.
 */
export interface BucketAssignerContext {
  /** Current processing time, ms since the epoch. */
  currentProcessingTime(): number;
  /** Current watermark, ms since the epoch (`-Infinity` before the first one). */
  currentWatermark(): number;
  /** The element's event timestamp, if it has one. */
  timestamp(): number | undefined;
}

/** Chooses the bucket of each element: a relative path under the sink's base path (`''` = the base path). */
export interface BucketAssigner<TIn = unknown> {
  /** The bucket id of `element`. */
  getBucketId(element: TIn, context: BucketAssignerContext): string;
}

/** Options of {@link DateTimeBucketAssigner}. */
export interface DateTimeBucketAssignerOptions {
  /**
   * Pattern of the bucket id, Java `DateTimeFormatter` style (letters `y M d H m s S`, quoted text,
   * `/` for nested directories).
   * @defaultValue `'yyyy-MM-dd--HH'`
   */
  readonly format?: string;
  /**
   * IANA time zone the time is formatted in, e.g. `'UTC'`, `'Europe/Berlin'`.
   * @defaultValue the system time zone (as Flink does); set `'UTC'` for host-independent buckets
   */
  readonly timeZone?: string;
}

/**
 * Flink's `DateTimeBucketAssigner`: the bucket id is the processing time formatted with
 * `format` (default `yyyy-MM-dd--HH`, one bucket per hour) in `timeZone`.
 */
export class DateTimeBucketAssigner implements BucketAssigner {
  /** The pattern. */
  readonly format: string;
  /** The time zone. */
  readonly timeZone: string;
  private readonly pattern: DateTimePattern;

  /** Validates the pattern and the zone (`CONFIG_INVALID` naming the option). */
  constructor(options: DateTimeBucketAssignerOptions = {}) {
    this.format = options.format ?? 'yyyy-MM-dd--HH';
    this.timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    try {
      this.pattern = new DateTimePattern(this.format, this.timeZone);
    } catch (cause) {
      const option = cause instanceof RangeError ? 'timeZone' : 'format';
      const value = option === 'timeZone' ? this.timeZone : this.format;
      throw new ConfigError(
        `${option} ${JSON.stringify(value)} is not usable: ${(cause as Error).message}. ` +
          (option === 'timeZone' ? 'Use an IANA zone such as "UTC" or "Europe/Berlin".' : 'Use a pattern such as "yyyy-MM-dd--HH".'),
        { option, cause },
      );
    }
    const sample = this.pattern.formatEpochMillis(Date.UTC(2024, 11, 31, 23, 59, 59, 999));
    try {
      resolveBucketPath('/', sample);
    } catch (cause) {
      throw new ConfigError(
        `format ${JSON.stringify(this.format)} yields bucket ids such as ${JSON.stringify(sample)}, which are not safe paths: ` +
          `${(cause as Error).message}`,
        { option: 'format', cause },
      );
    }
  }

  getBucketId(_element: unknown, context: BucketAssignerContext): string {
    return this.pattern.formatEpochMillis(context.currentProcessingTime());
  }
}

/** Flink's `BasePathBucketAssigner`: every element goes to the base path itself (bucket id `''`). */
export class BasePathBucketAssigner implements BucketAssigner {
  getBucketId(): string {
    return '';
  }
}
