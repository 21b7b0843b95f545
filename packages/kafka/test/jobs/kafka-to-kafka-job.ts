// A Kafka → Kafka job: reads `input` (one partition per subtask, ending at `END` markers),
// upper-cases each value and writes it to `output` with the given delivery guarantee. Used by the
// in-process test and, as a child process, by the SIGKILL test.
import { SimpleStringSchema, StreamExecutionEnvironment, Types } from '@sluice/core';
import type { DeserializationSchema, JobExecutionResult, RestartStrategyConfig } from '@sluice/core';
import type { DeliveryGuarantee} from '../../src/sink/kafka-sink.js';
import { KafkaSink } from '../../src/sink/kafka-sink.js';
import type { KafkaSaslOptions, KafkaTlsOptions } from '../../src/internal/kafka-client.js';
import { KafkaSource } from '../../src/source/kafka-source.js';
import { StartingOffsets } from '../../src/source/starting-offsets.js';

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

/** Builds and runs the job to its end. */
export async function runKafkaToKafkaJob(options: KafkaToKafkaJobOptions): Promise<JobExecutionResult> {
  const env = StreamExecutionEnvironment.create({ parallelism: options.parallelism });
  env.enableCheckpointing(options.checkpointIntervalMs);
  env.getCheckpointConfig().setCheckpointStorage(options.checkpointDir);
  if (options.restartStrategy !== undefined) env.setRestartStrategy(options.restartStrategy);
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
    // the writing process's pid as a header: a duplicate's two copies can be told apart by run
    .setSerializer({
      serializeKey: () => null,
      serializeValue: (value: string) => values.serialize(value),
      getTargetTopic: () => null,
      getHeaders: () => ({ pid: String(process.pid) }),
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
  return env.execute(options.jobName);
}
