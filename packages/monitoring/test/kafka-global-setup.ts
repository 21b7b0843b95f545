// Starts one real Kafka broker (KRaft, from Maven Central jars, via @sluice/testkit) for the
// Kafka monitoring test and provides it as `sluiceKafka`; the teardown always stops it. If the
// broker cannot start, setup throws and the test fails with the reason.
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
  const server = await startKafka();
  project.provide('sluiceKafka', server.info());
  return () => server.stop();
}
