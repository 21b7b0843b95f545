/**
 * Bucketers of the BucketingSink (Flink 1.6's `Bucketer`): the directory each element is written
 * to, as an absolute path under the base path.
 */
import { FileSystemError, HdfsErrorCode } from '../../errors.js';
import { normalizePath } from '../../filesystem/paths.js';
import { resolveBucketPath } from '../../filesystem/path-safety.js';
import { DateTimeBucketAssigner } from '../bucket-assigner.js';
import type { DateTimeBucketAssignerOptions } from '../bucket-assigner.js';

/** Processing time, as Flink's `Clock`. */
export interface BucketerClock {
  /** Current processing time, ms since the epoch. */
  currentTimeMillis(): number;
}

/** Chooses the bucket directory of each element (Flink 1.6's `Bucketer`). */
export interface Bucketer<TIn = unknown> {
  /**
   * The bucket directory of `element`: `basePath` itself or a path under it. The sink rejects
   * anything else with `HDFS_PATH_UNSAFE`.
   */
  getBucketPath(clock: BucketerClock, basePath: string, element: TIn): string;
}

/** Flink 1.6's `BasePathBucketer`: everything goes into the base path. */
export class BasePathBucketer implements Bucketer {
  getBucketPath(_clock: BucketerClock, basePath: string): string {
    return basePath;
  }
}

/** Options of {@link DateTimeBucketer}: the pattern (`yyyy-MM-dd--HH`) and the time zone (system zone). */
export type DateTimeBucketerOptions = DateTimeBucketAssignerOptions;

/**
 * Flink 1.6's `DateTimeBucketer`: `basePath/<processing time formatted>`, default pattern
 * `yyyy-MM-dd--HH` in the system time zone (zone settable, as in 1.6.2).
 */
export class DateTimeBucketer implements Bucketer {
  private readonly assigner: DateTimeBucketAssigner;

  /** Validates the pattern and the zone (`CONFIG_INVALID` naming the option). */
  constructor(options: DateTimeBucketerOptions = {}) {
    this.assigner = new DateTimeBucketAssigner(options);
  }

  /** The pattern. */
  get format(): string {
    return this.assigner.format;
  }

  /** The time zone. */
  get timeZone(): string {
    return this.assigner.timeZone;
  }

  getBucketPath(clock: BucketerClock, basePath: string): string {
    const now = clock.currentTimeMillis();
    const id = this.assigner.getBucketId(undefined, {
      currentProcessingTime: () => now,
      currentWatermark: () => Number.NEGATIVE_INFINITY,
      timestamp: () => undefined,
    });
    return resolveBucketPath(basePath, id);
  }
}

/** Checks that a bucketer's answer is `basePath` or under it; returns it normalized. */
export function checkBucketPath(basePath: string, bucketPath: string): string {
  let path: string;
  try {
    path = normalizePath(bucketPath, 'BucketingSink bucketer');
  } catch (cause) {
    throw new FileSystemError(`The bucketer returned ${JSON.stringify(bucketPath)}, which is not a safe absolute path.`, {
      code: HdfsErrorCode.HDFS_PATH_UNSAFE,
      operation: 'getBucketPath',
      path: basePath,
      cause,
    });
  }
  if (path !== basePath && !path.startsWith(basePath === '/' ? '/' : `${basePath}/`)) {
    throw new FileSystemError(
      `The bucketer returned ${JSON.stringify(bucketPath)}, outside the base path ${basePath}. Return the base path or a path under it (use resolveBucketPath for data-derived parts).`,
      { code: HdfsErrorCode.HDFS_PATH_UNSAFE, operation: 'getBucketPath', path: basePath },
    );
  }
  return path;
}
