// The product's promise for the FileSink: a replayable numbered source → FileSink job, run as a
// child process and SIGKILLed at seeded random times and at injected points (mid-append, after a
// flush, after the sink's snapshot, between the checkpoint metadata write and the commit, inside
// commits and recovery truncates), restarted until it finishes, writes every number exactly once
// into the finished part files, on local disk (read back with node:fs) and on a real HDFS (read
// back with Hadoop's own FsShell `-cat`). One HDFS run also keeps its checkpoints on HDFS
// (FileSystemCheckpointStorage).
//
// SLUICE_CHAOS_RUNS=<kills> turns the seeded part into a soak of about that many kills per target;
// SLUICE_CHAOS_SEED=<n> replays scenarios from seed n; SLUICE_CHAOS_LOG=<file> appends one line per
// finished scenario (progress of a long soak).
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFinishedWithFsShell } from './helpers/fs-shell-finished.js';
import { checkExactlyOnce, describeExactlyOnce, isExactlyOnceReport } from './helpers/exactly-once.js';
import type { ExactlyOnceReport } from './helpers/exactly-once.js';
import { bundleScript, JobProcesses, seeded } from './jobs/job-processes.js';
import type { JobRun } from './jobs/job-processes.js';
import { FILE_SINK_KILL_POINTS } from './jobs/kill-switch.js';
import type { FileSinkKillPoint } from './jobs/kill-switch.js';

const TOTAL = 4000;
const KILLS_PER_SCENARIO = 4;
const MIN_CI_KILLS = 20;
const soakKills = Number(process.env['SLUICE_CHAOS_RUNS'] ?? '0');
const firstSeed = Number(process.env['SLUICE_CHAOS_SEED'] ?? '1');
const seededScenarios = soakKills > 0 ? Math.ceil((soakKills * 1.6) / KILLS_PER_SCENARIO) : 6;

/** How many passes of each point a job makes, roughly: the range a seeded occurrence is drawn from. */
const POINT_RANGE: Record<FileSinkKillPoint, number> = {
  'source.emit': 1200,
  // The sink hands its output one write per 16 KiB of records or per checkpoint, not one per record.
  'fs.write-partial': 12,
  'fs.created': 4,
  'fs.flushed': 12,
  'sink.snapshot-done': 6,
  'storage.metadata-committed': 5,
  'sink.notify': 5,
  'fs.renamed': 4,
  'fs.truncated': 1,
};

type Kill = { readonly point: FileSinkKillPoint; readonly at: number } | { readonly afterMs: number };

function describeKill(kill: Kill | undefined): string {
  if (kill === undefined) return 'no kill';
  return 'afterMs' in kill ? `timer ${kill.afterMs} ms` : `${kill.point}:${kill.at}`;
}

function drawPlan(seed: number, timerMs: readonly [number, number]): Kill[] {
  const random = seeded(seed);
  return Array.from({ length: KILLS_PER_SCENARIO }, (): Kill => {
    if (random() < 0.4) return { afterMs: Math.round(timerMs[0] + random() * (timerMs[1] - timerMs[0])) };
    const point = FILE_SINK_KILL_POINTS[Math.floor(random() * FILE_SINK_KILL_POINTS.length)] as FileSinkKillPoint;
    return { point, at: 1 + Math.floor(random() * POINT_RANGE[point]) };
  });
}

/** Kills at every injected point in turn (occurrences chosen so each fires in a 4000-record run). */
const EVERY_POINT: Kill[] = [
  { point: 'fs.write-partial', at: 20 },
  { point: 'fs.truncated', at: 1 },
  { point: 'source.emit', at: 900 },
  { point: 'fs.created', at: 3 },
  { point: 'fs.flushed', at: 4 },
  { point: 'sink.snapshot-done', at: 3 },
  { point: 'storage.metadata-committed', at: 3 },
  { point: 'sink.notify', at: 2 },
  { point: 'fs.renamed', at: 1 },
];

interface TargetSetup {
  readonly env: Record<string, string>;
  /** Part size and compaction target of the compaction scenarios (fewer, larger parts on HDFS). */
  readonly compactionEnv: Record<string, string>;
  readonly timerMs: readonly [number, number];
  /** Lists the finished names and reads their concatenated text, independently of the sink. */
  readFinished(): Promise<{ names: string[]; text: string }>;
}

