// A Kafka → Kafka job: reads `input` (one partition per subtask, ending at `END` markers),
// upper-cases each value and writes it to `output` with the given delivery guarantee. Used by the
// in-process tests and, as a child process, by the SIGKILL tests (on task threads too).
//
// It imports the package by its name, as a user's job does: a job on task threads runs as a bundle
// that links @sluice/core and @sluice/kafka (one copy of each per thread, kafkajs loaded through
// the package), and `npx turbo run test` builds dist before the tests.
import { threadId } from 'node:worker_threads';
import { SimpleStringSchema, StreamExecutionEnvironment, Types } from '@sluice/core';
import type { DeserializationSchema, JobExecutionResult, RestartStrategyConfig } from '@sluice/core';
import { KafkaSink, KafkaSource, StartingOffsets } from '@sluice/kafka';
import type { DeliveryGuarantee, KafkaSaslOptions, KafkaTlsOptions } from '@sluice/kafka';

/** Options of {@link runKafkaToKafkaJob}. */
export interface KafkaToKafkaJobOptions {
  readonly brokers: readonly string[];
  readonly input: string;
  readonly output: string;
  readonly groupId: string;
  readonly jobName: string;
  readonly checkpointDir: string;
  readonly parallelism: number;
  readonly deliveryGuarantee: DeliveryGuarantee;
  readonly transactionalIdPrefix: string;
  readonly checkpointIntervalMs: number;
  /** Sleep `sleepMs` every `everyRecords` records in the map (so a kill can land mid-job). */
  readonly throttle?: { readonly everyRecords: number; readonly sleepMs: number };
  /** Print `first-record` on stdout when the first record reaches the map. */
  readonly announceFirstRecord?: boolean;
  /** TLS of source and sink (`brokers` must then be a TLS listener). */
  readonly tls?: boolean | KafkaTlsOptions;
  /** SASL of source and sink (`brokers` must then be a SASL listener). */
  readonly sasl?: KafkaSaslOptions;
  /** In-process restarts after a failure. @defaultValue no restart */
  readonly restartStrategy?: RestartStrategyConfig;
  /**
   * Task threads (`env.setTaskThreads`): subtask i runs on thread i mod n. Needs the pipeline
   * module (the bundled `run-kafka-to-kafka-job.ts`), see {@link runKafkaToKafkaJob}.
   * @defaultValue 1
   */
  readonly taskThreads?: number;
}

/** Applies the optional TLS and SASL options to a source or sink builder. */
function secured<T extends { setTls(tls: boolean | KafkaTlsOptions): T; setSasl(sasl: KafkaSaslOptions): T }>(builder: T, options: KafkaToKafkaJobOptions): T {
  const withTls = options.tls === undefined ? builder : builder.setTls(options.tls);
  return options.sasl === undefined ? withTls : withTls.setSasl(options.sasl);
}

const untilEnd: DeserializationSchema<string> = {
  deserialize: (bytes) => Buffer.from(bytes).toString('utf8'),
  isEndOfStream: (next) => next === 'END',
  producedType: Types.string(),
};

function upperCase(options: KafkaToKafkaJobOptions): (value: string) => string | Promise<string> {
  let seen = 0;
  return (value) => {
    seen += 1;
    if (seen === 1 && options.announceFirstRecord === true) process.stdout.write('first-record\n');
    const throttle = options.throttle;
    if (throttle !== undefined && seen % throttle.everyRecords === 0) {
      return new Promise((resolve) => setTimeout(() => resolve(value.toUpperCase()), throttle.sleepMs));
    }
    return value.toUpperCase();
  };
}

const values = new SimpleStringSchema();

/**
 * The job's operators: source → upper-case map → sink, all chained. The pipeline function of the
 * task-thread runs (every thread declares them), called directly otherwise.
 */
export function kafkaToKafkaPipeline(env: StreamExecutionEnvironment, options: KafkaToKafkaJobOptions): void {
  const source = secured(KafkaSource.builder<string>(), options)
    .setBootstrapServers(options.brokers)
    .setTopics(options.input)
    .setGroupId(options.groupId)
    .setValueOnlyDeserializer(untilEnd)
    .setStartingOffsets(StartingOffsets.earliest())
    .setReadCommitted(true)
    .build();
  const sink = secured(KafkaSink.builder<string>(), options)
    .setBootstrapServers(options.brokers)
    .setTopic(options.output)
    // the writing process's pid and thread as headers: a duplicate's two copies can be told apart
    // by run, and a reader sees which thread wrote each partition
    .setSerializer({
      serializeKey: () => null,
      serializeValue: (value: string) => values.serialize(value),
      getTargetTopic: () => null,
      getHeaders: () => ({ pid: String(process.pid), thread: String(threadId) }),
    })
    .setDeliveryGuarantee(options.deliveryGuarantee)
    .setTransactionalIdPrefix(options.transactionalIdPrefix)
    .setTransactionTimeoutMs(300_000)
    .build();
  env
    .addSource(source)
    .uid('kafka-source')
    .map(upperCase(options))
    .uid('upper')
    .addSink(sink)
    .uid('kafka-sink');
}

/**
 * Builds and runs the job to its end. With `options.taskThreads` > 1 the operators come from
 * `pipelineModule`, a module (plain JavaScript: worker threads import it) that exports
 * {@link kafkaToKafkaPipeline}.
 */
export async function runKafkaToKafkaJob(options: KafkaToKafkaJobOptions, pipelineModule?: URL): Promise<JobExecutionResult> {
  const env = StreamExecutionEnvironment.create({ parallelism: options.parallelism, taskThreads: options.taskThreads ?? 1 });
  env.enableCheckpointing(options.checkpointIntervalMs);
  env.getCheckpointConfig().setCheckpointStorage(options.checkpointDir);
  if (options.restartStrategy !== undefined) env.setRestartStrategy(options.restartStrategy);
  if ((options.taskThreads ?? 1) === 1) kafkaToKafkaPipeline(env, options);
  else if (pipelineModule === undefined) throw new Error('runKafkaToKafkaJob: a job on task threads needs its pipeline module');
  else await env.addPipeline(pipelineModule, { exportName: 'kafkaToKafkaPipeline', args: options });
  return env.execute(options.jobName);
}
