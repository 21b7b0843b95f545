// Proves the connector is what a third party could write: it depends on @sluice/core as a peer
// only, and imports nothing but core's public entry point, Node built-ins and its own files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('an outside package', () => {
  it('declares @sluice/core as its only Sluice dependency, as a peer', () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies).toEqual({ '@sluice/core': '0.x' });
  });

  it('imports only @sluice/core, node: built-ins and its own files', () => {
    const specifiers = sourceFiles(join(packageDir, 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1] ?? ''),
    );
    expect(specifiers.length).toBeGreaterThan(5);
    const foreign = specifiers.filter((s) => s !== '@sluice/core' && !s.startsWith('node:') && !s.startsWith('.'));
    expect(foreign).toEqual([]);
  });
});
