import { ConfigError } from '@sluice/core';
import type { DeserializationSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { deadLetter } from './dead-letter.js';
import { KafkaSource } from './kafka-source.js';

const schema: DeserializationSchema<string> = {
  deserialize: (bytes) => Buffer.from(bytes).toString('utf8'),
  isEndOfStream: () => false,
  producedType: { name: 'string', createSerializer: () => { throw new Error('unused'); } },
};

const base = () =>
  KafkaSource.builder<string>().setBootstrapServers('127.0.0.1:9092').setTopics('orders').setGroupId('g').setValueOnlyDeserializer(schema);

function optionOf(build: () => unknown): string | undefined {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('KAFKA_CONFIG_INVALID');
    return (error as ConfigError).option;
  }
  return undefined;
}

describe('KafkaSourceBuilder validation (checklist 1; errors name the option)', () => {
  it('builds with the required options', () => {
    expect(base().build()).toBeInstanceOf(KafkaSource);
  });

  it.each([
    ['missing bootstrap servers', () => KafkaSource.builder<string>().setTopics('t').setGroupId('g').setValueOnlyDeserializer(schema).build(), 'bootstrapServers'],
    ['bad bootstrap server', () => base().setBootstrapServers('nohostport').build(), 'bootstrapServers'],
    ['no topics', () => KafkaSource.builder<string>().setBootstrapServers('h:1').setGroupId('g').setValueOnlyDeserializer(schema).build(), 'topics'],
    ['empty topic list', () => base().setTopics().build(), 'topics'],
    ['topics and pattern', () => base().setTopicPattern(/o.*/).build(), 'topics'],
    ['illegal topic name', () => base().setTopics('a b').build(), 'topics'],
    ['missing group id', () => KafkaSource.builder<string>().setBootstrapServers('h:1').setTopics('t').setValueOnlyDeserializer(schema).build(), 'groupId'],
    ['missing deserializer', () => KafkaSource.builder<string>().setBootstrapServers('h:1').setTopics('t').setGroupId('g').build(), 'deserializer'],
    ['unknown property', () => base().setProperty('max.poll.records', '5').build(), 'max.poll.records'],
    ['bad boolean property', () => base().setProperty('enable.auto.commit', 'yes').build(), 'enable.auto.commit'],
    ['bad integer property', () => base().setProperty('auto.commit.interval.ms', '-5').build(), 'auto.commit.interval.ms'],
    ['bad auto.offset.reset', () => base().setProperty('auto.offset.reset', 'smallest').build(), 'auto.offset.reset'],
    ['bad isolation level', () => base().setProperty('isolation.level', 'serializable').build(), 'isolation.level'],
    ['bad error policy', () => base().setOnDeserializationError('ignore' as 'skip').build(), 'onDeserializationError'],
    ['dead-letter topic read by the source', () => base().setOnDeserializationError(deadLetter('orders')).build(), 'onDeserializationError'],
    ['dead-letter topic matching the pattern', () => KafkaSource.builder<string>().setBootstrapServers('h:1').setTopicPattern(/ord.*/).setGroupId('g').setValueOnlyDeserializer(schema).setOnDeserializationError(deadLetter('orders-dlq')).build(), 'onDeserializationError'],
    ['illegal dead-letter topic', () => base().setOnDeserializationError(deadLetter('a b')).build(), 'onDeserializationError'],
    ['bad watermark strategy', () => base().setWatermarkStrategy({} as never).build(), 'watermarkStrategy'],
    ['zero watermark interval', () => base().setAutoWatermarkIntervalMs(0).build(), 'autoWatermarkIntervalMs'],
    ['negative discovery interval', () => base().setPartitionDiscoveryIntervalMs(-1).build(), 'partitionDiscoveryIntervalMs'],
    ['bad discovery property', () => base().setProperty('flink.partition-discovery.interval-millis', 'often').build(), 'flink.partition-discovery.interval-millis'],
    ['zero max.partition.fetch.bytes', () => base().setProperty('max.partition.fetch.bytes', '0').build(), 'max.partition.fetch.bytes'],
    ['bad fetch.max.bytes', () => base().setProperty('fetch.max.bytes', '10MB').build(), 'fetch.max.bytes'],
    ['bad sasl mechanism', () => base().setSasl({ mechanism: 'gssapi' as 'plain', username: 'u', password: 'secret-pw' }).build(), 'sasl.mechanism'],
  ])('%s → option %s', (_name, build, option) => {
    expect(optionOf(build)).toBe(option);
  });

  it('accepts fetch sizes set by their Kafka names', () => {
    expect(base().setProperty('max.partition.fetch.bytes', '1048576').setProperty('fetch.max.bytes', '52428800').build()).toBeInstanceOf(KafkaSource);
  });

  it('a dead-letter topic outside the subscription is accepted', () => {
    expect(base().setOnDeserializationError(deadLetter('orders-dlq')).build()).toBeInstanceOf(KafkaSource);
  });

  it('a topic pattern alone is accepted', () => {
    expect(
      KafkaSource.builder<string>().setBootstrapServers('h:1').setTopicPattern(/orders-.*/).setGroupId('g').setValueOnlyDeserializer(schema).build(),
    ).toBeInstanceOf(KafkaSource);
  });

  it('never puts the SASL password into an error', () => {
    try {
      base().setSasl({ mechanism: 'plain', username: '', password: 'secret-pw' }).build();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('secret-pw');
      expect(JSON.stringify(error)).not.toContain('secret-pw');
    }
  });
});
