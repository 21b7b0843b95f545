import { defineConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared.ts';

// Three projects: unit tests beside the code; integration tests against in-process jobs (and a
// real browser); and the Kafka test, which shares one real broker started (and always stopped)
// by test/kafka-global-setup.ts through @sluice/testkit.
const { include: _include, ...shared } = sharedVitestConfig.test ?? {};

export default defineConfig({
  test: {
    ...shared,
    projects: [
      { test: { ...shared, name: 'unit', include: ['src/**/*.test.ts'] } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/kafka-*.test.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'kafka',
          include: ['test/kafka-*.test.ts'],
          globalSetup: ['./test/kafka-global-setup.ts'],
        },
      },
    ],
  },
});
