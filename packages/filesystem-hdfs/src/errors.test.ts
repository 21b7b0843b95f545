import { SluiceError, isSluiceError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { FileSystemError, HdfsErrorCode, UnsafePathError, isFileSystemError } from './errors.js';

describe('errors', () => {
  const cases = [
    {
      error: new FileSystemError('x', { code: HdfsErrorCode.HDFS_LEASE_HELD, operation: 'APPEND', path: '/a', retriable: true }),
      name: 'FileSystemError',
      code: 'HDFS_LEASE_HELD',
      retriable: true,
    },
    {
      error: new FileSystemError('x', { code: HdfsErrorCode.HDFS_FILE_NOT_FOUND, operation: 'OPEN', path: '/a' }),
      name: 'FileSystemError',
      code: 'HDFS_FILE_NOT_FOUND',
      retriable: false,
    },
    {
      error: new UnsafePathError({ bucketId: '../x', basePath: '/base', reason: 'r' }),
      name: 'UnsafePathError',
      code: 'HDFS_PATH_UNSAFE',
      retriable: false,
    },
  ] as const;

  it.each(cases)('$name $code: name, code, instanceof, retriable', ({ error, name, code, retriable }) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(SluiceError);
    expect(error).toBeInstanceOf(FileSystemError);
    expect(isSluiceError(error)).toBe(true);
    expect(isFileSystemError(error)).toBe(true);
    expect(isFileSystemError(error, code)).toBe(true);
    expect(error.retriable).toBe(retriable);
  });

  it('every code is its own name (stable literal table)', () => {
    for (const [key, value] of Object.entries(HdfsErrorCode)) {
      expect(value).toBe(key);
      expect(value.startsWith('HDFS_')).toBe(true);
    }
  });

  it('UnsafePathError names the bucket id and the base path', () => {
    const e = new UnsafePathError({ bucketId: '../etc', basePath: '/data/out', reason: 'it has a ".." segment' });
    expect(e.message).toContain('"../etc"');
    expect(e.message).toContain('"/data/out"');
    expect(e.bucketId).toBe('../etc');
    expect(e.basePath).toBe('/data/out');
    expect(e.path).toBe('/data/out');
  });

  it('isFileSystemError rejects other errors', () => {
    expect(isFileSystemError(new Error('x'))).toBe(false);
    expect(isFileSystemError({ code: 'NOPE', operation: 'x' })).toBe(false);
    expect(isFileSystemError(null)).toBe(false);
  });
});
