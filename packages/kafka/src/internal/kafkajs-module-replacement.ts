/**
 * Puts a module of our own in the place of one of kafkajs's internal modules, through the
 * CommonJS module cache: kafkajs modules that `require` it afterwards get the replacement.
 *
 * Only for kafkajs {@link SUPPORTED_KAFKAJS_VERSION}, whose files were read for this. A replacement
 * that cannot apply (another kafkajs version, a module that already captured the original, files
 * that do not resolve) is skipped and kafkajs keeps working as it was: these replacements make it
 * faster, never different.
 *
 * Internal: not exported from the package.
 */
import { createRequire } from 'node:module';
import { installedKafkaJsVersion, SUPPORTED_KAFKAJS_VERSION } from './kafkajs-version.js';

const require = createRequire(import.meta.url);

/** Exports that are replacements made here (so that replacing twice is a no-op). */
const replacements = new WeakSet<object>();
/** The modules replaced in this process. */
const replaced = new Set<string>();

/** The kafkajs modules replaced so far (`module` of each {@link KafkaJsModuleReplacement}). */
export function replacedKafkaJsModules(): readonly string[] {
  return [...replaced];
}

/** One replacement of a kafkajs module. */
export interface KafkaJsModuleReplacement<T extends object> {
  /** The module, e.g. `kafkajs/src/protocol/request.js`. */
  readonly module: string;
  /**
   * Modules that take the replaced module's exports once, when they load: if one of them is
   * already loaded, the replacement would not reach it and is skipped.
   */
  readonly capturedBy: readonly string[];
  /**
   * The new exports, given the original ones and `load`, which loads another of kafkajs's modules
   * (the replacement's own dependencies, e.g. `kafkajs/src/protocol/decoder.js`).
   */
  readonly replace: (original: T, load: (module: string) => unknown) => T;
}

/** Installs `replacement`; returns whether kafkajs will use it. */
export function replaceKafkaJsModule<T extends object>(replacement: KafkaJsModuleReplacement<T>): boolean {
  let file: string;
  try {
    if (installedKafkaJsVersion() !== SUPPORTED_KAFKAJS_VERSION) return false;
    file = require.resolve(replacement.module);
    const current: unknown = require.cache[file]?.exports;
    if (typeof current === 'function' && replacements.has(current)) return true;
    for (const dependent of replacement.capturedBy) {
      if (require.cache[require.resolve(dependent)] !== undefined) return false;
    }
    // Loading the original creates its cache entry; kafkajs's modules then get what it exports.
    require(file);
  } catch {
    return false;
  }
  const entry = require.cache[file];
  if (entry === undefined) return false;
  let exports: T;
  try {
    exports = replacement.replace(entry.exports as T, (module) => require(module) as unknown);
  } catch {
    return false;
  }
  replacements.add(exports);
  entry.exports = exports;
  replaced.add(replacement.module);
  return true;
}
