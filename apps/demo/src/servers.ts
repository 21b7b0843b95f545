// Kafka and HDFS for the demo: from @sluice/testkit (real servers from Maven Central jars), or the
// running ones named by SLUICE_KAFKA_BROKERS / SLUICE_WEBHDFS_URL.
import { startHdfs, startKafka } from '@sluice/testkit';
import type { FsShellResult, HdfsServer, KafkaServer } from '@sluice/testkit';

/** The servers the demo uses, and a `stop()` that stops the ones it started. */
export interface DemoServers {
  readonly brokers: readonly string[];
  readonly kafkaExternal: boolean;
  readonly hdfs:
    | {
        readonly webhdfsUrl: string;
        readonly user: string;
        readonly external: boolean;
        /** Hadoop's FsShell against this HDFS, when the RPC address is known. */
        readonly fsShell: ((args: string[]) => Promise<FsShellResult>) | undefined;
      }
    | undefined;
  stop(): Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Starts Kafka (always: it carries the input) and HDFS (when `needHdfs`). While a server starts,
 * the testkit installs handlers that kill its servers at once on SIGINT/SIGTERM/SIGHUP; the demo
 * handles those signals itself (final checkpoint first, then a graceful stop), so it removes the
 * handlers that appeared here. The testkit's exit hook and watchdog stay: a demo that dies still
 * leaves no Java process behind.
 */
export async function startServers(needHdfs: boolean, log: (line: string) => void): Promise<DemoServers> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const started: Array<KafkaServer | HdfsServer> = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(started.map((server) => server.stop()));
  };
  try {
    const external = process.env.SLUICE_KAFKA_BROKERS !== undefined && process.env.SLUICE_KAFKA_BROKERS !== '';
    const externalHdfs = process.env.SLUICE_WEBHDFS_URL !== undefined && process.env.SLUICE_WEBHDFS_URL !== '';
    log(
      `Starting ${[external ? undefined : 'Kafka', needHdfs && !externalHdfs ? 'HDFS' : undefined].filter(Boolean).join(' and ') || 'nothing (using running servers)'}` +
        (external || (needHdfs && externalHdfs) ? ' — using SLUICE_* servers for the rest' : '') +
        ' …',
    );
    const begin = Date.now();
    const [kafka, hdfs] = await Promise.all([
      startKafka().then((server) => (started.push(server), server)),
      needHdfs ? startHdfs().then((server) => (started.push(server), server)) : undefined,
    ]);
    log(
      `Kafka ${kafka.bootstrapServers.join(',')}${kafka.external ? ' (external)' : ` (Kafka ${kafka.version})`}` +
        (hdfs === undefined ? '' : `, HDFS ${hdfs.webhdfsUrl}${hdfs.external ? ' (external)' : ` (Hadoop ${hdfs.version})`}`) +
        ` — ready in ${((Date.now() - begin) / 1000).toFixed(1)} s`,
    );
    return {
      brokers: kafka.bootstrapServers,
      kafkaExternal: kafka.external,
      hdfs:
        hdfs === undefined
          ? undefined
          : {
              webhdfsUrl: hdfs.webhdfsUrl,
              user: hdfs.user,
              external: hdfs.external,
              fsShell: hdfs.external && process.env.SLUICE_HDFS_RPC_URL === undefined ? undefined : (args) => hdfs.fsShell(args),
            },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    for (const signal of SIGNALS) {
      const known = before.get(signal) ?? new Set();
      for (const listener of process.listeners(signal)) if (!known.has(listener)) process.removeListener(signal, listener);
    }
  }
}