interface Target {
  readonly name: string;
  setup(dir: string): TargetSetup;
}

const localTarget: Target = {
  name: 'local disk',
  setup: (dir) => ({
    env: { SLUICE_TARGET: 'local', SLUICE_OUT: '/out', SLUICE_CHECKPOINT_INTERVAL_MS: '60' },
    compactionEnv: { SLUICE_PART_BYTES: '60', SLUICE_COMPACT_BYTES: '600' },
    timerMs: [150, 1200],
    async readFinished() {
      const names: string[] = [];
      let text = '';
      const out = join(dir, 'fs', 'out');
      for (const bucket of await readdir(out)) {
        for (const name of (await readdir(join(out, bucket))).sort()) {
          if (name.startsWith('.')) continue;
          names.push(name);
          text += await readFile(join(out, bucket, name), 'utf8');
        }
      }
      return { names, text };
    },
  }),
};

const hdfsTarget: Target = {
  name: 'real HDFS',
  setup: () => {
    const hdfs = inject('sluiceHdfs');
    const out = `/sigkill-${randomUUID()}/out`;
    return {
      env: {
        SLUICE_TARGET: 'hdfs',
        SLUICE_WEBHDFS_URL: hdfs.webhdfsUrl,
        SLUICE_HDFS_USER: hdfs.user,
        SLUICE_OUT: out,
        SLUICE_CHECKPOINT_INTERVAL_MS: '150',
      },
      compactionEnv: { SLUICE_PART_BYTES: '300', SLUICE_COMPACT_BYTES: '3000' },
      timerMs: [400, 3500],
      readFinished: () => readFinishedWithFsShell(hdfs, out),
    };
  },
};

let jobs: JobProcesses;
const workDirs: string[] = [];
const killsByTarget = new Map<string, number>();
const restoreTimes = new Map<string, number[]>();

beforeAll(async () => {
  jobs = new JobProcesses(await bundleScript(new URL('./jobs/file-sink-job.ts', import.meta.url)));
});

afterAll(async () => {
  jobs?.stopAll();
  for (const dir of workDirs) await rm(dir, { recursive: true, force: true });
  for (const [target, times] of restoreTimes) {
    const sorted = [...times].sort((a, b) => a - b);
    process.stdout.write(
      `FileSink SIGKILL on ${target}: ${killsByTarget.get(target) ?? 0} kills; sink restore (commit + truncate + reopen) ` +
        `median ${sorted[Math.floor(sorted.length / 2)] ?? 0} ms, max ${sorted.at(-1) ?? 0} ms over ${sorted.length} restores\n`,
    );
  }
});

function outcome(run: JobRun): string {
  if (run.signal === 'SIGKILL') return `killed ${run.killedAt !== undefined ? `at ${run.killedAt}` : run.killedByTimer ? 'by timer' : '(?)'} after ${run.elapsedMs} ms`;
  return `exit ${String(run.exitCode)} after ${run.elapsedMs} ms`;
}

/** Runs one scenario to completion; returns the kills and the independent report. */
async function runScenario(
  target: Target,
  options: { label: string; plan: readonly Kill[]; extraEnv?: Record<string, string> },
): Promise<{ kills: number; report: ExactlyOnceReport; log: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-fs-sigkill-'));
  workDirs.push(dir);
  const setup = target.setup(dir);
  const log: string[] = [];
  let kills = 0;
  for (let run = 0; run < options.plan.length + 4; run += 1) {
    const kill = options.plan[run];
    const result = await jobs.run(
      {
        ...setup.env,
        ...options.extraEnv,
        SLUICE_JOB_DIR: dir,
        SLUICE_SEQ_COUNT: String(TOTAL),
        SLUICE_PARALLELISM: '2',
        SLUICE_PAUSE_EVERY: '2',
        SLUICE_KILL_AT: kill !== undefined && 'point' in kill ? `${kill.point}:${kill.at}` : '',
      },
      { ...(kill !== undefined && 'afterMs' in kill ? { killAfterMs: kill.afterMs } : {}), timeoutMs: 120_000 },
    );
    for (const match of result.stderr.matchAll(/RESTORED_IN_MS (\d+)/g)) {
      const times = restoreTimes.get(target.name) ?? [];
      times.push(Number(match[1]));
      restoreTimes.set(target.name, times);
    }
    log.push(`run ${run + 1}: ${describeKill(kill)} → ${outcome(result)}`);
    if (result.signal === 'SIGKILL') {
      kills += 1;
      continue;
    }
    if (result.exitCode === 0 && result.stdout.includes('JOB_FINISHED')) {
      const finished = await setup.readFinished();
      const report = checkExactlyOnce({ ...finished, total: TOTAL });
      const progress = process.env['SLUICE_CHAOS_LOG'];
      if (progress) appendFileSync(progress, `${target.name} | ${options.label} | kills ${kills} | ${describeExactlyOnce(report)}\n`);
      return { kills, report, log };
    }
    throw new Error(`${options.label}: the job failed.\n${log.join('\n')}\nstderr:\n${result.stderr.slice(-5000)}`);
  }
  throw new Error(`${options.label}: the job did not finish.\n${log.join('\n')}`);
}

