import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { startHdfs } from '../hdfs/start-hdfs.js';
import type { HdfsConnectionInfo, HdfsServer, StartHdfsOptions } from '../hdfs/start-hdfs.js';
import { startKafka } from '../kafka/start-kafka.js';
import type { KafkaConnectionInfo, KafkaServer, StartKafkaOptions } from '../kafka/start-kafka.js';

/** The `provide` key under which {@link kafkaGlobalSetup} hands the broker to tests. */
export const KAFKA_PROVIDE_KEY = 'sluiceKafka';
/** The `provide` key under which {@link hdfsGlobalSetup} hands HDFS to tests. */
export const HDFS_PROVIDE_KEY = 'sluiceHdfs';

/**
 * What a vitest globalSetup receives (vitest's `TestProject` fits): only `provide` is used.
 */
export interface ProvideTarget {
  provide(key: string, value: unknown): void;
}

/** vitest's `inject` function (pass it in: the testkit does not import vitest). */
export type InjectFunction = (key: never) => unknown;

/** Stops what a globalSetup started. */
export type Teardown = () => Promise<void>;

/** Options of {@link testkitGlobalSetup}. */
export interface TestkitGlobalSetupOptions {
  /**
   * Start Kafka (`true` or its options) and provide it as `sluiceKafka`.
   * @defaultValue false
   */
  kafka?: boolean | StartKafkaOptions;
  /**
   * Start HDFS (`true` or its options) and provide it as `sluiceHdfs`.
   * @defaultValue false
   */
  hdfs?: boolean | StartHdfsOptions;
}

/**
 * Starts the servers a package's integration tests share (one of each per test run) and
 * provides their descriptions to tests. Use it from a vitest globalSetup file's `setup(project)`
 * and return its result (the teardown). Kafka and HDFS start in parallel; if one fails, the
 * other is stopped and the error is thrown, so the run fails with the reason.
 */
export async function testkitGlobalSetup(
  project: ProvideTarget,
  options: TestkitGlobalSetupOptions,
): Promise<Teardown> {
  const pick = <T>(value: boolean | T | undefined): T | undefined =>
    value === undefined || value === false ? undefined : value === true ? ({} as T) : value;
  const kafkaOptions = pick(options.kafka);
  const hdfsOptions = pick(options.hdfs);
  const [kafka, hdfs] = await Promise.allSettled([
    kafkaOptions === undefined ? Promise.resolve(undefined) : startKafka(kafkaOptions),
    hdfsOptions === undefined ? Promise.resolve(undefined) : startHdfs(hdfsOptions),
  ]);
  const started: Array<KafkaServer | HdfsServer> = [];
  if (kafka.status === 'fulfilled' && kafka.value !== undefined) started.push(kafka.value);
  if (hdfs.status === 'fulfilled' && hdfs.value !== undefined) started.push(hdfs.value);
  const teardown: Teardown = async () => {
    await Promise.allSettled(started.map((server) => server.stop()));
  };
  if (kafka.status === 'rejected' || hdfs.status === 'rejected') {
    await teardown();
    if (kafka.status === 'rejected' && hdfs.status === 'rejected') {
      throw new AggregateError(
        [kafka.reason, hdfs.reason],
        `Kafka and HDFS both failed to start: ${String((kafka.reason as Error)?.message)} / ${String((hdfs.reason as Error)?.message)}`,
      );
    }
    throw kafka.status === 'rejected' ? kafka.reason : (hdfs as PromiseRejectedResult).reason;
  }
  if (kafka.value !== undefined) project.provide(KAFKA_PROVIDE_KEY, kafka.value.info());
  if (hdfs.value !== undefined) project.provide(HDFS_PROVIDE_KEY, hdfs.value.info());
  return teardown;
}

/** {@link testkitGlobalSetup} with Kafka only. */
export function kafkaGlobalSetup(
  project: ProvideTarget,
  options: StartKafkaOptions = {},
): Promise<Teardown> {
  return testkitGlobalSetup(project, { kafka: options });
}

/** {@link testkitGlobalSetup} with HDFS only. */
export function hdfsGlobalSetup(
  project: ProvideTarget,
  options: StartHdfsOptions = {},
): Promise<Teardown> {
  return testkitGlobalSetup(project, { hdfs: options });
}

function missing(key: string, helper: string): TestkitError {
  return new TestkitError(
    `Nothing was provided under "${key}": add a vitest globalSetup file that calls ${helper}(project) ` +
      'from its setup(project) and returns the teardown (see the @sluice/testkit README, "Usage").',
    { code: TESTKIT_ERROR_CODES.NOT_PROVIDED },
  );
}

/** Reads, in a test, the broker that {@link kafkaGlobalSetup} provided: `injectKafka(inject)`. */
export function injectKafka(inject: InjectFunction): KafkaConnectionInfo {
  const value = inject(KAFKA_PROVIDE_KEY as never) as KafkaConnectionInfo | undefined;
  if (value === undefined || !Array.isArray(value.bootstrapServers))
    throw missing(KAFKA_PROVIDE_KEY, 'kafkaGlobalSetup');
  return value;
}

/** Reads, in a test, the HDFS that {@link hdfsGlobalSetup} provided: `injectHdfs(inject)`. */
export function injectHdfs(inject: InjectFunction): HdfsConnectionInfo {
  const value = inject(HDFS_PROVIDE_KEY as never) as HdfsConnectionInfo | undefined;
  if (value === undefined || typeof value.webhdfsUrl !== 'string')
    throw missing(HDFS_PROVIDE_KEY, 'hdfsGlobalSetup');
  return value;
}
