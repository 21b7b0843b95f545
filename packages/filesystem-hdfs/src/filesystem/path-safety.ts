/**
 * Path safety for data-derived paths (issue 8, item 6). A bucket id comes from records, so it must
 * never make a sink write outside its base path.
 */
import { UnsafePathError } from '../errors.js';
import { normalizePath } from './paths.js';

/** What {@link resolveBucketPath} does with an unsafe bucket id. */
export type UnsafeBucketIdPolicy = 'reject' | 'sanitize';

/** Options of {@link resolveBucketPath}. */
export interface ResolveBucketPathOptions {
  /**
   * `reject` throws {@link UnsafePathError}; `sanitize` percent-encodes forbidden characters,
   * encodes `.`/`..` segments (`%2E`, `%2E%2E`), drops empty segments and a leading `/`, so the
   * result always stays under the base path.
   * @defaultValue `'reject'`
   */
  readonly onUnsafe?: UnsafeBucketIdPolicy;
  /**
   * Longest allowed segment in UTF-8 bytes (HDFS's `dfs.namenode.fs-limits.max-component-length`).
   * @defaultValue `255`
   */
  readonly maxSegmentBytes?: number;
}

// C0 controls, DEL, C1 controls, line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (!(n >= 0xdc00 && n <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** Returns why `bucketId` is unsafe, or `undefined` if it is a safe relative path. */
function unsafeReason(bucketId: string, maxSegmentBytes: number): string | undefined {
  if (typeof bucketId !== 'string') return 'it is not a string';
  if (bucketId === '') return undefined;
  if (bucketId.includes('\0')) return 'it contains a NUL character';
  if (CONTROL.test(bucketId)) return 'it contains a control character';
  if (hasLoneSurrogate(bucketId)) return 'it is not well-formed Unicode (lone surrogate)';
  if (bucketId.includes('\\')) return 'it contains a backslash';
  if (bucketId.startsWith('/')) return 'it is an absolute path';
  if (/^[A-Za-z]:/.test(bucketId)) return 'it starts with a drive letter';
  if (bucketId.includes(':')) return 'it contains ":" (not allowed in HDFS path names)';
  const segments = bucketId.split('/');
  for (const segment of segments) {
    if (segment === '') return 'it has an empty segment ("//" or a trailing "/")';
    if (segment === '..') return 'it has a ".." segment';
    if (segment === '.') return 'it has a "." segment';
    if (Buffer.byteLength(segment, 'utf8') > maxSegmentBytes) {
      return `a segment is longer than ${maxSegmentBytes} UTF-8 bytes`;
    }
  }
  return undefined;
}

function sanitizeSegment(segment: string, maxSegmentBytes: number): string {
  if (segment === '.') return '%2E';
  if (segment === '..') return '%2E%2E';
  let out = '';
  for (const ch of segment) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '%' || ch === '\\' || ch === ':' || ch === '\0' || CONTROL.test(ch)) {
      out += Array.from(Buffer.from(ch, 'utf8'), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '%EF%BF%BD';
    } else {
      out += ch;
    }
  }
  // Cut over-long segments on a character boundary.
  while (Buffer.byteLength(out, 'utf8') > maxSegmentBytes) out = Array.from(out).slice(0, -1).join('');
  return out;
}

/**
 * Resolves a data-derived relative path (a bucket id) under `basePath`. The result is always
 * `basePath` itself (for `''`) or a path strictly below it.
 *
 * Rejected (code `HDFS_PATH_UNSAFE`, naming the bucket id and the base path): `..` and `.`
 * segments, absolute paths and drive letters, empty segments, NUL and other control characters,
 * lone surrogates, backslashes, `:` (HDFS refuses it in names), segments over `maxSegmentBytes`.
 *
 * @param basePath - absolute base path (checked with the same rules as every file-system path)
 * @param bucketId - the relative path derived from data
 * @param options - what to do with unsafe ids
 * @throws {@link UnsafePathError} when the id is unsafe and `onUnsafe` is `reject`
 */
export function resolveBucketPath(basePath: string, bucketId: string, options: ResolveBucketPathOptions = {}): string {
  const base = normalizePath(basePath, 'resolveBucketPath');
  const maxSegmentBytes = options.maxSegmentBytes ?? 255;
  const reason = unsafeReason(bucketId, maxSegmentBytes);
  if (reason === undefined) {
    return bucketId === '' ? base : (base === '/' ? '' : base) + '/' + bucketId;
  }
  if ((options.onUnsafe ?? 'reject') === 'reject' || typeof bucketId !== 'string') {
    throw new UnsafePathError({ bucketId: String(bucketId), basePath: base, reason });
  }
  const segments = bucketId
    .split(/[/\\]/)
    .filter((s) => s !== '')
    .map((s) => sanitizeSegment(s, maxSegmentBytes))
    .filter((s) => s !== '');
  if (segments.length === 0) return base;
  return (base === '/' ? '' : base) + '/' + segments.join('/');
}
