import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where jars, compiled classes and pid files live: `SLUICE_CACHE_DIR`, else `~/.cache/sluice`. */
export function resolveCacheDir(override?: string): string {
  if (override !== undefined && override !== '') return resolve(override);
  const fromEnv = process.env['SLUICE_CACHE_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  // Deliberately not XDG_CACHE_HOME: turbo strips unlisted variables, and one cache everywhere
  // beats a second download.
  return join(homedir(), '.cache', 'sluice');
}

/** The folder holding one pid file per running server. */
export function runDirOf(cacheDir: string): string {
  return join(cacheDir, 'run');
}
