import { ConfigError, SimpleStringSchema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { ExactlyOnceKafkaSink } from './exactly-once-kafka-sink.js';
import { DeliveryGuarantee, KafkaSink } from './kafka-sink.js';

const base = () => KafkaSink.builder<string>().setBootstrapServers('127.0.0.1:9092').setTopic('out').setValueSerializer(new SimpleStringSchema());

function optionOf(build: () => unknown): string | undefined {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).option;
  }
  return undefined;
}

describe('KafkaSinkBuilder validation (checklist 20)', () => {
  it('defaults to AT_LEAST_ONCE and builds a KafkaSink', () => {
    expect(base().build()).toBeInstanceOf(KafkaSink);
  });

  it.each([
    ['missing topic', () => KafkaSink.builder<string>().setBootstrapServers('h:1').setValueSerializer(new SimpleStringSchema()).build(), 'topic'],
    ['missing serializer', () => KafkaSink.builder<string>().setBootstrapServers('h:1').setTopic('t').build(), 'serializer'],
    ['missing servers', () => KafkaSink.builder<string>().setTopic('t').setValueSerializer(new SimpleStringSchema()).build(), 'bootstrapServers'],
    ['EXACTLY_ONCE without a transactional id prefix', () => base().setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).build(), 'transactionalIdPrefix'],
    ['bad transaction timeout', () => base().setTransactionTimeoutMs(0).build(), 'transactionTimeoutMs'],
    ['bad pool size', () => base().setProducerPoolSize(0).build(), 'producerPoolSize'],
    ['negative retries', () => base().setRetries(-1).build(), 'retries'],
  ])('%s → option %s', (_name, build, option) => {
    expect(optionOf(build)).toBe(option);
  });

  it('EXACTLY_ONCE with a prefix builds the transactional sink', () => {
    const sink = base().setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).setTransactionalIdPrefix('job-1').build();
    expect(sink).toBeInstanceOf(ExactlyOnceKafkaSink);
    expect(typeof sink.notifyCheckpointComplete).toBe('function');
  });

  it('the EXACTLY_ONCE error says what to do', () => {
    expect(() => base().setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).build()).toThrow(/setTransactionalIdPrefix/);
  });
});
