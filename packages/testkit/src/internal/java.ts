import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { MIN_JAVA_VERSION } from '../versions.js';
import { runCommand } from './run-command.js';

/** The JDK tools the testkit runs. */
export interface JavaTools {
  java: string;
  javac: string;
  keytool: string;
  /** Feature version, e.g. 17. */
  version: number;
}

const INSTALL_HINT =
  `Install a JDK ${MIN_JAVA_VERSION} or newer (Debian/Ubuntu: \`apt-get install openjdk-17-jdk-headless\`; ` +
  'macOS: `brew install openjdk@17`) and put `java` on PATH or set JAVA_HOME.';

let cached: Promise<JavaTools> | undefined;

function tool(name: string): string {
  const home = process.env['JAVA_HOME'];
  if (home !== undefined && home !== '') {
    const candidate = join(home, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  return name;
}

/** Parses the feature version from `java -version` output ("17.0.15", "1.8.0_392" → 8). */
export function parseJavaVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (match === null) return undefined;
  const major = Number(match[1]);
  return major === 1 && match[2] !== undefined ? Number(match[2]) : major;
}

async function detect(): Promise<JavaTools> {
  const java = tool('java');
  let output: string;
  try {
    const result = await runCommand({ command: java, args: ['-version'], timeoutMs: 30_000 });
    output = result.stderr + result.stdout;
  } catch (error) {
    throw new TestkitError(`Java was not found (tried \`${java}\`). ${INSTALL_HINT}`, {
      code: TESTKIT_ERROR_CODES.JAVA_MISSING,
      cause: error,
    });
  }
  const version = parseJavaVersion(output);
  if (version === undefined || version < MIN_JAVA_VERSION) {
    throw new TestkitError(
      `\`${java}\` is Java ${version ?? '(unknown version)'}; the servers need ${MIN_JAVA_VERSION}+. ${INSTALL_HINT}`,
      { code: TESTKIT_ERROR_CODES.JAVA_MISSING },
    );
  }
  return { java, javac: tool('javac'), keytool: tool('keytool'), version };
}

/** Finds `java` (and its `javac`, `keytool`) once per process; throws TESTKIT_JAVA_MISSING. */
export function findJava(): Promise<JavaTools> {
  cached ??= detect();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

/** The error for a JDK tool (javac, keytool) that could not be run. */
export function jdkToolMissing(name: string, cause: unknown): TestkitError {
  return new TestkitError(
    `\`${name}\` could not be run: a full JDK (not only a JRE) is needed. ${INSTALL_HINT}`,
    {
      code: TESTKIT_ERROR_CODES.JAVA_MISSING,
      cause,
    },
  );
}
