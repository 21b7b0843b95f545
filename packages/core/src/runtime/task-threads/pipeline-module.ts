/**
 * Pipeline modules: a job's operators declared by a function a module exports, so that every
 * task thread can import the module and build the same operators (functions and closures cannot
 * be sent to another thread).
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../errors.js';

/** A pipeline module added to an environment: what a task thread imports and calls. */
export interface PipelineRef {
  /** `file:` URL of the module. */
  readonly module: string;
  /** Name of the exported function. */
  readonly exportName: string;
  /** Second argument of the function (structured-cloneable). */
  readonly args: unknown;
}

/** The `file:` URL of a module given as a URL, a `file:` URL string or a file path (relative to the working directory). */
export function pipelineModuleUrl(module: URL | string): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module.length === 0) {
    throw new ConfigError(
      `addPipeline expects the pipeline module as a URL or a file path, got ${JSON.stringify(module)}; ` +
        "pass new URL('./pipeline.js', import.meta.url).",
      { option: 'pipeline' },
    );
  }
  if (module.startsWith('file:')) return module;
  return pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
}

/** Checks that the pipeline's arguments survive structured cloning (they travel to every task thread). */
export function checkPipelineArgs(args: unknown, module: string): void {
  try {
    structuredClone(args);
  } catch (error) {
    throw new ConfigError(
      `The arguments of pipeline ${module} cannot be sent to a task thread (${(error as Error).message}); ` +
        'pass plain data (objects, arrays, strings, numbers, Maps, typed arrays), not functions or class instances.',
      { option: 'args', path: module, cause: error },
    );
  }
}

/** How long an import may take before {@link loadPipelineFunction} warns that it may wait for itself. */
const SLOW_IMPORT_MS = 2000;

/**
 * Imports the module of `ref` and returns its pipeline function. Warns through `onWarning` when
 * the import is still pending after 2 s: a program that adds its own module as a pipeline from a
 * top-level `await` waits for itself forever.
 */
export async function loadPipelineFunction(
  ref: Pick<PipelineRef, 'module' | 'exportName'>,
  onWarning: (warning: Error) => void,
): Promise<(env: never, args: unknown) => unknown> {
  let namespace: Record<string, unknown>;
  // Not unref'd: it must fire even when the pending import is all the process waits for.
  const slow = setTimeout(() => {
    onWarning(
      new ConfigError(
        `Importing the pipeline module ${ref.module} has not finished after ${SLOW_IMPORT_MS / 1000} s. If it is the ` +
          "program's own module and the program awaits at top level (await env.addPipeline(new URL(import.meta.url))), " +
          'the import waits for itself: call an async main() without a top-level await, or move the pipeline into a module of its own.',
        { option: 'pipeline', path: ref.module },
      ),
    );
  }, SLOW_IMPORT_MS);
  try {
    namespace = (await import(ref.module)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`Cannot import pipeline module ${ref.module}: ${(error as Error).message}`, {
      option: 'pipeline',
      path: ref.module,
      cause: error,
    });
  } finally {
    clearTimeout(slow);
  }
  const fn = namespace[ref.exportName];
  if (typeof fn !== 'function') {
    throw new ConfigError(
      `Pipeline module ${ref.module} has no function export "${ref.exportName}" ` +
        `(exports: ${Object.keys(namespace).join(', ') || 'none'}); export (env, args) => { ... } under that name.`,
      { option: 'exportName', path: ref.module },
    );
  }
  return fn as (env: never, args: unknown) => unknown;
}
