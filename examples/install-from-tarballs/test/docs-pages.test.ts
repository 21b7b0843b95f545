// Every published package has its docs page (docs/packages/<name>.md), linked from the README and
// the packages index, and every relative link of those pages points at a file that exists, so the
// tested examples they name cannot silently move away.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const pagesDir = join(root, 'docs', 'packages');
const published = readdirSync(join(root, 'packages')).filter((name) => {
  const manifest = join(root, 'packages', name, 'package.json');
  return existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { private?: boolean }).private !== true;
});

/** The relative link targets of a markdown file (without #anchors), resolved from its folder. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith('#'))
    .map((target) => resolve(dirname(file), target.split('#')[0] ?? ''));
}

describe('docs/packages', () => {
  it('has a page per published package, linked from the README and the index', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const index = readFileSync(join(pagesDir, 'README.md'), 'utf8');
    for (const name of published) {
      expect(existsSync(join(pagesDir, `${name}.md`)), `docs/packages/${name}.md`).toBe(true);
      expect(readme).toContain(`(docs/packages/${name}.md)`);
      expect(index).toContain(`(${name}.md)`);
    }
  });

  it('links only to files that exist, and each page names a tested example or test file', () => {
    for (const page of readdirSync(pagesDir).filter((name) => name.endsWith('.md'))) {
      const links = relativeLinks(join(pagesDir, page));
      for (const target of links) expect(existsSync(target), `${page} → ${target}`).toBe(true);
      if (page !== 'README.md') {
        const tested = links.filter((target) => /\/examples\/|\/apps\/demo\/|\/test\//.test(target));
        expect(tested.length, `${page} names no example or test file`).toBeGreaterThan(0);
      }
    }
  });
});
