// Starts one real Kafka broker (KRaft, from Maven Central jars) for all integration tests of this
// package and provides its description as `sluiceKafka`; the teardown always stops it. If the
// broker cannot start, setup throws and every integration test fails with the reason.
import { startKafka } from '@sluice/testkit';
import type { KafkaConnectionInfo } from '@sluice/testkit';

declare module 'vitest' {
  export interface ProvidedContext {
    sluiceKafka: KafkaConnectionInfo;
  }
}

interface ProvideTarget {
  provide(key: 'sluiceKafka', value: KafkaConnectionInfo): void;
}

export async function setup(project: ProvideTarget): Promise<() => Promise<void>> {
  const server = await startKafka({
    // SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256/512) and SSL listeners too, for kafka-security.test.ts (~3-5 s of keytool)
    security: true,
    // short transaction timeouts in tests; the sink's broker-cap check is tested against this value
    brokerConfig: { 'transaction.max.timeout.ms': '900000', 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '2000' },
  });
  project.provide('sluiceKafka', server.info());
  return () => server.stop();
}
