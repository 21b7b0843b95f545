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
    // SASL (PLAIN, SCRAM-SHA-256/512) and SSL listeners too, for kafka-security.test.ts (~3-5 s of keytool)
    security: true,
    brokerConfig: {
      // short transaction timeouts in tests; the sink's broker-cap check is tested against this value
      'transaction.max.timeout.ms': '900000',
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': '2000',
      // The testkit's listener *named* SASL_PLAINTEXT speaks SASL_SSL here (a listener's protocol is
      // this map's value; the broker's keystore serves every TLS listener), so that the security
      // tests run SASL over TLS, the usual production setup. `security.saslPlaintextBootstrapServers`
      // therefore needs TLS (the testkit's CA) and SASL.
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_SSL,SSL:SSL',
    },
  });
  project.provide('sluiceKafka', server.info());
  return () => server.stop();
}
