/**
 * Path helpers shared by every {@link FileSystem}: paths are absolute, `/`-separated strings
 * (`/data/out/2024-01-01--10/part-0-0`), the same for local disk and HDFS.
 */
import { FileSystemError, HdfsErrorCode } from '../errors.js';

/**
 * Checks and normalizes an absolute path: collapses repeated `/`, drops a trailing `/` (except for
 * the root). Rejects relative paths, `.`/`..` segments and NUL characters with `HDFS_PATH_UNSAFE`.
 *
 * @param path - the path to check
 * @param operation - the operation it is for, named in the error
 */
export function normalizePath(path: string, operation: string): string {
  const fail = (reason: string): never => {
    throw new FileSystemError(
      `${operation}: path ${JSON.stringify(path)} is not usable: ${reason}. Pass an absolute path such as "/data/out".`,
      { code: HdfsErrorCode.HDFS_PATH_UNSAFE, operation, path },
    );
  };
  if (typeof path !== 'string' || !path.startsWith('/')) fail('it must start with "/"');
  if (path.includes('\0')) fail('it contains a NUL character');
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) fail('it contains a "." or ".." segment');
  return '/' + segments.join('/');
}

/** Joins an absolute base path and relative segments (which must already be safe). */
export function joinPath(base: string, ...relative: string[]): string {
  const parts = [base, ...relative].join('/').split('/').filter((s) => s !== '');
  return '/' + parts.join('/');
}

/** The parent of an absolute normalized path (`/` for `/a` and for `/`). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last segment of an absolute normalized path (`''` for `/`). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
