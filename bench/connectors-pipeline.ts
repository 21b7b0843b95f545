/**
 * The Sluice job of the connector scenarios as a pipeline module (see
 * `StreamExecutionEnvironment.addPipeline`): connectors-job.ts adds it, and every task thread
 * imports it to build its own operators. A (Kafka → parse → filter/map → Kafka exactly-once),
 * B (… → keyBy user → running totals → Kafka), C / C-hdfs (… → row files).
 *
 * The map counts the input records it sees in metrics (a closure cannot reach the calling thread
 * from a task thread): see {@link COUNT_GROUP}.
 */
import type {
  Collector,
  KeyedProcessContext,
  KeyedProcessFunction,
  KeyedRuntimeContext,
  MapFunction,
  RichFunction,
  RuntimeContext,
  StreamExecutionEnvironment,
  ValueState,
} from '@sluice/core';
import { SimpleStringSchema, Types } from '@sluice/core';
import { DeliveryGuarantee, KafkaSink, KafkaSource, StartingOffsets } from '@sluice/kafka';
import { aggregateOutput, parseForAggregate, transform } from './workload.js';

/** What the pipeline needs of the run (plain data: it is cloned into every task thread). */
export interface PipelineArgs {
  scenario: 'A' | 'B' | 'C' | 'C-hdfs';
  bootstrap: string[];
  input: string;
  /** Topic (A, B) or directory (C: local path; C-hdfs: HDFS path). */
  output: string;
  groupId: string;
  webhdfs?: { url: string; user: string };
}

/**
 * Metric group of the map's counting gauges, read by the job process (`JobRecorder.sample`):
 * `<job>.parse.<subtask>.bench.records` (input records seen), `….firstRecordAt` (when the first
 * came) and `….sampledAt` (when the gauges were read: on a task thread that is when the thread
 * sent its metrics, up to 100 ms before the calling thread reads them). Times are ms since the
 * epoch with sub-ms precision (`performance.timeOrigin + performance.now()`), comparable across
 * threads.
 */
export const COUNT_GROUP = 'bench';

const now = (): number => performance.timeOrigin + performance.now();

/** The first step of every scenario: counts the record, then applies `work`. */
class CountingMap implements MapFunction<string, string>, RichFunction {
  private records = 0;
  private firstAt: number | null = null;

  constructor(private readonly work: (text: string) => string) {}

  open(context: RuntimeContext): void {
    const group = context.metricGroup.addGroup(COUNT_GROUP);
    // Read in this order at every collection: the count is never newer than `sampledAt`.
    group.gauge('records', () => this.records);
    group.gauge('firstRecordAt', () => this.firstAt);
    group.gauge('sampledAt', now);
  }

  map(text: string): string {
    if (this.records === 0) this.firstAt = now();
    this.records += 1;
    return this.work(text);
  }
}

/** Running count and sum of cents per user in two ValueStates; emits the user's new totals. */
class RunningTotal implements KeyedProcessFunction<string, string, string> {
  private count: ValueState<number> | undefined;
  private cents: ValueState<number> | undefined;
  open(context: KeyedRuntimeContext): void {
    this.count = context.getState({ name: 'count', type: Types.number(), defaultValue: 0 });
    this.cents = context.getState({ name: 'cents', type: Types.number(), defaultValue: 0 });
  }
  processElement(line: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const count = (this.count?.value() ?? 0) + 1;
    const cents = (this.cents?.value() ?? 0) + Number(line.slice(line.indexOf('\t') + 1));
    this.count?.update(count);
    this.cents?.update(cents);
    out.collect(aggregateOutput(ctx.getCurrentKey(), count, cents));
  }
}

/** B's parse step: `user\tcents`, or '' for a record the filter drops. */
function userAndCents(text: string): string {
  const parsed = parseForAggregate(text);
  return parsed === undefined ? '' : `${parsed.user}\t${parsed.cents}`;
}

/** Declares the scenario's operators on `env` (the pipeline function, export `connectorsPipeline`). */
export async function connectorsPipeline(
  env: StreamExecutionEnvironment,
  args: PipelineArgs,
): Promise<void> {
  const source = KafkaSource.builder<string>()
    .setBootstrapServers(args.bootstrap)
    .setTopics(args.input)
    .setGroupId(args.groupId)
    .setValueOnlyDeserializer(new SimpleStringSchema())
    .setStartingOffsets(StartingOffsets.earliest())
    .build();
  const parsed = env
    .addSource(source)
    .uid('input')
    .map(new CountingMap(args.scenario === 'B' ? userAndCents : transform))
    .uid('parse')
    .filter((text: string) => text !== '');
  const records =
    args.scenario === 'B'
      ? parsed
          .keyBy((line: string) => line.slice(0, line.indexOf('\t')), Types.string())
          .process(new RunningTotal())
          .uid('aggregate')
      : parsed;
  if (args.scenario === 'A' || args.scenario === 'B') {
    records
      .addSink(
        KafkaSink.builder<string>()
          .setBootstrapServers(args.bootstrap)
          .setTopic(args.output)
          .setValueSerializer(new SimpleStringSchema())
          .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
          .setTransactionalIdPrefix(args.groupId)
          .setTransactionTimeoutMs(900_000)
          .build(),
      )
      .uid('output');
  } else {
    // Imported only here: every task thread imports what the module imports (startup, memory).
    const { benchFileSystem, rowFileSink } = await import('./file-output.js');
    records
      .addSink(
        rowFileSink(
          args.output,
          benchFileSystem(args.scenario === 'C-hdfs' ? args.webhdfs : undefined),
        ),
      )
      .uid('output');
  }
}
