// SASL_SSL (SASL PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 over TLS) and TLS alone, passed through to the
// real broker's secured listeners (testkit `security: true`; global-setup.ts turns the SASL
// listener into SASL_SSL): a KafkaSource → EXACTLY_ONCE KafkaSink job works over each, and a wrong
// password gives a typed error that never contains the password.
import { join } from 'node:path';
import { SimpleStringSchema } from '@sluice/core';
import { describe, expect, inject, it } from 'vitest';
import type { KafkaSaslOptions, KafkaTlsOptions } from '../src/internal/kafka-client.js';
import { DeliveryGuarantee, KafkaSink } from '../src/sink/kafka-sink.js';
import { createTopic, produceToTwoPartitionsWithEndMarkers, readCommittedUntilMarkers, uniqueName, useKafkaAdminAndDir } from './helpers.js';
import { runKafkaToKafkaJob } from './jobs/kafka-to-kafka-job.js';
import { MemoryStateStore, sinkRuntime } from './sink-harness.js';

const security = inject('sluiceKafka').security;
const setup = useKafkaAdminAndDir('sluice-kafka-security-');

interface Variant {
  readonly name: string;
  readonly brokers: () => string[];
  readonly tls?: KafkaTlsOptions;
  readonly sasl?: KafkaSaslOptions;
}

const sasl = (mechanism: KafkaSaslOptions['mechanism']): Variant => ({
  name: `SASL_SSL ${mechanism}`,
  brokers: () => security!.saslPlaintextBootstrapServers,
  tls: { ca: security!.caPem },
  sasl: { mechanism, username: security!.username, password: security!.password },
});
const variants: Variant[] =
  security === undefined
    ? []
    : [
        sasl('plain'),
        sasl('scram-sha-256'),
        sasl('scram-sha-512'),
        { name: 'TLS (CA of the testkit)', brokers: () => security.sslBootstrapServers, tls: { ca: security.caPem } },
      ];

// An external broker (SLUICE_KAFKA_BROKERS) has no security listeners we know of.
describe.skipIf(security === undefined)('SASL_SSL and TLS on the real broker', () => {
  it.each(variants)('$name: KafkaSource → EXACTLY_ONCE KafkaSink, read_committed sees every record once', async (variant) => {
    const { kafka, admin, dir } = setup;
    const input = await createTopic(admin, { partitions: 2 });
    const output = await createTopic(admin, { partitions: 2 });
    const values = Array.from({ length: 20 }, (_, i) => `s${i}`);
    await produceToTwoPartitionsWithEndMarkers(kafka, input, values);
    const result = await runKafkaToKafkaJob({
      brokers: variant.brokers(),
      input,
      output,
      groupId: uniqueName('group'),
      jobName: uniqueName('job'),
      checkpointDir: join(dir, uniqueName('checkpoints')),
      // one partition per subtask: each stops at its partition's END marker
      parallelism: 2,
      deliveryGuarantee: DeliveryGuarantee.EXACTLY_ONCE,
      transactionalIdPrefix: uniqueName('secure'),
      checkpointIntervalMs: 100,
      ...(variant.tls === undefined ? {} : { tls: variant.tls }),
      ...(variant.sasl === undefined ? {} : { sasl: variant.sasl }),
    });
    expect(result.status).toBe('finished');
    expect((await readCommittedUntilMarkers(kafka, admin, output)).sort()).toEqual(values.map((v) => v.toUpperCase()).sort());
  });

  it('a wrong password: KAFKA_AUTHENTICATION_FAILED, and the password is in no error, cause or log line', async () => {
    const wrong = `wrong-${uniqueName('pw')}`;
    const logged: string[] = [];
    const sink = KafkaSink.builder<string>()
      .setBootstrapServers(security!.saslPlaintextBootstrapServers)
      .setTopic('unused')
      .setValueSerializer(new SimpleStringSchema())
      .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
      .setTransactionalIdPrefix(uniqueName('secure'))
      .setTls({ ca: security!.caPem })
      .setSasl({ mechanism: 'scram-sha-512', username: security!.username, password: wrong })
      .setLogger({ warn: (message, details) => void logged.push(message, JSON.stringify(details ?? {})) })
      .build();
    await sink.initializeState({ isRestored: false, restoredCheckpointId: undefined, operatorStateStore: new MemoryStateStore() });
    const failure = await Promise.resolve(sink.open!(sinkRuntime(0, 1))).then(
      () => undefined,
      (error: unknown) => error,
    );
    await Promise.resolve(sink.close!()).catch(() => undefined);
    expect(failure).toMatchObject({ code: 'KAFKA_AUTHENTICATION_FAILED', retriable: false });
    const seen: string[] = [];
    for (let e: unknown = failure; e instanceof Error; e = e.cause) seen.push(e.message, e.stack ?? '', JSON.stringify(e));
    seen.push(...logged);
    expect(seen.join('\n')).toContain('SASL');
    expect(seen.filter((text) => text.includes(wrong))).toEqual([]);
  });
});
