import { describe, expect, it } from 'vitest';
import { JsonKeyValueDeserializationSchema } from './json-key-value-deserialization-schema.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const place = { topic: 'orders', partition: 3, offset: '42' };

describe('JsonKeyValueDeserializationSchema (reference §9.34)', () => {
  it('has key and value only when their bytes are non-null', () => {
    const schema = JsonKeyValueDeserializationSchema.create();
    expect(schema.deserialize({ key: utf8('"k"'), value: utf8('{"v":1}'), ...place })).toEqual({ key: 'k', value: { v: 1 } });
    const noKey = schema.deserialize({ key: null, value: utf8('1'), ...place });
    expect(noKey).toEqual({ value: 1 });
    expect('key' in noKey).toBe(false);
    const tombstone = schema.deserialize({ key: utf8('7'), value: null, ...place });
    expect(tombstone).toEqual({ key: 7 });
    expect('value' in tombstone).toBe(false);
    expect(schema.deserialize({ key: null, value: utf8('null'), ...place })).toEqual({ value: null });
  });

  it('adds metadata {offset, topic, partition} when asked', () => {
    const schema = JsonKeyValueDeserializationSchema.create({ includeMetadata: true });
    expect(schema.deserialize({ key: null, value: null, ...place })).toEqual({
      metadata: { offset: 42, topic: 'orders', partition: 3 },
    });
    expect(schema.deserialize({ key: null, value: utf8('{}'), topic: 't', partition: 0, offset: 5n }).metadata).toEqual({
      offset: 5,
      topic: 't',
      partition: 0,
    });
  });

  it('names the part and the place in errors', () => {
    const schema = JsonKeyValueDeserializationSchema.create();
    expect(() => schema.deserialize({ key: utf8('{'), value: null, ...place })).toThrow(
      expect.objectContaining({ code: 'SERDE_INVALID_JSON', topic: 'orders', partition: 3, offset: 42 }),
    );
    expect(() => schema.deserialize({ key: null, value: new Uint8Array([0xff]), ...place })).toThrow(
      /Invalid UTF-8 in the value.*topic orders, partition 3, offset 42/,
    );
  });
});

describe('structural fit with the Kafka source', () => {
  // The shape @sluice/kafka hands to a keyed deserializer (copied here: no dependency on it).
  interface KafkaConsumerRecordShape {
    readonly key: Uint8Array | null;
    readonly value: Uint8Array | null;
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly timestamp: number;
    readonly headers: Readonly<Record<string, readonly Uint8Array[]>>;
  }
  interface KafkaDeserializationSchemaShape<TRecord> {
    deserialize(record: KafkaConsumerRecordShape): TRecord | null | Promise<TRecord | null>;
    isEndOfStream(nextElement: TRecord | null): boolean;
  }

  it('is usable where the Kafka package expects its keyed schema', () => {
    const schema: KafkaDeserializationSchemaShape<unknown> = JsonKeyValueDeserializationSchema.create({ includeMetadata: true });
    const record: KafkaConsumerRecordShape = { key: null, value: utf8('1'), topic: 't', partition: 1, offset: 2, timestamp: 3, headers: { h: [utf8('x')] } };
    expect(schema.deserialize(record)).toEqual({ value: 1, metadata: { offset: 2, topic: 't', partition: 1 } });
  });
});
