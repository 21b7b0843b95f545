import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { packageRoot } from '../internal/package-root.js';
import { runCommand } from '../internal/run-command.js';
import { APICURIO_REGISTRY_ARTIFACT, APICURIO_REGISTRY_VERSION, APICURIO_RUNNER_JAR } from './schema-registry-version.js';

const COMPLETE_MARKER = '.complete';

/**
 * Unpacks Apicurio Registry's `all` tarball from Maven Central into
 * `<cacheDir>/apicurio-registry-<version>/` once (`mvn dependency:unpack-dependencies` on
 * `maven/schema-registry/pom.xml`). Concurrent first runs each unpack into a temp folder and rename
 * it into place; the loser discards its copy. Returns the folder holding the runner jar.
 */
export async function resolveApicurio(cacheDir: string): Promise<string> {
  const finalDir = join(cacheDir, `apicurio-registry-${APICURIO_REGISTRY_VERSION}`);
  if (existsSync(join(finalDir, COMPLETE_MARKER))) return finalDir;
  mkdirSync(cacheDir, { recursive: true });
  const tempDir = join(cacheDir, `.tmp-apicurio-${process.pid}-${randomBytes(4).toString('hex')}`);
  const pom = join(packageRoot(), 'maven', 'schema-registry', 'pom.xml');
  try {
    const args = [
      '-B',
      '-q',
      '-f',
      pom,
      'dependency:unpack-dependencies',
      '-DincludeTypes=tar.gz',
      `-DoutputDirectory=${tempDir}`,
      // Markers under the temp folder: the default (target/ beside the pom) would make later runs skip the unpack.
      `-DmarkersDirectory=${join(tempDir, '.markers')}`,
      `-Dapicurio.version=${APICURIO_REGISTRY_VERSION}`,
    ];
    let result;
    try {
      result = await runCommand({ command: process.env['SLUICE_MVN'] ?? 'mvn', args, cwd: cacheDir, timeoutMs: 15 * 60_000 });
    } catch (error) {
      throw new TestkitError(
        `Maven (\`mvn\`) could not be run to resolve ${APICURIO_REGISTRY_ARTIFACT}. Install Apache Maven 3.8+ and put it on PATH (or set SLUICE_MVN).`,
        { code: TESTKIT_ERROR_CODES.MAVEN_RESOLVE, cause: error },
      );
    }
    if (result.code !== 0 || !existsSync(join(tempDir, APICURIO_RUNNER_JAR))) {
      const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-30).join('\n');
      throw new TestkitError(
        `Maven failed (exit ${String(result.code)}) to unpack ${APICURIO_REGISTRY_ARTIFACT} from ${pom}. ` +
          `Check network access to Maven Central (or your ~/.m2/settings.xml mirror).\n${output}`,
        { code: TESTKIT_ERROR_CODES.MAVEN_RESOLVE, retriable: true },
      );
    }
    rmSync(join(tempDir, '.markers'), { recursive: true, force: true });
    writeFileSync(join(tempDir, COMPLETE_MARKER), `${APICURIO_REGISTRY_ARTIFACT}\n`);
    try {
      renameSync(tempDir, finalDir);
    } catch (error) {
      if (!existsSync(join(finalDir, COMPLETE_MARKER))) throw error;
    }
    return finalDir;
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}
