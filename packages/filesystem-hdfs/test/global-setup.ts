// Starts one real HDFS (NameNode + DataNode with WebHDFS, from Maven Central jars) for the
// integration tests of this package and provides its description as `sluiceHdfs`; the teardown
// always stops it. If HDFS cannot start, setup throws and every integration test fails with the
// reason (never skipped).
import { hdfsGlobalSetup } from '@sluice/testkit';
import type { HdfsConnectionInfo, ProvideTarget } from '@sluice/testkit';

declare module 'vitest' {
  export interface ProvidedContext {
    sluiceHdfs: HdfsConnectionInfo;
  }
}

export async function setup(project: ProvideTarget): Promise<() => Promise<void>> {
  return hdfsGlobalSetup(project);
}
