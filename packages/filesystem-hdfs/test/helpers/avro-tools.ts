// Apache Avro's Java tools (org.apache.avro:avro-tools from Maven Central), the independent reader
// of the Avro part files: resolved once into the Sluice cache with `mvn dependency:copy`, run with
// the machine's Java (the testkit's servers need the same one).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const AVRO_TOOLS = '1.12.0';

function cacheDir(): string {
  const fromEnv = process.env['SLUICE_CACHE_DIR'];
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : join(homedir(), '.cache', 'sluice');
}

/** The avro-tools jar, downloaded on first use. */
export async function avroToolsJar(): Promise<string> {
  const dir = join(cacheDir(), `avro-tools-${AVRO_TOOLS}`);
  const jar = join(dir, `avro-tools-${AVRO_TOOLS}.jar`);
  if (existsSync(jar)) return jar;
  const temp = join(cacheDir(), `.tmp-avro-tools-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(temp, { recursive: true });
  try {
    await run(
      process.env['SLUICE_MVN'] ?? 'mvn',
      ['-B', '-q', 'dependency:copy', `-Dartifact=org.apache.avro:avro-tools:${AVRO_TOOLS}`, `-DoutputDirectory=${temp}`],
      { timeout: 10 * 60_000, cwd: temp },
    );
    try {
      renameSync(temp, dir);
    } catch (error) {
      if (!existsSync(jar)) throw error;
    }
    return jar;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** `avro-tools <tool> <args…>`; returns stdout. */
export async function avroTools(tool: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('java', ['-Xmx256m', '-XX:+UseSerialGC', '-jar', await avroToolsJar(), tool, ...args], {
    timeout: 120_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
