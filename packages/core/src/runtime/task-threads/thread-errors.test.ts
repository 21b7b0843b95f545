import { describe, expect, it } from 'vitest';
import { ConfigError, SluiceError, isSluiceError } from '../../errors.js';
import { errorFromData, errorToData } from './thread-errors.js';

const roundTrip = (error: unknown): Error => errorFromData(structuredClone(errorToData(error)));

describe('errors across threads', () => {
  it("keeps a SluiceError's code, retriable flag, place, name and stack", () => {
    const original = new ConfigError('bad option', { option: 'topic', topic: 'in', partition: 3, offset: 42 });
    const copy = roundTrip(original);
    expect(isSluiceError(copy)).toBe(true);
    expect(copy).toMatchObject({ name: 'ConfigError', message: 'bad option', code: 'CONFIG_INVALID', retriable: false });
    expect(copy).toMatchObject({ option: 'topic', topic: 'in', partition: 3, offset: 42 });
    expect(copy.stack).toBe(original.stack);
  });

  it("keeps the cause chain and a plain error's code", () => {
    const root = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', retriable: true });
    const copy = roundTrip(new SluiceError('fetch failed', { code: 'KAFKA_FETCH', cause: root }));
    expect(copy.cause).toMatchObject({ message: 'connect ECONNREFUSED', code: 'ECONNREFUSED', retriable: true });
    expect(copy).toMatchObject({ retriable: true });
  });

  it('turns a thrown non-error into an Error with its text', () => {
    const copy = roundTrip('just a string');
    expect(copy).toBeInstanceOf(Error);
    expect(copy.message).toBe('just a string');
    expect(isSluiceError(copy)).toBe(false);
  });
});
