// Flink's Kafka walkthrough in Sluice: print every record of a topic, while you type messages
// into a console producer. Stop it with Ctrl-C.
//   node dist/main.js --topic test1 [--brokers host:port, default $SLUICE_KAFKA_BROKERS or localhost:9092]
// and in another terminal: npx sluice-testkit produce --topic test1 (see README.md)
import { parseArgs } from 'node:util';
import { SimpleStringSchema, StreamExecutionEnvironment } from '@sluice/core';
import { KafkaSource, StartingOffsets } from '@sluice/kafka';

const { values } = parseArgs({
  options: {
    topic: { type: 'string', default: 'test1' },
    brokers: { type: 'string', default: process.env['SLUICE_KAFKA_BROKERS'] ?? 'localhost:9092' },
  },
});

const env = StreamExecutionEnvironment.create({ parallelism: 1 });

const source = KafkaSource.builder<string>()
  .setBootstrapServers(values.brokers)
  .setTopics(values.topic)
  .setGroupId('kafka-print')
  .setValueOnlyDeserializer(new SimpleStringSchema())
  .setStartingOffsets(StartingOffsets.earliest())
  .build();

env.addSource(source).uid('kafka-source').name('kafka').print();

const handle = await env.executeAsync('kafka-print');
handle.cancelOnSignals(); // Ctrl-C ends the job
console.error(`printing ${values.topic} from ${values.brokers}; Ctrl-C to stop`);
await handle.result;
