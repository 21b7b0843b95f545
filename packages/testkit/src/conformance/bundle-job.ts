import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

/** Options of {@link bundleJob}. */
export interface BundleJobOptions {
  /**
   * Packages (and their subpaths) the bundle imports from where they are installed, by absolute
   * `file:` URL, instead of containing a copy. Needed for a job that runs on task threads
   * (`env.setTaskThreads(n)`): `@sluice/core` starts its threads from its own files, and each
   * thread imports the bundle as the pipeline module, so the bundle and the threads must share
   * one copy of `@sluice/core` and of the connectors.
   * @defaultValue `[]`: everything is bundled
   */
  readonly link?: readonly string[];
}

/**
 * Bundles a job script (TypeScript or JavaScript, with its imports) into one ESM file with
 * esbuild, so that every restart of the job is a plain `node` start (a fraction of a second)
 * instead of a TypeScript loader's. Remove the returned file's folder when done.
 *
 * @param entry - the job's entry file (a `file:` URL or a path)
 * @returns the path of the bundled `job.mjs`, in a fresh temporary folder
 */
export async function bundleJob(entry: URL | string, options: BundleJobOptions = {}): Promise<string> {
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
    plugins: options.link === undefined || options.link.length === 0 ? [] : [linkPackages(options.link)],
    // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);",
    },
  });
  return outfile;
}

const LINKING = Symbol('linking');

/** Resolves imports of the `packages` as esbuild would, then keeps them as external `file:` URLs. */
function linkPackages(packages: readonly string[]): Plugin {
  const matches = (path: string): boolean => packages.some((name) => path === name || path.startsWith(`${name}/`));
  return {
    name: 'sluice-link-packages',
    setup(build) {
      build.onResolve({ filter: /^[@a-z]/ }, async (args) => {
        if (!matches(args.path) || args.pluginData === LINKING) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: LINKING,
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
}
