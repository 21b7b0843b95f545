// Compiles and runs the Java Avro interop helper (test/java) — once per machine for the compile,
// once per test file for the run. The JVM is short-lived and killed on timeout.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const javaDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'java');
const pom = join(javaDir, 'pom.xml');
const source = join(javaDir, 'src', 'main', 'java', 'dev', 'sluice', 'avro', 'AvroInterop.java');

function cacheDir(): string {
  const fromEnv = process.env['SLUICE_CACHE_DIR'];
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : join(homedir(), '.cache', 'sluice');
}

/** Resolves Apache Avro (Java) with Maven and compiles the helper into the cache; returns the classpath. */
export async function compileInterop(): Promise<string> {
  const key = createHash('sha256').update(readFileSync(pom)).update(readFileSync(source)).digest('hex').slice(0, 12);
  const finalDir = join(cacheDir(), `avro-interop-${key}`);
  const classpath = `${join(finalDir, 'classes')}:${join(finalDir, 'lib', '*')}`;
  if (existsSync(join(finalDir, '.complete'))) return classpath;
  mkdirSync(cacheDir(), { recursive: true });
  const temp = join(cacheDir(), `.tmp-avro-interop-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await run(
      process.env['SLUICE_MVN'] ?? 'mvn',
      ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(temp, 'lib')}`],
      { timeout: 10 * 60_000, cwd: cacheDir() },
    );
    await run('javac', ['-d', join(temp, 'classes'), '-cp', join(temp, 'lib', '*'), source], { timeout: 5 * 60_000 });
    writeFileSync(join(temp, '.complete'), 'ok\n');
    try {
      renameSync(temp, finalDir);
    } catch (error) {
      if (!existsSync(join(finalDir, '.complete'))) throw error;
    }
    return classpath;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Runs the helper on `dir` (one JVM); returns its stdout lines. */
export async function runInterop(classpath: string, dir: string): Promise<string[]> {
  const { stdout } = await run('java', ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', classpath, 'dev.sluice.avro.AvroInterop', dir], {
    timeout: 120_000,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.split('\n').filter((line) => line !== '');
}
