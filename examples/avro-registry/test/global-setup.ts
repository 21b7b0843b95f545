// A real Kafka broker and a real schema registry (Apicurio with the Confluent API), both from
// @sluice/testkit, for this example's test; the teardown stops both, whatever happens.
import type { TestProject } from 'vitest/node';
import { kafkaGlobalSetup, startSchemaRegistry } from '@sluice/testkit';

declare module 'vitest' {
  export interface ProvidedContext {
    sluiceSchemaRegistryUrl: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [kafka, registry] = await Promise.allSettled([kafkaGlobalSetup(project), startSchemaRegistry()]);
  const teardown = async (): Promise<void> => {
    await Promise.allSettled([
      kafka.status === 'fulfilled' ? kafka.value() : undefined,
      registry.status === 'fulfilled' ? registry.value.stop() : undefined,
    ]);
  };
  if (kafka.status === 'rejected' || registry.status === 'rejected') {
    await teardown();
    throw kafka.status === 'rejected' ? kafka.reason : (registry as PromiseRejectedResult).reason;
  }
  project.provide('sluiceSchemaRegistryUrl', registry.value.url);
  return teardown;
}
