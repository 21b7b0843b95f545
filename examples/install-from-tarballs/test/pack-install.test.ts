// Release check: each published package (packages/*, not private) is packed with `npm pack` and
// installed into an empty temp project together with only the Sluice tarballs it declares
// (dependencies and the @sluice/core peer); third-party dependencies come from the registry.
// Then its public entry point is imported there with plain Node (no workspace, no TypeScript
// loader) and must export the same names as the workspace build, and so must every subpath
// export (e.g. `@sluice/testkit/conformance`); `types` must exist. This catches
// files missing from `files`, undeclared dependencies that only resolve inside the monorepo, and
// ESM/CJS interop that only works under a bundler or vitest.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sluice-pack-'));
const tarballs = new Map<string, string>();

interface Manifest {
  readonly name: string;
  readonly private?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly exports?: Record<string, unknown>;
  readonly files?: readonly string[];
}

const published: { dir: string; manifest: Manifest }[] = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true);

beforeAll(async () => {
  for (const { dir, manifest } of published) {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: dir });
    const [info] = JSON.parse(stdout) as { filename: string }[];
    if (info === undefined) throw new Error(`npm pack printed nothing for ${manifest.name}`);
    tarballs.set(manifest.name, join(work, info.filename));
  }
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('published packages', () => {
  it('are all built before this test (listed as devDependencies here)', () => {
    const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Manifest & {
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(own.devDependencies).filter((d) => d.startsWith('@sluice/')).sort()).toEqual(published.map((p) => p.manifest.name).sort());
  });

  for (const { dir, manifest } of published) {
    it(`${manifest.name} installs from its tarball alone and its public API imports`, async () => {
      const project = mkdtempSync(join(work, 'project-'));
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      const sluiceDeps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((d) => d.startsWith('@sluice/'));
      const install = [manifest.name, ...sluiceDeps].map((name) => {
        const tarball = tarballs.get(name);
        if (tarball === undefined) throw new Error(`${manifest.name} depends on ${name}, which is not a published package`);
        return tarball;
      });
      await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', ...install], {
        cwd: project,
      });

      // The installed copy is a real directory inside the project, not a link into the workspace.
      const installed = join(project, 'node_modules', ...manifest.name.split('/'));
      expect(existsSync(join(installed, 'package.json'))).toBe(true);
      expect(readdirSync(installed)).not.toContain('src');

      // Import with plain Node from the consumer project.
      const script = `import * as m from '${manifest.name}'; process.stdout.write(JSON.stringify({ names: Object.keys(m).sort(), at: import.meta.resolve('${manifest.name}') }));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project }).catch(
        (error: { stderr?: string }) => {
          throw new Error(`importing ${manifest.name} from its tarball failed:\n${error.stderr ?? String(error)}`);
        },
      );
      const result = JSON.parse(stdout) as { names: string[]; at: string };
      expect(result.at.startsWith(pathToFileURL(project).href)).toBe(true);
      const workspace = (await import(pathToFileURL(join(dir, 'dist', 'index.js')).href)) as Record<string, unknown>;
      expect(result.names).toEqual(Object.keys(workspace).sort());

      // Every entry of the exports map (subpaths too) is in the tarball, with its `types`, and
      // imports with plain Node exporting the same names as the workspace build.
      const entries = Object.entries(manifest.exports ?? {}).filter(([subpath]) => subpath !== './package.json');
      expect(entries.map(([subpath]) => subpath)).toContain('.');
      for (const [subpath, target] of entries) {
        const { types, default: file } = target as { types?: string; default?: string };
        expect(types, `${manifest.name} exports["${subpath}"].types`).toBeDefined();
        expect(existsSync(join(installed, types ?? 'missing')), `${manifest.name} ${types}`).toBe(true);
        if (subpath === '.') continue;
        const specifier = `${manifest.name}${subpath.slice(1)}`;
        const names = await run(process.execPath, ['--input-type=module', '-e', `import * as m from '${specifier}'; process.stdout.write(JSON.stringify(Object.keys(m).sort()));`], {
          cwd: project,
        });
        const own = (await import(pathToFileURL(join(dir, file ?? 'missing')).href)) as Record<string, unknown>;
        expect(JSON.parse(names.stdout), specifier).toEqual(Object.keys(own).sort());
      }
    });
  }
});
