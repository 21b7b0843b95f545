// A console producer for the walkthrough when Kafka's own tools are not installed: every line you
// type (or pipe in) becomes one record of the topic. Ends at end of input (Ctrl-D).
//   node dist/produce.js --topic test1 [--brokers localhost:9092]
// (Kafka's tool: kafka-console-producer.sh --bootstrap-server localhost:9092 --topic test1)
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const { values } = parseArgs({
  options: { topic: { type: 'string', default: 'test1' }, brokers: { type: 'string', default: 'localhost:9092' } },
});

const producer = new Kafka({ brokers: values.brokers.split(','), clientId: 'console-producer', logLevel: logLevel.ERROR }).producer();
await producer.connect();
if (process.stdin.isTTY) console.error(`type lines for ${values.topic}; Ctrl-D to end`);
let sent = 0;
for await (const line of createInterface({ input: process.stdin })) {
  await producer.send({ topic: values.topic, messages: [{ value: line }] });
  sent += 1;
}
await producer.disconnect();
console.error(`${sent} records sent to ${values.topic}`);
