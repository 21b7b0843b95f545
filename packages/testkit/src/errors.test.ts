import { describe, expect, it } from 'vitest';
import { TESTKIT_ERROR_CODES, TestkitError, isTestkitError } from './errors.js';

describe('TestkitError', () => {
  it.each(Object.values(TESTKIT_ERROR_CODES))(
    '%s has name, code, retriable=false and instanceof',
    (code) => {
      const cause = new Error('root');
      const error = new TestkitError('message', { code, cause });
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(TestkitError);
      expect(error.name).toBe('TestkitError');
      expect(error.code).toBe(code);
      expect(error.retriable).toBe(false);
      expect(error.cause).toBe(cause);
      expect(isTestkitError(error)).toBe(true);
    },
  );

  it('codes are prefixed and unique', () => {
    const codes = Object.values(TESTKIT_ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^TESTKIT_[A-Z_]+$/);
  });

  it('recognises a copy from another module instance by brand', () => {
    const foreign = Object.assign(new Error('x'), {
      name: 'TestkitError',
      code: 'TESTKIT_START_TIMEOUT',
    });
    expect(isTestkitError(foreign)).toBe(true);
    expect(isTestkitError(new Error('x'))).toBe(false);
    expect(isTestkitError({ name: 'TestkitError', code: 'TESTKIT_X' })).toBe(false);
  });
});
