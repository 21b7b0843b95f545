// `npm run demo`: starts Kafka (and HDFS) unless SLUICE_* variables name running ones, produces
// click events, runs the job with live progress (or, with --chaos, kills and restarts it), counts
// the output with independent readers, prints a summary and stops what it started.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runChaos } from './chaos.js';
import { createTopics, inputDecoder, produceClicks } from './events.js';
import { startDemoJob } from './job.js';
import { createLogger, startMonitoring } from '@sluice/monitoring';
import type { DemoJobConfig, FileTarget, JobCounters } from './job.js';
import { HELP, parseDemoOptions } from './options.js';
import type { DemoOptions } from './options.js';
import { sample, watchProgress } from './progress.js';
import type { DemoServers } from './servers.js';
import { startServers } from './servers.js';
import { countOutput, inputIdsOf, readLocalParts, readTopic } from './verify.js';
import type { OutputCount } from './verify.js';

const print = (line: string): void => void process.stdout.write(`${line}\n`);

function fileTarget(options: DemoOptions, servers: DemoServers): FileTarget | undefined {
  if (options.sinks.includes('local')) {
    return { kind: 'local', root: join(options.workDir, options.runId), basePath: '/output' };
  }
  if (options.sinks.includes('hdfs') && servers.hdfs !== undefined) {
    return { kind: 'hdfs', url: servers.hdfs.webhdfsUrl, user: servers.hdfs.user, basePath: `/sluice-demo/${options.runId}/output` };
  }
  return undefined;
}

async function readFiles(target: FileTarget, servers: DemoServers): Promise<{ lines: string[]; reader: string }> {
  if (target.kind === 'local') {
    return { lines: await readLocalParts(join(target.root, target.basePath)), reader: 'node:fs' };
  }
  const fsShell = servers.hdfs?.fsShell;
  if (fsShell === undefined) {
    throw new Error('Counting HDFS files needs FsShell: set SLUICE_HDFS_RPC_URL (hdfs://host:port) with SLUICE_WEBHDFS_URL.');
  }
  // part-* skips the hidden in-progress files (.part-….inprogress.…).
  const cat = await fsShell(['-cat', `${target.basePath}/*/part-*`]);
  if (cat.code !== 0) throw new Error(`FsShell -cat failed (${cat.code}): ${cat.stderr.slice(-2000)}`);
  return { lines: cat.stdout.split('\n').filter((line) => line !== ''), reader: 'FsShell -cat' };
}

interface Summary {
  readonly inputs: number;
  readonly outputs: OutputCount[];
}

async function verify(config: DemoJobConfig, servers: DemoServers): Promise<Summary> {
  print('Counting with independent readers …');
  const decode = inputDecoder(config.format);
  const inputIds = inputIdsOf((await readTopic(config.brokers, config.inputTopic, { readCommitted: false })).map(decode));
  const outputs: OutputCount[] = [];
  if (config.outputTopic !== undefined) {
    const values = (await readTopic(config.brokers, config.outputTopic, { readCommitted: true })).map((v) => v.toString('utf8'));
    outputs.push(countOutput('on Kafka', values, inputIds));
    print(`  Kafka ${config.outputTopic} (kafkajs, read_committed): ${values.length} records, e.g. ${values[0] ?? '-'}`);
  }
  if (config.files !== undefined) {
    const { lines, reader } = await readFiles(config.files, servers);
    outputs.push(countOutput('in files', lines, inputIds));
    print(`  files (${reader}): ${lines.length} records`);
  }
  return { inputs: inputIds.size, outputs };
}

function summaryLine(summary: Summary, interrupted: boolean): string {
  const lost = summary.outputs.reduce((n, o) => n + o.lost, 0);
  const duplicated = summary.outputs.reduce((n, o) => n + o.duplicated, 0);
  return [
    `${summary.inputs} records in`,
    ...summary.outputs.map((o) => `${o.records} ${o.name === 'on Kafka' ? 'out on Kafka' : 'in files'}`),
    // Stopped early, the job did not read everything: missing records are unprocessed, not lost.
    interrupted ? `${lost} not processed before the stop` : `${lost} lost`,
    `${duplicated} duplicated`,
  ].join(', ');
}

