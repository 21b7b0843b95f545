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

/** Imports the module of `ref` and returns its pipeline function. */
export async function loadPipelineFunction(
  ref: Pick<PipelineRef, 'module' | 'exportName'>,
): Promise<(env: never, args: unknown) => unknown> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(ref.module)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`Cannot import pipeline module ${ref.module}: ${(error as Error).message}`, {
      option: 'pipeline',
      path: ref.module,
      cause: error,
    });
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