for (const target of [localTarget, hdfsTarget]) {
  describe(`FileSink exactly-once under SIGKILL + restart, ${target.name}`, () => {
    const record = (kills: number): void => void killsByTarget.set(target.name, (killsByTarget.get(target.name) ?? 0) + kills);

    it('survives a kill at every injected point in turn (mid-append, recovery truncate, flush, snapshot, metadata, notify, commit)', { timeout: 300_000 }, async () => {
      const result = await runScenario(target, { label: 'every point', plan: EVERY_POINT });
      record(result.kills);
      expect(isExactlyOnceReport(result.report), `${describeExactlyOnce(result.report)}\n${result.log.join('\n')}`).toBe(true);
      expect(result.kills, result.log.join('\n')).toBeGreaterThanOrEqual(EVERY_POINT.length - 1);
    });

    // On HDFS each run costs more: one scenario fewer in CI (still ≥ 20 kills).
    const scenarios = soakKills > 0 || target !== hdfsTarget ? seededScenarios : seededScenarios - 1;
    for (let scenario = 0; scenario < scenarios; scenario += 1) {
      const seed = firstSeed + scenario;
      const checkpointsOnTarget = target === hdfsTarget && scenario === 0;
      // Every third scenario compacts small parts (e.g. 60-byte parts merged up to 600 bytes at commit).
      const compaction = scenario % 3 === 1;
      const title =
        `seed ${seed}: ${KILLS_PER_SCENARIO} seeded kills` +
        `${checkpointsOnTarget ? ', checkpoints on HDFS too' : ''}${compaction ? ', with compaction' : ''}`;
      it(title, { timeout: 300_000 }, async () => {
        const plan = drawPlan(seed, target.setup('/unused').timerMs);
        const label = `${target.name} ${title} (plan: ${plan.map(describeKill).join(', ')})`;
        const result = await runScenario(target, {
          label,
          plan,
          extraEnv: {
            ...(checkpointsOnTarget ? { SLUICE_CHECKPOINTS: 'target' } : {}),
            ...(compaction ? target.setup('/unused').compactionEnv : {}),
          },
        });
        record(result.kills);
        expect(isExactlyOnceReport(result.report), `${label}: ${describeExactlyOnce(result.report)}\n${result.log.join('\n')}`).toBe(true);
      });
    }

    it('lease left by a killed writer: every restore (commit, truncate, reopen for append) ended within retry.leaseRecoveryTimeoutMs (90 s)', () => {
      const times = restoreTimes.get(target.name) ?? [];
      expect(times.length).toBeGreaterThan(0);
      expect(Math.max(...times)).toBeLessThan(90_000);
    });

    it(`killed the job at least ${MIN_CI_KILLS} times`, () => {
      expect(killsByTarget.get(target.name) ?? 0).toBeGreaterThanOrEqual(soakKills > 0 ? soakKills : MIN_CI_KILLS);
    });
  });
}

describe('the independent exactly-once check can fail', () => {
  it('finds duplicates when a sink without the checkpoint protocol is killed and restarted (local disk)', { timeout: 120_000 }, async () => {
    const result = await runScenario(localTarget, {
      label: 'direct sink',
      plan: [{ point: 'source.emit', at: 1500 }],
      extraEnv: { SLUICE_SINK: 'direct', SLUICE_CHECKPOINT_INTERVAL_MS: '200' },
    });
    expect(result.kills).toBe(1);
    expect(result.report.duplicated.length, describeExactlyOnce(result.report)).toBeGreaterThan(0);
    expect(result.report.missing).toEqual([]);
  });
});
