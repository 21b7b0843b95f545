// The connector's own in-process test: a plain run copies every line once. The SIGKILL tests are
// the conformance suite (conformance.test.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectorySink, LineFileSource } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-plugin-template-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Three input files of `perFile` numbered lines each. */
function writeInputs(dir: string, perFile: number): { paths: string[]; lines: string[] } {
  const paths: string[] = [];
  const lines: string[] = [];
  for (let f = 0; f < 3; f += 1) {
    const content = Array.from({ length: perFile }, (_, i) => `file${f}-line${i}`);
    const path = join(dir, `input-${f}.txt`);
    writeFileSync(path, `${content.join('\n')}\n`);
    paths.push(path);
    lines.push(...content);
  }
  return { paths, lines };
}

/** Every line of every committed file (the reader knows only the output format). */
function committedLines(output: string): string[] {
  const dir = join(output, 'committed');
  return readdirSync(dir).flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => l !== ''));
}

function countProblems(expected: readonly string[], actual: readonly string[]): { lost: number; duplicated: number } {
  const seen = new Map<string, number>();
  for (const line of actual) seen.set(line, (seen.get(line) ?? 0) + 1);
  const lost = expected.filter((line) => !seen.has(line.toUpperCase())).length;
  // Every line beyond one per expected line is a duplicate (or something never written).
  return { lost, duplicated: actual.length - (expected.length - lost) };
}

describe('LineFileSource → DirectorySink', () => {
  it('copies every line once in a plain run', async () => {
    const dir = mkdtempSync(join(root, 'plain-'));
    const { paths, lines } = writeInputs(dir, 500);
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    env.enableCheckpointing(50);
    env.getCheckpointConfig().setCheckpointStorage(join(dir, 'checkpoints'));
    env
      .addSource(LineFileSource.create({ paths }))
      .uid('lines')
      .map((line) => line.toUpperCase())
      .addSink(DirectorySink.create({ directory: join(dir, 'out') }))
      .uid('directory-sink');
    const result = await env.execute('plain');
    expect(result.status).toBe('finished');
    const actual = committedLines(join(dir, 'out'));
    expect(actual).toHaveLength(lines.length);
    expect(countProblems(lines, actual)).toEqual({ lost: 0, duplicated: 0 });
    expect(readdirSync(join(dir, 'out', 'pending'))).toEqual([]);
  });
});
