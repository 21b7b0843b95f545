import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bundleJob } from '@sluice/testkit/conformance';
import { expect, it } from 'vitest';

it('loads when bundled (esbuild, as testkit bundles jobs): its dependencies are static imports a bundler sees', async () => {
  // A module that a bundled job loads through `createRequire(import.meta.url)` is looked up next
  // to the bundle, where there is no node_modules: the job fails with MODULE_NOT_FOUND.
  const bundle = await bundleJob(new URL('./fixtures/bundle-entry.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [bundle]);
  expect(stdout.trim()).toBe('function function');
}, 60_000);
