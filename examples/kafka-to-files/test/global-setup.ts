// One real Kafka broker (from @sluice/testkit) for this example's tests; the teardown stops it.
import type { TestProject } from 'vitest/node';
import { kafkaGlobalSetup } from '@sluice/testkit';

export function setup(project: TestProject): ReturnType<typeof kafkaGlobalSetup> {
  return kafkaGlobalSetup(project);
}
