// Connector packages use only @sluice/core's public entry point, exactly as a third-party plugin
// would (STYLE.md §4). Two checks: the ESLint rule in eslint.config.js really rejects deep imports
// (run through ESLint's Linter with that rule's configured options), and no published package's
// source imports anything but a bare `@sluice/<name>` (connectors: only `@sluice/core`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

type RuleEntry = unknown[];

async function restrictedImportsRule(): Promise<RuleEntry> {
  const config = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as {
    default: { rules?: Record<string, unknown> }[];
  };
  const entry = config.default.find((c) => c.rules?.['no-restricted-imports'] !== undefined);
  if (entry === undefined) throw new Error('eslint.config.js has no no-restricted-imports rule');
  return entry.rules?.['no-restricted-imports'] as RuleEntry;
}

async function lint(code: string): Promise<string[]> {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, rules: { 'no-restricted-imports': (await restrictedImportsRule()) as Linter.RuleEntry } }],
    { filename: 'packages/kafka/src/example.ts' },
  );
  return messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('imports of @sluice packages', () => {
  it.each([
    "import { KafkaSource } from '@sluice/core/dist/index.js';",
    "import { JobRunner } from '@sluice/core/dist/runtime/job-runner.js';",
    "import type { Source } from '@sluice/core/src/api/functions.js';",
    "import { x } from '@sluice/core/src';",
    "export { y } from '@sluice/kafka/dist/sink/kafka-sink.js';",
  ])('ESLint rejects the deep import %s', async (code) => {
    const messages = await lint(code);
    expect(messages.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
  });

  it('ESLint accepts the public entry point', async () => {
    expect(await lint("import { StreamExecutionEnvironment } from '@sluice/core';\nimport type { Source } from '@sluice/core';")).toEqual([]);
  });

  it('published packages import other Sluice packages only by their bare name; connectors only @sluice/core', () => {
    const offences: string[] = [];
    for (const name of readdirSync(join(root, 'packages'))) {
      let files: string[];
      try {
        files = sourceFiles(join(root, 'packages', name, 'src'));
      } catch {
        continue; // no src folder
      }
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](@sluice\/[^'"]+)['"]/g)) {
          const specifier = match[1] ?? '';
          const allowed = name === 'core' ? [] : ['@sluice/core'];
          if (!allowed.includes(specifier)) offences.push(`${file.slice(root.length)}: ${specifier}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });
});
