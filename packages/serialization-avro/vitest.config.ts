import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared.ts';

// The integration tests talk to a real schema registry started once per run (test/global-setup.ts).
export default mergeConfig(sharedVitestConfig, defineConfig({ test: { globalSetup: ['test/global-setup.ts'] } }));
