import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { runCommand } from './run-command.js';

/** Options of {@link resolveJars}. */
export interface ResolveJarsOptions {
  /** Cache sub-folder prefix, e.g. `kafka-4.1.2`. */
  name: string;
  /** The pom to resolve (its dependencies, runtime scope). */
  pom: string;
  /** `-D` properties passed to Maven (the versions). */
  properties: Readonly<Record<string, string>>;
  cacheDir: string;
  /** Human-readable coordinates, for the error message. */
  artifacts: readonly string[];
}

const COMPLETE_MARKER = '.complete';

/** The cache key: the pom's bytes and the properties, so a version change resolves anew. */
export function jarCacheKey(pomText: string, properties: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  hash.update(pomText);
  for (const key of Object.keys(properties).sort())
    hash.update(`\n${key}=${properties[key] ?? ''}`);
  return hash.digest('hex').slice(0, 12);
}

/**
 * Resolves the pom's runtime dependencies into `<cacheDir>/<name>-<key>/lib` with
 * `mvn dependency:copy-dependencies`, once. Concurrent first runs are safe: each resolves into
 * its own temp folder and renames it into place; the loser of the rename discards its copy.
 * Returns the folder holding the jars.
 */
export async function resolveJars(options: ResolveJarsOptions): Promise<string> {
  const pomText = readFileSync(options.pom, 'utf8');
  const finalDir = join(
    options.cacheDir,
    `${options.name}-${jarCacheKey(pomText, options.properties)}`,
  );
  const libDir = join(finalDir, 'lib');
  if (existsSync(join(finalDir, COMPLETE_MARKER))) return libDir;

  mkdirSync(options.cacheDir, { recursive: true });
  const tempDir = join(
    options.cacheDir,
    `.tmp-${options.name}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const describe = options.artifacts.join(', ');
  try {
    const args = [
      '-B',
      '-q',
      '-f',
      options.pom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${join(tempDir, 'lib')}`,
      ...Object.entries(options.properties).map(([key, value]) => `-D${key}=${value}`),
    ];
    let result;
    try {
      result = await runCommand({
        command: process.env['SLUICE_MVN'] ?? 'mvn',
        args,
        cwd: options.cacheDir,
        timeoutMs: 15 * 60_000,
      });
    } catch (error) {
      throw new TestkitError(
        `Maven (\`mvn\`) could not be run to resolve ${describe}. Install Apache Maven 3.8+ and put it on PATH ` +
          '(or set SLUICE_MVN), or copy the jars into the cache folder yourself.',
        { code: TESTKIT_ERROR_CODES.MAVEN_RESOLVE, cause: error },
      );
    }
    if (result.code !== 0) {
      const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-30).join('\n');
      throw new TestkitError(
        `Maven failed (exit ${String(result.code)}) to resolve ${describe} from ${options.pom}. ` +
          `Check network access to Maven Central (or your ~/.m2/settings.xml mirror).\n${output}`,
        { code: TESTKIT_ERROR_CODES.MAVEN_RESOLVE, retriable: true },
      );
    }
    const jars = existsSync(join(tempDir, 'lib'))
      ? readdirSync(join(tempDir, 'lib')).filter((f) => f.endsWith('.jar'))
      : [];
    if (jars.length === 0) {
      throw new TestkitError(`Maven resolved no jars for ${describe} from ${options.pom}.`, {
        code: TESTKIT_ERROR_CODES.MAVEN_RESOLVE,
      });
    }
    writeFileSync(join(tempDir, COMPLETE_MARKER), `${jars.length} jars\n`);
    try {
      renameSync(tempDir, finalDir);
    } catch (error) {
      // Another process finished first (the target exists and is not empty): use its copy.
      if (!existsSync(join(finalDir, COMPLETE_MARKER))) throw error;
    }
    return libDir;
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

/** The Java classpath for every jar in a folder (`dir/*`). */
export function classpathOf(...entries: string[]): string {
  return entries.join(process.platform === 'win32' ? ';' : ':');
}
