// `sluice-testkit kafka|hdfs|all`: starts servers in the foreground until Ctrl-C.
import { startHdfs } from '../hdfs/start-hdfs.js';
import type { HdfsServer } from '../hdfs/start-hdfs.js';
import { resolveCacheDir } from '../internal/cache-dir.js';
import { killAllServersNow, setKillOnSignal } from '../internal/server-process.js';
import { startKafka } from '../kafka/start-kafka.js';
import type { KafkaServer } from '../kafka/start-kafka.js';
import { advertiseBrokers } from './advertised-brokers.js';
import { reportError } from './report-error.js';

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function describeKafka(kafka: KafkaServer): void {
  out(`Kafka ${kafka.version ?? ''} ready`);
  out(`  bootstrap servers: ${kafka.bootstrapServers.join(',')}`);
  if (kafka.security !== undefined) {
    const s = kafka.security;
    out(
      `  SASL_PLAINTEXT:    ${s.saslPlaintextBootstrapServers.join(',')} (${s.mechanisms.join(', ')})`,
    );
    out(`  SSL:               ${s.sslBootstrapServers.join(',')}`);
    out(`  user / password:   ${s.username} / ${s.password}`);
    out(`  CA certificate:\n${s.caPem.trim()}`);
  }
  out(`  log: ${kafka.logFile ?? '(external)'}`);
  out(`  export SLUICE_KAFKA_BROKERS=${kafka.bootstrapServers.join(',')}`);
}

function describeHdfs(hdfs: HdfsServer): void {
  out(`HDFS ${hdfs.version ?? ''} ready`);
  out(`  WebHDFS: ${hdfs.webhdfsUrl}  (user.name=${hdfs.user})`);
  out(`  RPC:     ${hdfs.rpcUrl ?? '(unknown)'}`);
  out(`  log: ${hdfs.logFile ?? '(external)'}`);
  out(`  export SLUICE_WEBHDFS_URL=${hdfs.webhdfsUrl} SLUICE_HDFS_RPC_URL=${hdfs.rpcUrl ?? ''}`);
}

/**
 * `sluice-testkit kafka|hdfs|all`: starts the servers, prints their addresses (and advertises the
 * brokers to `produce`/`consume`), and runs until a signal stops them; returns the exit code.
 */
export async function serve(what: 'kafka' | 'hdfs' | 'all', security: boolean): Promise<number> {
  const servers: Array<{ stop(): Promise<void> }> = [];
  let unadvertise = (): void => undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    unadvertise();
    stopping ??= Promise.allSettled(servers.map((server) => server.stop())).then(() => undefined);
    return stopping;
  };
  // Keeps the event loop alive while the servers run; cleared on stop.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  // Stop gracefully on the first signal (SIGTERM, SIGKILL after a grace period); a second one kills at once.
  setKillOnSignal(false);
  const finished = new Promise<void>((resolvePromise) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (stopping !== undefined) {
          out(`\n${signal} again: killing.`);
          killAllServersNow();
          process.exit(130);
        }
        out(`\n${signal}: stopping (again to kill)...`);
        void stopAll().then(() => resolvePromise());
      });
    }
  });
  try {
    const started = Date.now();
    const [kafka, hdfs] = await Promise.all([
      what === 'hdfs'
        ? undefined
        : startKafka({ security, useExternal: false }).then(
            (server) => (servers.push(server), server),
          ),
      what === 'kafka'
        ? undefined
        : startHdfs({ useExternal: false }).then((server) => (servers.push(server), server)),
    ]);
    if (kafka !== undefined) {
      describeKafka(kafka);
      unadvertise = advertiseBrokers(resolveCacheDir(), kafka.bootstrapServers);
    }
    if (hdfs !== undefined) describeHdfs(hdfs);
    out(`Started in ${((Date.now() - started) / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);
    await finished;
    out('Stopped.');
    return 0;
  } catch (error) {
    await stopAll();
    return reportError(error);
  } finally {
    clearInterval(keepAlive);
  }
}
