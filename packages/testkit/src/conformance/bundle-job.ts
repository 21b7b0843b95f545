import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Bundles a job script (TypeScript or JavaScript, with its imports) into one ESM file with
 * esbuild, so that every restart of the job is a plain `node` start (a fraction of a second)
 * instead of a TypeScript loader's. Remove the returned file's folder when done.
 *
 * @param entry - the job's entry file (a `file:` URL or a path)
 * @returns the path of the bundled `job.mjs`, in a fresh temporary folder
 */
export async function bundleJob(entry: URL | string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(await mkdtemp(join(tmpdir(), 'sluice-job-bundle-')), 'job.mjs');
  await build({
    entryPoints: [entry instanceof URL ? fileURLToPath(entry) : entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
    // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);",
    },
  });
  return outfile;
}
