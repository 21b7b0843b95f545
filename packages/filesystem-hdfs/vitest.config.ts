import { defineConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared.ts';

// Two projects: unit tests beside the code, and integration tests in test/ that share ONE real
// HDFS (MiniDFSCluster from Maven Central jars) per run, started and always stopped by
// test/global-setup.ts through @sluice/testkit. The DataNode-restart test starts its own HDFS.
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
          globalSetup: ['./test/global-setup.ts'],
        },
      },
    ],
  },
});
