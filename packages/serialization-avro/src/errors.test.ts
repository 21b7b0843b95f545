import { describe, expect, it } from 'vitest';
import { isSluiceError, SerdeError } from '@sluice/core';
import { AvroErrorCode, AvroSerdeError } from './errors.js';

describe('AvroSerdeError', () => {
  it.each(Object.values(AvroErrorCode))('%s: name, code, instanceof, brand', (code) => {
    const error = new AvroSerdeError('m', { code, schemaId: 3, registryUrl: 'http://r', subject: 's' });
    expect(error.name).toBe('AvroSerdeError');
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(SerdeError);
    expect(isSluiceError(error)).toBe(true);
    expect(error.retriable).toBe(false);
    expect([error.schemaId, error.registryUrl, error.subject]).toEqual([3, 'http://r', 's']);
  });

  it('codes equal their keys', () => {
    for (const [key, value] of Object.entries(AvroErrorCode)) expect(key).toBe(value);
  });
});