async function main(): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseDemoOptions(process.argv.slice(2), process.env);
  } catch (error) {
    print(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    print(HELP);
    return 0;
  }
  const runDir = join(options.workDir, options.runId);
  await mkdir(runDir, { recursive: true });
  print(
    `Sluice demo ${options.runId}: ${options.records} click events at ${options.rate === 0 ? 'full speed' : `${options.rate}/s`}, ` +
      `${options.format.toUpperCase()}, parallelism ${options.parallelism}, checkpoints every ${options.checkpointIntervalMs} ms, sinks ${options.sinks.join('+')}` +
      (options.chaos ? `, chaos: ${options.kills} SIGKILLs (seed ${options.seed})` : ''),
  );

  // First Ctrl-C: stop producing, stop the job with a final checkpoint, count, stop the servers.
  // Second Ctrl-C: exit now (the testkit's exit hook kills the servers it started).
  const stop = new AbortController();
  let cancelJob: (() => void) | undefined;
  // npm forwards the terminal's Ctrl-C to its child as well, so one keypress can arrive two or three
  // times within milliseconds: a signal counts as "again" only a second after the first.
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted && Date.now() - firstSignalAt < 1000) return;
    if (stop.signal.aborted) {
      print(`\n${signal} again: exiting now.`);
      process.exit(130);
    }
    print(`\n${signal}: stopping (final checkpoint, then the servers; again to exit now) …`);
    firstSignalAt = Date.now();
    stop.abort();
    cancelJob?.();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  let servers: DemoServers | undefined;
  try {
    servers = await startServers(options.sinks.includes('hdfs'), print);
    if (stop.signal.aborted) return 130;
    const config: DemoJobConfig = {
      jobName: `sluice-demo-${options.runId}`,
      brokers: servers.brokers,
      inputTopic: `clicks-${options.runId}`,
      format: options.format,
      outputTopic: options.sinks.includes('kafka') ? `user-totals-${options.runId}` : undefined,
      groupId: `sluice-demo-${options.runId}`,
      transactionalIdPrefix: `sluice-demo-${options.runId}`,
      parallelism: options.parallelism,
      checkpointIntervalMs: options.checkpointIntervalMs,
      checkpointDir: join(runDir, 'checkpoints'),
      files: fileTarget(options, servers),
    };
    await createTopics(servers.brokers, [
      { topic: config.inputTopic, partitions: options.parallelism },
      ...(config.outputTopic === undefined ? [] : [{ topic: config.outputTopic, partitions: options.parallelism }]),
    ]);
    print(`Producing into ${config.inputTopic} (${options.parallelism} partitions, keyed by user); job ${config.jobName}`);
    let allKills: () => void = () => undefined;
    const allKillsDone = new Promise<void>((resolve) => (allKills = resolve));
    stop.signal.addEventListener('abort', () => allKills(), { once: true });
    const producing = produceClicks({
      brokers: servers.brokers,
      topic: config.inputTopic,
      partitions: options.parallelism,
      records: options.records,
      rate: options.rate,
      format: options.format,
      signal: stop.signal,
      endAfter: options.chaos ? allKillsDone : undefined,
    });
    producing.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile

    const began = Date.now();
    let chaos: { kills: number; runs: number } | undefined;
    if (options.chaos) {
      chaos = await runChaos(config, { kills: options.kills, seed: options.seed, logDir: runDir, signal: stop.signal, onAllKills: allKills }, print);
    } else {
      const counters: JobCounters = { filesCommitted: 0 };
      const handle = await startDemoJob(config, counters);
      cancelJob = () => void handle.cancel().catch(() => undefined);
      if (stop.signal.aborted) cancelJob();
      const unwatch = watchProgress(handle, counters, print);
      const monitoring =
        options.dashboardPort === undefined
          ? undefined
          : await startMonitoring(handle, {
              port: options.dashboardPort,
              logger: createLogger({ level: 'warn', json: false, destination: process.stderr }),
            });
      if (monitoring !== undefined) print(`Dashboard: ${monitoring.url}/ (Prometheus metrics at ${monitoring.url}/metrics)`);
      try {
        const result = await handle.result;
        const last = sample(handle.metrics(), counters);
        const checkpoint =
          result.lastCheckpointId === undefined ? '-' : `#${result.lastCheckpointId} (${last.checkpointDurationMs ?? '?'} ms)`;
        print(
          `Job ${result.status} in ${(result.netRuntimeMs / 1000).toFixed(1)} s: last checkpoint ${checkpoint}, ` +
            `${counters.filesCommitted} files finished`,
        );
      } finally {
        unwatch();
        await monitoring?.close();
      }
    }
    const produced = await producing;
    const summary = await verify(config, servers);
    const interrupted = stop.signal.aborted;
    const line = summaryLine(summary, interrupted);
    print('');
    if (chaos !== undefined) print(`Chaos: ${chaos.kills} SIGKILLs, ${chaos.runs} runs of the job, ${((Date.now() - began) / 1000).toFixed(1)} s`);
    const inconsistent = summary.outputs.reduce((n, o) => n + o.inconsistentUsers, 0);
    print(line);
    if (inconsistent > 0) print(`${inconsistent} users have running counts with gaps or repeats (state not exactly-once)`);
    print('');
    print('Where to look:');
    print(`  checkpoints:  ${config.checkpointDir}`);
    if (config.outputTopic !== undefined) {
      print(`  Kafka topic:  ${config.outputTopic} on ${config.brokers.join(',')} (read with isolation read_committed)`);
    }
    if (config.files?.kind === 'local') print(`  files:        ${join(config.files.root, config.files.basePath)}/region-*/part-*`);
    if (config.files?.kind === 'hdfs') print(`  files:        ${config.files.url.replace(/\/webhdfs\/v1\/?$/, '')} ${config.files.basePath}/region-*/part-*`);
    if (!servers.kafkaExternal || servers.hdfs?.external === false) {
      print('  (the servers the demo started stop now, with their data; to keep the output, run `npx sluice-testkit all`');
      print('   in another terminal and export the SLUICE_KAFKA_BROKERS / SLUICE_WEBHDFS_URL / SLUICE_HDFS_RPC_URL it prints)');
    }
    if (interrupted) {
      print(`Interrupted after producing ${produced} events: counts cover what was processed before the stop.`);
      const duplicated = summary.outputs.reduce((n, o) => n + o.duplicated, 0);
      return duplicated === 0 ? 130 : 1;
    }
    const lost = summary.outputs.reduce((n, o) => n + o.lost, 0);
    const duplicated = summary.outputs.reduce((n, o) => n + o.duplicated, 0);
    const ok = lost === 0 && duplicated === 0 && inconsistent === 0 && summary.inputs === options.records;
    if (!ok) print('FAILED: the output does not match the input exactly once.');
    return ok ? 0 : 1;
  } finally {
    if (servers !== undefined && (!servers.kafkaExternal || servers.hdfs?.external === false)) print('Stopping the servers the demo started …');
    await servers?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    print(`Demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (error instanceof Error && error.cause !== undefined) print(`cause: ${String(error.cause)}`);
    process.exit(1);
  },
);

