import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsafePathError } from '../errors.js';
import { resolveBucketPath } from './path-safety.js';

describe('resolveBucketPath', () => {
  it.each([
    ['/data/out', '', '/data/out'],
    ['/data/out', '2024-01-01--10', '/data/out/2024-01-01--10'],
    ['/data/out/', 'a/b/c', '/data/out/a/b/c'],
    ['/', 'a', '/a'],
    ['/', '', '/'],
    ['/data', 'caf\u00e9 \u{1F600}', '/data/caf\u00e9 \u{1F600}'],
    ['/data', '...', '/data/...'],
    ['/data', '.hidden', '/data/.hidden'],
    ['/data', 'a..b', '/data/a..b'],
  ])('base %j + id %j → %j', (base, id, expected) => {
    expect(resolveBucketPath(base, id)).toBe(expected);
  });

  const nasty: Array<[string, RegExp]> = [
    ['..', /"\.\." segment/],
    ['../etc', /"\.\." segment/],
    ['a/../../etc', /"\.\." segment/],
    ['a/..', /"\.\." segment/],
    ['.', /"\." segment/],
    ['a/./b', /"\." segment/],
    ['/etc/passwd', /absolute path/],
    ['//x', /absolute path/],
    ['C:/x', /drive letter/],
    ['ab:c', /":"/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['a\0b', /NUL/],
    ['a\nb', /control character/],
    ['a\rb', /control character/],
    ['a\tb', /control character/],
    ['a\u001bb', /control character/],
    ['a\u007fb', /control character/],
    ['a\u0085b', /control character/],
    ['a\u2028b', /control character/],
    ['a\\b', /backslash/],
    ['..\\..\\x', /backslash/],
    ['a\ud800b', /lone surrogate/],
    ['x'.repeat(256), /longer than 255/],
    ['\u00e9'.repeat(128), /longer than 255/],
  ];

  it.each(nasty)('rejects %j', (id, reason) => {
    let caught: unknown;
    try {
      resolveBucketPath('/data/out', id);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnsafePathError);
    const e = caught as UnsafePathError;
    expect(e.code).toBe('HDFS_PATH_UNSAFE');
    expect(e.bucketId).toBe(id);
    expect(e.basePath).toBe('/data/out');
    expect(e.message).toMatch(reason);
    expect(e.message).toContain('/data/out');
  });

  it('rejects a relative or dotted base path', () => {
    expect(() => resolveBucketPath('data', 'a')).toThrow(/must start with "\/"/);
    expect(() => resolveBucketPath('/data/../etc', 'a')).toThrow(/"\." or "\.\." segment/);
  });

  it.each(nasty)('sanitize keeps %j under the base path', (id) => {
    const out = resolveBucketPath('/data/out', id, { onUnsafe: 'sanitize' });
    expect(out === '/data/out' || out.startsWith('/data/out/')).toBe(true);
    expect(() => resolveBucketPath('/data/out', out.slice('/data/out/'.length))).not.toThrow();
  });

  it('sanitize encodes dot segments and forbidden characters', () => {
    expect(resolveBucketPath('/b', '../x', { onUnsafe: 'sanitize' })).toBe('/b/%2E%2E/x');
    expect(resolveBucketPath('/b', 'a:b\nc', { onUnsafe: 'sanitize' })).toBe('/b/a%3Ab%0Ac');
    expect(resolveBucketPath('/b', '/abs//x/', { onUnsafe: 'sanitize' })).toBe('/b/abs/x');
  });

  it('property: any string resolves strictly under the base path, or is rejected as unsafe', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (id) => {
        try {
          const out = resolveBucketPath('/base', id);
          if (id === '') return out === '/base';
          const rest = out.slice('/base/'.length);
          return out.startsWith('/base/') && rest === id && !rest.split('/').some((s) => s === '..' || s === '');
        } catch (error) {
          return error instanceof UnsafePathError;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: sanitize never escapes and always yields a safe id', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (id) => {
        const out = resolveBucketPath('/base', id, { onUnsafe: 'sanitize' });
        if (out === '/base') return true;
        if (!out.startsWith('/base/')) return false;
        resolveBucketPath('/base', out.slice('/base/'.length));
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});
