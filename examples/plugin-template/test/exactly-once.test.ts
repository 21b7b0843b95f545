// The connector's own tests: a plain run copies every line once; a job SIGKILLed at seeded random
// moments and restarted until it finishes still has every line exactly once in committed/.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamExecutionEnvironment } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectorySink, LineFileSource } from '../src/index.js';

const copyLines = fileURLToPath(new URL('../dist/bin/copy-lines.js', import.meta.url));
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

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
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

  it('SIGKILLed at random moments and restarted, it still writes every line exactly once', async () => {
    const dir = mkdtempSync(join(root, 'sigkill-'));
    const { paths, lines } = writeInputs(dir, 3000);
    const args = [copyLines, join(dir, 'out'), join(dir, 'checkpoints'), ...paths];
    const random = seeded(Number(process.env.SLUICE_CHAOS_SEED ?? 42));
    const plan: string[] = [];
    let kills = 0;
    for (let run = 1; run <= 30; run += 1) {
      const child = spawn(process.execPath, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CHECKPOINT_INTERVAL_MS: '100', PAUSE_EVERY: '4' },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const delay = Math.round(150 + random() * 600); // well before the ~2-3 s the job needs
      const timer = kills < 4 ? setTimeout(() => child.kill('SIGKILL'), delay) : undefined;
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('exit', (c, s) => resolve([c, s])),
      );
      clearTimeout(timer);
      if (signal === 'SIGKILL') {
        kills += 1;
        plan.push(`run ${run}: killed after ${delay} ms`);
        continue;
      }
      plan.push(`run ${run}: exit ${code}: ${output.trim().split('\n').slice(-3).join(' / ')}`);
      expect(code, plan.join('\n')).toBe(0);
      expect(output).toContain('JOB_FINISHED');
      break;
    }
    expect(kills, plan.join('\n')).toBeGreaterThanOrEqual(3);
    const actual = committedLines(join(dir, 'out'));
    expect(countProblems(lines, actual), plan.join('\n')).toEqual({ lost: 0, duplicated: 0 });
    expect(actual).toHaveLength(lines.length);
  });
});
