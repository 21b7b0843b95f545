import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS, deadLetter, deadLetterMessage } from './dead-letter.js';

const record = {
  key: Buffer.from('k'),
  value: Buffer.from('{bad'),
  topic: 'orders',
  partition: 3,
  offset: 41,
  timestamp: 1_700_000_000_000,
  headers: { trace: [Buffer.from('a'), Buffer.from('b')] },
};

describe('dead-letter message', () => {
  it('keeps key, value, timestamp and headers and adds the error and the original place', () => {
    const message = deadLetterMessage(record, new SyntaxError('Unexpected end of JSON input'));
    expect(message.key?.toString()).toBe('k');
    expect(message.value?.toString()).toBe('{bad');
    expect(message.timestamp).toBe('1700000000000');
    const headers = message.headers as Record<string, Buffer | Buffer[]>;
    expect((headers['trace'] as Buffer[]).map(String)).toEqual(['a', 'b']);
    const text = (name: string): string => String(headers[name]);
    expect(text(DEAD_LETTER_HEADERS.errorCode)).toBe('SERDE_CORRUPT_RECORD');
    expect(text(DEAD_LETTER_HEADERS.errorClass)).toBe('SyntaxError');
    expect(text(DEAD_LETTER_HEADERS.errorMessage)).toBe('Unexpected end of JSON input');
    expect(text(DEAD_LETTER_HEADERS.topic)).toBe('orders');
    expect(text(DEAD_LETTER_HEADERS.partition)).toBe('3');
    expect(text(DEAD_LETTER_HEADERS.offset)).toBe('41');
    expect(text(DEAD_LETTER_HEADERS.timestamp)).toBe('1700000000000');
  });

  it("uses the thrown error's own code, keeps null key/value, and cuts long messages", () => {
    const thrown = Object.assign(new Error('x'.repeat(5000)), { code: 'SCHEMA_NOT_FOUND' });
    const message = deadLetterMessage({ ...record, key: null, value: null, headers: {} }, thrown);
    const headers = message.headers as Record<string, Buffer>;
    expect(message.key).toBeNull();
    expect(message.value).toBeNull();
    expect(String(headers[DEAD_LETTER_HEADERS.errorCode])).toBe('SCHEMA_NOT_FOUND');
    expect(String(headers[DEAD_LETTER_HEADERS.errorMessage])).toHaveLength(2000);
    expect(String(deadLetterMessage(record, 'a string').headers?.[DEAD_LETTER_HEADERS.errorClass])).toBe('string');
  });

  it('deadLetter(topic) is a policy value', () => {
    expect(deadLetter('orders-dlq')).toEqual({ kind: 'deadLetter', topic: 'orders-dlq' });
  });
});
