import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaError } from '../../errors.js';
import {
  SUPPORTED_KAFKAJS_VERSION,
  assertKafkaJsInternals,
  checkBroker,
  createCapturingProducer,
  installedKafkaJsVersion,
  toProducerId,
} from './kafkajs-internals.js';

const kafka = () => new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });

describe('kafkajs internals startup check', () => {
  it('the installed kafkajs is the pinned version, and its private cluster factory is there', () => {
    expect(installedKafkaJsVersion()).toBe(SUPPORTED_KAFKAJS_VERSION);
    expect(() => assertKafkaJsInternals(kafka())).not.toThrow();
  });

  it('refuses a client without the factory with KAFKA_CLIENT_UNSUPPORTED', () => {
    const fake = {} as Kafka;
    expect(() => assertKafkaJsInternals(fake)).toThrow(KafkaError);
    expect(() => assertKafkaJsInternals(fake)).toThrow(/kafkajs 2\.2\.4 exactly/);
  });

  it('refuses a broker without endTxn', () => {
    expect(() => checkBroker({ initProducerId: () => undefined })).toThrow(/endTxn/);
  });

  it('creates a producer without changing the client', () => {
    const client = kafka();
    const before = Object.getOwnPropertySymbols(client).map((s) => (client as unknown as Record<symbol, unknown>)[s]);
    const { producer, identity } = createCapturingProducer(client, { transactionalId: 'x' });
    expect(typeof producer.transaction).toBe('function');
    expect(identity()).toBeUndefined();
    const after = Object.getOwnPropertySymbols(client).map((s) => (client as unknown as Record<symbol, unknown>)[s]);
    expect(after).toEqual(before);
  });

  it('producer ids arrive as decimal strings and must be safe integers', () => {
    expect(toProducerId('4003')).toBe(4003);
    expect(() => toProducerId('9223372036854775807')).toThrow(/safe integer/);
  });
});
