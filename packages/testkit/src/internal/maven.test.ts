import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTestkitError } from '../errors.js';
import { jarCacheKey, resolveJars } from './maven.js';

let dir: string;
let savedMvn: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-testkit-maventest-'));
  savedMvn = process.env['SLUICE_MVN'];
});
afterEach(() => {
  if (savedMvn === undefined) delete process.env['SLUICE_MVN'];
  else process.env['SLUICE_MVN'] = savedMvn;
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in for `mvn` that counts its runs and "resolves" one jar after a short pause. */
function fakeMvn(options: { fail?: boolean } = {}): string {
  const script = join(dir, 'fake-mvn.sh');
  writeFileSync(
    script,
    `#!/bin/sh
echo run >> "${join(dir, 'runs.txt')}"
${options.fail === true ? 'echo "[ERROR] Could not resolve org.example:missing:1"; exit 1' : ''}
for arg in "$@"; do case "$arg" in -DoutputDirectory=*) out="\${arg#-DoutputDirectory=}";; esac; done
sleep 0.3
mkdir -p "$out" && echo jar > "$out/a-1.jar"
`,
  );
  chmodSync(script, 0o755);
  return script;
}

describe('jarCacheKey', () => {
  it('changes with the pom and with any version', () => {
    const base = jarCacheKey('<pom/>', { 'kafka.version': '4.1.2' });
    expect(jarCacheKey('<pom/>', { 'kafka.version': '4.1.2' })).toBe(base);
    expect(jarCacheKey('<pom/>', { 'kafka.version': '4.1.3' })).not.toBe(base);
    expect(jarCacheKey('<pom />', { 'kafka.version': '4.1.2' })).not.toBe(base);
  });
});

describe('resolveJars', () => {
  it('resolves once when two callers race, and reuses the cache afterwards', async () => {
    process.env['SLUICE_MVN'] = fakeMvn();
    const pom = join(dir, 'pom.xml');
    writeFileSync(pom, '<project/>');
    const cacheDir = join(dir, 'cache');
    const options = {
      name: 'x-1',
      pom,
      properties: { v: '1' },
      cacheDir,
      artifacts: ['org.example:x:1'],
    };
    const [a, b] = await Promise.all([resolveJars(options), resolveJars(options)]);
    expect(a).toBe(b);
    expect(readdirSync(a)).toEqual(['a-1.jar']);
    expect(readdirSync(cacheDir).filter((name) => name.startsWith('.tmp'))).toEqual([]);
    // Lock-free: both racers may run Maven; the third call finds the cache and runs none.
    const runsBefore = readFileSync(join(dir, 'runs.txt'), 'utf8')
      .split('\n')
      .filter(Boolean).length;
    expect(await resolveJars(options)).toBe(a);
    const runsAfter = readFileSync(join(dir, 'runs.txt'), 'utf8')
      .split('\n')
      .filter(Boolean).length;
    expect(runsAfter).toBe(runsBefore);
  });

  it('fails with TESTKIT_MAVEN_RESOLVE naming the artifact', async () => {
    process.env['SLUICE_MVN'] = fakeMvn({ fail: true });
    const pom = join(dir, 'pom.xml');
    writeFileSync(pom, '<project/>');
    const error = await resolveJars({
      name: 'y-1',
      pom,
      properties: {},
      cacheDir: join(dir, 'cache'),
      artifacts: ['org.example:missing:1'],
    }).catch((e: unknown) => e);
    expect(isTestkitError(error) && error.code).toBe('TESTKIT_MAVEN_RESOLVE');
    expect((error as Error).message).toContain('org.example:missing:1');
    expect((error as Error).message).toContain('Could not resolve');
    expect(existsSync(join(dir, 'cache', 'y-1'))).toBe(false);
  });

  it('fails with TESTKIT_MAVEN_RESOLVE when mvn is missing', async () => {
    process.env['SLUICE_MVN'] = join(dir, 'no-such-mvn');
    const pom = join(dir, 'pom.xml');
    writeFileSync(pom, '<project/>');
    const error = await resolveJars({
      name: 'z',
      pom,
      properties: {},
      cacheDir: join(dir, 'c'),
      artifacts: ['a:b:1'],
    }).catch((e: unknown) => e);
    expect(isTestkitError(error) && error.code).toBe('TESTKIT_MAVEN_RESOLVE');
    expect((error as Error).message).toMatch(/mvn.*could not be run/);
  });
});
