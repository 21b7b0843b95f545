// ignoreFailuresAfterTransactionTimeout (Flink's TwoPhaseCommitSinkFunction option) on a real
// broker: a pre-committed transaction that Kafka aborted at its timeout while the job was down
// cannot be recover-committed; by default the restore fails with KAFKA_TRANSACTION_TIMED_OUT
// saying data may be lost, with the option it is logged with its age and the sink goes on.
import { SimpleStringSchema } from '@sluice/core';
import type { FunctionInitializationContext, SinkContext } from '@sluice/core';
import { expect, it } from 'vitest';
import { DeliveryGuarantee, KafkaSink } from '../src/sink/kafka-sink.js';
import type { KafkaSinkFunction } from '../src/sink/kafka-sink-builder.js';
import { listLingeringTransactions } from '../src/sink/transactions/lingering-transactions.js';
import { brokers, createTopic, uniqueName, useKafkaAdminAndDir, waitUntil } from './helpers.js';
import { MemoryStateStore, sinkRuntime } from './sink-harness.js';

const runtime = sinkRuntime(0, 1);
const sinkContext: SinkContext = { timestamp: undefined, currentWatermark: -Infinity, currentProcessingTime: () => Date.now() };
const TIMEOUT_MS = 1000;

const setup = useKafkaAdminAndDir('sluice-kafka-timeout-');

function sink(topic: string, prefix: string, options: { ignore: boolean; warnings: string[] }): KafkaSinkFunction<string> {
  return KafkaSink.builder<string>()
    .setBootstrapServers(brokers())
    .setTopic(topic)
    .setValueSerializer(new SimpleStringSchema())
    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
    .setTransactionalIdPrefix(prefix)
    .setTransactionTimeoutMs(TIMEOUT_MS)
    .setIgnoreFailuresAfterTransactionTimeout(options.ignore)
    .setLogger({ warn: (message) => void options.warnings.push(message) })
    .build();
}

const restoredFrom = (store: MemoryStateStore): FunctionInitializationContext => ({
  isRestored: true,
  restoredCheckpointId: 1,
  operatorStateStore: new MemoryStateStore(store),
});

it('a recovered transaction that timed out: KAFKA_TRANSACTION_TIMED_OUT by default, logged with its age and skipped with ignoreFailuresAfterTransactionTimeout', async () => {
  const topic = await createTopic(setup.admin);
  const prefix = uniqueName('timeout');
  const warnings: string[] = [];
  // a run pre-commits a transaction at checkpoint 1 and goes away before checkpoint 1 completes
  const first = sink(topic, prefix, { ignore: false, warnings });
  const store = new MemoryStateStore();
  await first.initializeState({ isRestored: false, restoredCheckpointId: undefined, operatorStateStore: store });
  await first.open!(runtime);
  await first.invoke('lost-when-timed-out', sinkContext);
  await first.snapshotState({ checkpointId: 1, checkpointTimestamp: Date.now() });
  await first.close!();
  // the broker aborts it at its timeout (its abort sweep runs every 2 s in the test broker)
  await waitUntil('the broker to abort the timed-out transaction', async () => (await listLingeringTransactions({ bootstrapServers: brokers(), prefix })).length === 0, 60_000);

  const strict = sink(topic, prefix, { ignore: false, warnings });
  await strict.initializeState(restoredFrom(store));
  const failure = await Promise.resolve(strict.open!(runtime)).then(
    () => undefined,
    (error: unknown) => error,
  );
  await Promise.resolve(strict.close!()).catch(() => undefined);
  expect(failure).toMatchObject({ code: 'KAFKA_TRANSACTION_TIMED_OUT', option: 'transactionTimeoutMs', retriable: false });
  expect((failure as Error).message).toMatch(/Data may be lost.*ignoreFailuresAfterTransactionTimeout\(true\)/);

  const lenient = sink(topic, prefix, { ignore: true, warnings });
  await lenient.initializeState(restoredFrom(store));
  await lenient.open!(runtime);
  await lenient.close!();
  const ignored = warnings.filter((w) => w.includes('ignoreFailuresAfterTransactionTimeout is set'));
  expect(ignored).toHaveLength(1);
  // the age is in the message: "failed after its timeout (<age> ms > 1000 ms)"
  const age = Number(/\((\d+) ms > 1000 ms\)/.exec(ignored[0]!)?.[1]);
  expect(age).toBeGreaterThan(TIMEOUT_MS);
});
