// Starts one real schema registry (Apicurio Registry via @sluice/testkit) for the test run and
// hands its URL to the tests; it is stopped when the run ends, whatever happens.
import { startSchemaRegistry } from '@sluice/testkit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    sluiceSchemaRegistryUrl: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const registry = await startSchemaRegistry();
  project.provide('sluiceSchemaRegistryUrl', registry.url);
  return () => registry.stop();
}
