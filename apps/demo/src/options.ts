// Command-line flags and environment variables of the demo (node:util parseArgs, no dependency).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventFormat } from './events.js';

/** Where the aggregates go. `hdfs` and `local` are the two file targets of the FileSink. */
export type SinkTarget = 'kafka' | 'hdfs' | 'local';

/** Everything the demo needs to know, resolved from flags, environment and defaults. */
export interface DemoOptions {
  /** Click events to produce and process. */
  readonly records: number;
  /** Events per second the generator produces (0 = as fast as possible). */
  readonly rate: number;
  /** Parallelism of the job (also the number of input partitions). */
  readonly parallelism: number;
  /** Checkpoint interval in ms. */
  readonly checkpointIntervalMs: number;
  /** Encoding of the input events. */
  readonly format: EventFormat;
  /** The sinks the job writes to. */
  readonly sinks: readonly SinkTarget[];
  /** Kill the job with SIGKILL at random moments and restart it. */
  readonly chaos: boolean;
  /** Number of SIGKILLs in chaos mode. */
  readonly kills: number;
  /** Seed of the chaos plan (kill delays). */
  readonly seed: number;
  /** Local directory for checkpoints, local output and logs. */
  readonly workDir: string;
  /** Port of the web dashboard on 127.0.0.1 (0 = a free port), or `undefined` for no dashboard. */
  readonly dashboardPort: number | undefined;
  /** Run id: part of topic names, paths and the job name, so runs never mix. */
  readonly runId: string;
  /** Print the help text and exit. */
  readonly help: boolean;
}

/** The `--help` text. */
export const HELP = `Sluice demo: generated click events → Kafka → per-user aggregate → Kafka (EXACTLY_ONCE) + files (FileSink)

Usage: npm run demo -- [options]

Options (each also as an environment variable):
  --records <n>              events to produce and process          SLUICE_DEMO_RECORDS        (default 20000)
  --rate <n>                 events per second produced, 0 = max    SLUICE_DEMO_RATE           (default 1000)
  --parallelism <n>          job parallelism = input partitions     SLUICE_DEMO_PARALLELISM    (default 2)
  --checkpoint-interval <ms> checkpoint every <ms>                  SLUICE_DEMO_CHECKPOINT_MS  (default 2000)
  --sink <list>              kafka | hdfs | local | all, or a comma SLUICE_DEMO_SINK           (default all = kafka,hdfs)
                             list such as kafka,local
  --format <json|avro>       encoding of the input events           SLUICE_DEMO_FORMAT         (default json)
  --chaos                    run the job as a child process, SIGKILL it at random moments, restart it,
                             then count the output with independent readers (0 lost, 0 duplicated)
  --kills <n>                SIGKILLs in chaos mode                 SLUICE_DEMO_KILLS          (default 4)
  --seed <n>                 seed of the chaos plan                 SLUICE_DEMO_SEED           (default: random)
  --work-dir <dir>           checkpoints, local output, logs        SLUICE_DEMO_DIR            (default ./.sluice/demo)
  --dashboard-port <n>       web dashboard on 127.0.0.1:<n>, 0 = a  SLUICE_DEMO_DASHBOARD_PORT (default 0)
                             free port, off = none (not in --chaos)
  -h, --help                 this text

Servers: Kafka and HDFS are started from @sluice/testkit (Java 17+ and Maven needed; jars are cached in
~/.cache/sluice) unless SLUICE_KAFKA_BROKERS (host:port,...) / SLUICE_WEBHDFS_URL (http://host:port)
point to running ones. Everything the demo started is stopped when it ends, also on Ctrl-C.`;

/** A flag or variable with a bad value; the message names it. */
export class DemoOptionError extends Error {
  override readonly name = 'DemoOptionError';
}

function integer(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new DemoOptionError(`${name} must be an integer ≥ ${min}, got '${raw}'.`);
  }
  return value;
}

function parseSinks(raw: string): SinkTarget[] {
  const sinks = new Set<SinkTarget>();
  for (const part of raw.split(',').map((s) => s.trim())) {
    if (part === 'all') {
      sinks.add('kafka');
      sinks.add('hdfs');
    } else if (part === 'kafka' || part === 'hdfs' || part === 'local') {
      sinks.add(part);
    } else {
      throw new DemoOptionError(`--sink takes kafka, hdfs, local or all (or a comma list), got '${part}'.`);
    }
  }
  if (sinks.has('hdfs') && sinks.has('local')) {
    throw new DemoOptionError('--sink: choose hdfs or local for the files, not both.');
  }
  return [...sinks];
}

function parseDashboardPort(raw: string): number | undefined {
  if (raw === 'off') return undefined;
  const port = integer('--dashboard-port', raw, 0);
  if (port > 65535) throw new DemoOptionError(`--dashboard-port must be a port (0-65535) or off, got '${raw}'.`);
  return port;
}

/** Parses `argv` (without node and script) with `env` as fallback. */
export function parseDemoOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      records: { type: 'string' },
      rate: { type: 'string' },
      parallelism: { type: 'string' },
      'checkpoint-interval': { type: 'string' },
      sink: { type: 'string' },
      format: { type: 'string' },
      chaos: { type: 'boolean' },
      kills: { type: 'string' },
      seed: { type: 'string' },
      'work-dir': { type: 'string' },
      'dashboard-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const pick = (flag: string | undefined, variable: string, fallback: string): string =>
    flag ?? (env[variable] !== undefined && env[variable] !== '' ? env[variable] : fallback);
  const seedRaw = pick(values.seed, 'SLUICE_DEMO_SEED', String(Math.floor(Math.random() * 1_000_000)));
  const baseDir = env.INIT_CWD ?? process.cwd();
  const format = pick(values.format, 'SLUICE_DEMO_FORMAT', 'json');
  if (format !== 'json' && format !== 'avro') throw new DemoOptionError(`--format takes json or avro, got '${format}'.`);
  return {
    records: integer('--records', pick(values.records, 'SLUICE_DEMO_RECORDS', '20000'), 1),
    rate: integer('--rate', pick(values.rate, 'SLUICE_DEMO_RATE', '1000'), 0),
    parallelism: integer('--parallelism', pick(values.parallelism, 'SLUICE_DEMO_PARALLELISM', '2'), 1),
    checkpointIntervalMs: integer(
      '--checkpoint-interval',
      pick(values['checkpoint-interval'], 'SLUICE_DEMO_CHECKPOINT_MS', '2000'),
      50,
    ),
    format,
    sinks: parseSinks(pick(values.sink, 'SLUICE_DEMO_SINK', 'all')),
    chaos: values.chaos ?? env.SLUICE_DEMO_CHAOS === '1',
    kills: integer('--kills', pick(values.kills, 'SLUICE_DEMO_KILLS', '4'), 0),
    seed: integer('--seed', seedRaw, 0),
    workDir: resolve(baseDir, pick(values['work-dir'], 'SLUICE_DEMO_DIR', '.sluice/demo')),
    dashboardPort: parseDashboardPort(pick(values['dashboard-port'], 'SLUICE_DEMO_DASHBOARD_PORT', '0')),
    runId: `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${Math.random().toString(36).slice(2, 6)}`,
    help: values.help ?? false,
  };
}
