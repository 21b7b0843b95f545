import { ConfigError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { OutputFileConfig } from './output-file-config.js';

describe('OutputFileConfig and part-file names', () => {
  it('defaults to part-<subtask>-<counter> with no suffix', () => {
    const c = new OutputFileConfig();
    expect(c.partFileName({ subtask: 0, counter: 7 })).toBe('part-0-7');
    expect(c.parsePartFileName('part-3-12')).toEqual({ subtask: 3, counter: 12 });
  });

  it('uses prefix and suffix, and parses only its own names', () => {
    const c = new OutputFileConfig({ partPrefix: 'events', partSuffix: '.jsonl' });
    expect(c.partFileName({ subtask: 2, counter: 0 })).toBe('events-2-0.jsonl');
    expect(c.parsePartFileName('events-2-0.jsonl')).toEqual({ subtask: 2, counter: 0 });
    for (const other of ['events-2-0', 'part-2-0.jsonl', 'events-2.jsonl', 'events-02-0.jsonl', 'events--1-0.jsonl', 'events-a-0.jsonl', 'events-2-0-1.jsonl']) {
      expect(c.parsePartFileName(other)).toBeUndefined();
    }
  });

  it('in-progress files are hidden, unique per attempt, and recognised', () => {
    const c = new OutputFileConfig({ partSuffix: '.avro' });
    const name = c.inProgressFileName({ subtask: 1, counter: 4 }, 'abc');
    expect(name).toBe('.part-1-4.avro.inprogress.abc');
    expect(c.isInProgressFileName(name)).toBe(true);
    expect(c.isInProgressFileName('part-1-4.avro')).toBe(false);
    expect(c.inProgressFileName({ subtask: 1, counter: 4 })).not.toBe(c.inProgressFileName({ subtask: 1, counter: 4 }));
  });

  it.each([
    [{ partPrefix: '' }, 'partPrefix'],
    [{ partPrefix: 'a/b' }, 'partPrefix'],
    [{ partPrefix: '..' }, 'partPrefix'],
    [{ partSuffix: 'x\ny' }, 'partSuffix'],
    [{ partSuffix: 'c:d' }, 'partSuffix'],
  ])('rejects %j naming %s', (options, option) => {
    expect(() => new OutputFileConfig(options)).toThrow(ConfigError);
    expect(() => new OutputFileConfig(options)).toThrow(option);
  });

  it('rejects negative or fractional numbers', () => {
    const c = new OutputFileConfig();
    expect(() => c.partFileName({ subtask: -1, counter: 0 })).toThrow(RangeError);
    expect(() => c.partFileName({ subtask: 0, counter: 1.5 })).toThrow(RangeError);
  });
});
