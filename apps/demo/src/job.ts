// The demo job, composed the way a user composes one: KafkaSource → parse → per-user aggregate
// (checkpointed state) → KafkaSink (EXACTLY_ONCE) and FileSink (exactly-once part files).
import { StreamExecutionEnvironment, Types } from '@sluice/core';
import type {
  Collector,
  DeserializationSchema,
  JobHandle,
  KeyedProcessContext,
  KeyedProcessFunction,
  KeyedRuntimeContext,
  ValueState,
} from '@sluice/core';
import {
  FileSink,
  LocalFileSystem,
  OnCheckpointRollingPolicy,
  WebHdfsFileSystem,
} from '@sluice/filesystem-hdfs';
import type { FileSystem } from '@sluice/filesystem-hdfs';
import { DeliveryGuarantee, KafkaSink, KafkaSource, StartingOffsets } from '@sluice/kafka';
import type { KafkaSerializationSchema } from '@sluice/kafka';
import { JsonDeserializationSchema } from '@sluice/serialization-json';
import { AvroDeserializationSchema } from '@sluice/serialization-avro';
import { CLICK_AVRO_SCHEMA } from './events.js';
import type { AvroClick, ClickEvent, EndMarker, EventFormat, UserAggregate } from './events.js';

/** Where the FileSink writes. */
export type FileTarget =
  | { readonly kind: 'local'; readonly root: string; readonly basePath: string }
  | { readonly kind: 'hdfs'; readonly url: string; readonly user: string; readonly basePath: string };

/** Everything the job needs; plain data, so a parent process can pass it to a child as JSON. */
export interface DemoJobConfig {
  readonly jobName: string;
  readonly brokers: readonly string[];
  readonly inputTopic: string;
  /** Encoding of the input events. */
  readonly format: EventFormat;
  /** Output topic, or undefined when the Kafka sink is off. */
  readonly outputTopic: string | undefined;
  readonly groupId: string;
  readonly transactionalIdPrefix: string;
  readonly parallelism: number;
  readonly checkpointIntervalMs: number;
  readonly checkpointDir: string;
  /** File output, or undefined when the file sink is off. */
  readonly files: FileTarget | undefined;
}

/** Counters the job bumps outside the metric registry (files committed by the FileSink). */
export interface JobCounters {
  filesCommitted: number;
}

type Parsed = ClickEvent | EndMarker;

/** Click events (JSON or Avro); the end marker ends the subtask that reads it. */
function clickDeserializer(format: EventFormat): DeserializationSchema<Parsed> {
  if (format === 'avro') {
    const avro = AvroDeserializationSchema.forGeneric<AvroClick>(CLICK_AVRO_SCHEMA);
    return {
      deserialize: (bytes) => avro.deserialize(bytes),
      isEndOfStream: (next) => next !== null && 'end' in next && next.end === true,
      producedType: avro.producedType as unknown as DeserializationSchema<Parsed>['producedType'],
    };
  }
  const json = JsonDeserializationSchema.create<Parsed>();
  return {
    deserialize: (bytes) => json.deserialize(bytes),
    isEndOfStream: (next) => next !== null && 'end' in next && next.end === true,
    producedType: json.producedType,
  };
}

const Totals = Types.row({ count: Types.safeInteger(), total: Types.safeInteger() });

/**
 * A running count and total per user in keyed `ValueState` (Flink's `KeyedProcessFunction`):
 * `keyBy(user)` sends every event of a user to the same subtask, and the state is checkpointed
 * per key group, so the job can also be restarted with another parallelism.
 */
export class UserAggregator implements KeyedProcessFunction<string, ClickEvent, UserAggregate> {
  private totals: ValueState<{ count: number; total: number }> | undefined;

  open(context: KeyedRuntimeContext): void {
    this.totals = context.getState({ name: 'totals', type: Totals });
  }

  processElement(event: ClickEvent, _ctx: KeyedProcessContext<string>, out: Collector<UserAggregate>): void {
    const state = this.totals;
    if (state === undefined) throw new Error('UserAggregator.processElement before open');
    const previous = state.value() ?? { count: 0, total: 0 };
    const next = { count: previous.count + 1, total: previous.total + event.amount };
    state.update(next);
    out.collect({ id: event.id, user: event.user, region: event.region, ...next });
  }
}

const utf8 = new TextEncoder();

const aggregateSerializer: KafkaSerializationSchema<UserAggregate> = {
  serializeKey: (aggregate) => utf8.encode(aggregate.user),
  serializeValue: (aggregate) => utf8.encode(JSON.stringify(aggregate)),
  getTargetTopic: () => null,
};

/** Wraps a file system so that every commit rename (a part file becoming visible) is counted. */
function countingFileSystem(inner: FileSystem, counters: JobCounters): FileSystem {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property === 'rename' && typeof value === 'function') {
        return async (source: string, destination: string) => {
          await (value as FileSystem['rename']).call(target, source, destination);
          counters.filesCommitted += 1;
        };
      }
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The FileSystem of a file target. */
export function fileSystemOf(target: FileTarget): FileSystem {
  return target.kind === 'local'
    ? new LocalFileSystem({ root: target.root })
    : new WebHdfsFileSystem({ url: target.url, user: target.user });
}

/** Builds the job and starts it; the caller awaits `handle.result`. */
export async function startDemoJob(config: DemoJobConfig, counters: JobCounters): Promise<JobHandle> {
  const env = StreamExecutionEnvironment.create({ parallelism: config.parallelism });
  env.enableCheckpointing(config.checkpointIntervalMs);
  env.getCheckpointConfig().setCheckpointStorage(config.checkpointDir);

  const source = KafkaSource.builder<Parsed>()
    .setBootstrapServers([...config.brokers])
    .setTopics(config.inputTopic)
    .setGroupId(config.groupId)
    .setValueOnlyDeserializer(clickDeserializer(config.format))
    .setStartingOffsets(StartingOffsets.earliest())
    .build();

  const aggregates = env
    .addSource(source, { name: 'clicks' })
    .uid('kafka-source')
    .map((event) => event as ClickEvent)
    .name('parse')
    .keyBy((event) => event.user, Types.string())
    .process(new UserAggregator())
    .uid('per-user-aggregate')
    .name('per-user-aggregate');

  if (config.outputTopic !== undefined) {
    const kafkaSink = KafkaSink.builder<UserAggregate>()
      .setBootstrapServers([...config.brokers])
      .setTopic(config.outputTopic)
      .setSerializer(aggregateSerializer)
      .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
      .setTransactionalIdPrefix(config.transactionalIdPrefix)
      .setTransactionTimeoutMs(600_000) // under the brokers' default transaction.max.timeout.ms (15 min)
      .build();
    aggregates.addSink(kafkaSink).uid('kafka-sink').name('kafka-sink');
  }

  if (config.files !== undefined) {
    const fileSink = FileSink.forRowFormat<UserAggregate>(config.files.basePath, {
      encode: (aggregate) => `${JSON.stringify(aggregate)}\n`,
    })
      .withFileSystem(countingFileSystem(fileSystemOf(config.files), counters))
      .withBucketAssigner({ getBucketId: (aggregate) => `region-${aggregate.region}` })
      .withRollingPolicy(new OnCheckpointRollingPolicy())
      .build();
    aggregates.addSink(fileSink).uid('file-sink').name('file-sink');
  }

  return env.executeAsync(config.jobName);
}
