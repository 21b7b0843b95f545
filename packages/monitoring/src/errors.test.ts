import { SluiceError, isSluiceError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { MonitoringError, MonitoringErrorCode } from './errors.js';

describe('MonitoringError', () => {
  it.each(Object.values(MonitoringErrorCode))('%s: name, code, instanceof, not retriable', (code) => {
    const cause = new Error('inner');
    const error = new MonitoringError('what, where, what to do', { code, option: 'port', cause });
    expect(error).toBeInstanceOf(MonitoringError);
    expect(error).toBeInstanceOf(SluiceError);
    expect(isSluiceError(error)).toBe(true);
    expect(error.name).toBe('MonitoringError');
    expect(error.code).toBe(code);
    expect(error.option).toBe('port');
    expect(error.cause).toBe(cause);
    expect(error.retriable).toBe(false);
  });

  it('codes are their own names, with the CONFIG_ or MONITORING_ prefix', () => {
    for (const [key, value] of Object.entries(MonitoringErrorCode)) {
      expect(value).toBe(key);
      expect(value).toMatch(/^(CONFIG_MONITORING_|MONITORING_)[A-Z_]+$/);
    }
  });
});
