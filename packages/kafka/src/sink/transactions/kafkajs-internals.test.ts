import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaError } from '../../errors.js';
import {
  SUPPORTED_KAFKAJS_VERSION,
  assertKafkaJsInternals,
  checkBroker,
  createCapturingProducer,
  installedKafkaJsVersion,
  instrumentBrokerFetch,
  toProducerId,
} from './kafkajs-internals.js';
import type { InternalFetchRequest } from './kafkajs-internals.js';

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

describe('instrumentBrokerFetch', () => {
  const request: InternalFetchRequest = { maxBytes: 100, topics: [{ topic: 't', partitions: [{ partition: 0, maxBytes: 50 }] }] };

  /** A broker whose fetches stay pending until answered, recording what they were sent. */
  function fakeBroker() {
    const sent: unknown[] = [];
    const pending: { resolve: (value: unknown) => void; reject: (error: Error) => void }[] = [];
    const broker = {
      fetch: (req: unknown) =>
        new Promise((resolve, reject) => {
          sent.push(req);
          pending.push({ resolve, reject });
        }),
    };
    return { broker, sent, pending, fetch: (req: InternalFetchRequest) => broker.fetch(req) };
  }

  it('sends the request the hook returns and shows the response to the response hook', async () => {
    const { broker, sent, pending, fetch } = fakeBroker();
    const seen: unknown[] = [];
    instrumentBrokerFetch(broker, { request: (r) => ({ ...r, maxBytes: 7 }), response: (r) => seen.push(r) });
    // A second wrap is ignored: the first hooks stay.
    instrumentBrokerFetch(broker, { request: (r) => ({ ...r, maxBytes: 9 }) });
    const result = fetch(request);
    await Promise.resolve();
    expect(sent).toEqual([{ ...request, maxBytes: 7 }]);
    pending[0]!.resolve({ responses: ['x'] });
    await expect(result).resolves.toEqual({ responses: ['x'] });
    expect(seen).toEqual([{ responses: ['x'] }]);
  });

  it('once aborted, the fetch in flight resolves empty at once and no further fetch is sent', async () => {
    const { broker, sent, pending, fetch } = fakeBroker();
    const seen: unknown[] = [];
    const controller = new AbortController();
    instrumentBrokerFetch(broker, { response: (r) => seen.push(r), signal: controller.signal });
    const inFlight = fetch(request);
    await Promise.resolve();
    controller.abort();
    await expect(inFlight).resolves.toEqual({ responses: [] });
    // The broker's late failure (its connection closed by the disconnect) is dropped, not unhandled.
    pending[0]!.reject(new Error('connection closed'));
    await expect(fetch(request)).resolves.toEqual({ responses: [] });
    expect(sent).toHaveLength(1);
    expect(seen).toEqual([]);
  });

  it('refuses a broker without fetch with KAFKA_CLIENT_UNSUPPORTED', () => {
    expect(() => instrumentBrokerFetch({}, {})).toThrow(KafkaError);
  });
});
