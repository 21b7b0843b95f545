import { ConfigError } from '@sluice/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BasePathBucketAssigner, DateTimeBucketAssigner } from './bucket-assigner.js';
import type { BucketAssignerContext } from './bucket-assigner.js';

const at = (ms: number): BucketAssignerContext => ({
  currentProcessingTime: () => ms,
  currentWatermark: () => Number.NEGATIVE_INFINITY,
  timestamp: () => undefined,
});

describe('DateTimeBucketAssigner', () => {
  it('defaults to yyyy-MM-dd--HH', () => {
    const a = new DateTimeBucketAssigner({ timeZone: 'UTC' });
    expect(a.format).toBe('yyyy-MM-dd--HH');
    expect(a.getBucketId(null, at(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('2024-01-02--03');
    expect(a.getBucketId(null, at(Date.UTC(2024, 0, 2, 0, 0, 0)))).toBe('2024-01-02--00');
  });

  it('defaults to the system time zone', () => {
    expect(new DateTimeBucketAssigner().timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it.each([
    ['UTC', Date.UTC(2024, 2, 31, 0, 30), '2024-03-31--00'],
    ['Asia/Kolkata', Date.UTC(2024, 2, 31, 0, 30), '2024-03-31--06'], // +05:30
    ['America/New_York', Date.UTC(2024, 0, 1, 3, 0), '2023-12-31--22'], // -05:00
    ['Europe/Berlin', Date.UTC(2024, 2, 31, 0, 59), '2024-03-31--01'], // before the DST switch (+01:00)
    ['Europe/Berlin', Date.UTC(2024, 2, 31, 1, 0), '2024-03-31--03'], // after it (+02:00): hour 02 is skipped
  ])('formats in %s', (timeZone, ms, expected) => {
    expect(new DateTimeBucketAssigner({ timeZone }).getBucketId(null, at(ms))).toBe(expected);
  });

  it('supports nested patterns, quoted text and milliseconds', () => {
    const a = new DateTimeBucketAssigner({ timeZone: 'UTC', format: "'dt='yyyy-MM-dd/'hr='HH/mm-ss.SSS" });
    expect(a.getBucketId(null, at(Date.UTC(2024, 4, 6, 7, 8, 9, 10)))).toBe('dt=2024-05-06/hr=07/08-09.010');
    const b = new DateTimeBucketAssigner({ timeZone: 'UTC', format: "yy-M-d-H'h''x'" });
    expect(b.getBucketId(null, at(Date.UTC(2009, 0, 2, 3)))).toBe("09-1-2-3h'x");
  });

  it('matches toISOString in UTC for any time (cache across seconds included)', () => {
    const a = new DateTimeBucketAssigner({ timeZone: 'UTC', format: 'yyyy-MM-dd--HH-mm-ss.SSS' });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }), fc.integer({ min: 0, max: 2500 }), (ms, delta) => {
        for (const t of [ms, ms + delta]) {
          const iso = new Date(t).toISOString(); // 2024-01-02T03:04:05.678Z
          const expected = `${iso.slice(0, 10)}--${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 23)}`;
          if (a.getBucketId(null, at(t)) !== expected) return false;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ format: 'yyyy-MM-dd HH:mm' }, 'format'], // ":" is not allowed in HDFS names
    [{ format: 'yyyy-MM-dd EEE' }, 'format'], // unsupported letter
    [{ format: "yyyy-'unterminated" }, 'format'],
    [{ format: '../yyyy' }, 'format'], // would escape the base path
    [{ format: 'yyy' }, 'format'],
  ])('rejects %j naming %s', (options, option) => {
    let error: unknown;
    try {
      new DateTimeBucketAssigner({ timeZone: 'UTC', ...options });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', option });
  });
});

describe('BasePathBucketAssigner', () => {
  it('puts everything in the base path', () => {
    expect(new BasePathBucketAssigner().getBucketId()).toBe('');
  });
});
