import { ConfigError, SluiceError, isSluiceError } from '@sluice/core';
import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaError, KafkaErrorCode, invalidOption, wrapKafkaJsError } from './errors.js';

/** kafkajs's constructor takes the broker error object; its d.ts types it as a plain Error. */
function protocolError(type: string, code: number): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ type, code, retriable: false, message: type } as unknown as Error);
}

describe('errors', () => {
  it.each(Object.values(KafkaErrorCode))('KafkaError with %s has name, code and instanceof', (code) => {
    const error = new KafkaError('m', { code, topic: 't', partition: 1, offset: 2 });
    expect(error).toBeInstanceOf(SluiceError);
    expect(isSluiceError(error)).toBe(true);
    expect(error.name).toBe('KafkaError');
    expect(error.code).toBe(code);
    expect(code.startsWith('KAFKA_')).toBe(true);
    expect(error.retriable).toBe(false);
    expect([error.topic, error.partition, error.offset]).toEqual(['t', 1, 2]);
  });

  it('invalidOption is a ConfigError naming the option', () => {
    const error = invalidOption('groupId', 'groupId is required');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.option).toBe('groupId');
    expect(error.code).toBe('KAFKA_CONFIG_INVALID');
  });

  it('wraps kafkajs errors once, keeping cause and retriable', () => {
    const fenced = protocolError('INVALID_PRODUCER_EPOCH', 47);
    const wrapped = wrapKafkaJsError(fenced, { action: 'committing a transaction', topic: 't' });
    expect(wrapped.code).toBe('KAFKA_TRANSACTION_FENCED');
    expect(wrapped.cause).toBe(fenced);
    expect(wrapped.message).toContain('topic t');
    expect(wrapKafkaJsError(wrapped, { action: 'again' })).toBe(wrapped);
    // kafkajs wraps what a callback threw (here, after its retries) in errors of its own.
    const retries = Object.assign(new Error('gave up after 5 retries'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: wrapped });
    expect(wrapKafkaJsError(retries, { action: 'fetching records' })).toBe(wrapped);

    const connection = new KafkaJSConnectionError('Connection error: ECONNREFUSED');
    const unreachable = wrapKafkaJsError(connection, { action: 'connecting' });
    expect(unreachable.code).toBe('KAFKA_BROKER_UNREACHABLE');
    expect(unreachable.retriable).toBe(true);

    const other = wrapKafkaJsError(new Error('boom'), { action: 'x', fallbackCode: KafkaErrorCode.KAFKA_SEND_FAILED });
    expect(other.code).toBe('KAFKA_SEND_FAILED');
    expect(wrapKafkaJsError(protocolError('MESSAGE_TOO_LARGE', 10), { action: 'send' }).code).toBe(
      'KAFKA_RECORD_TOO_LARGE',
    );
  });
});
