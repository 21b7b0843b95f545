// The vitest settings every package shares (STYLE.md §7). A package's vitest.config.ts extends this.
import { defineConfig } from 'vitest/config';

/**
 * Unit tests live beside the code (`src/**\/*.test.ts`); integration tests in `test/`.
 * Results also go to `test-results/vitest.json`, which `.ci/run` sums over all packages.
 */
export const sharedVitestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    restoreMocks: true,
    clearMocks: true,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
