// The example in one command: node dist/main.js [--orders 1000]
// Starts a real Kafka broker and an Apicurio schema registry (Confluent API) from @sluice/testkit,
// or uses SLUICE_KAFKA_BROKERS and SLUICE_SCHEMA_REGISTRY_URL when they are set; produces Avro
// orders, runs the job until every order's total is out, prints a few totals and the count.
import { parseArgs } from 'node:util';
import { startKafka, startSchemaRegistry } from '@sluice/testkit';
import { runExample } from './run-example.js';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '1000' } } });
const orders = Number(values.orders);

console.log('starting Kafka and the schema registry (or using SLUICE_KAFKA_BROKERS / SLUICE_SCHEMA_REGISTRY_URL)...');
const [kafka, registry] = await Promise.allSettled([startKafka(), startSchemaRegistry()]);
try {
  if (kafka.status === 'rejected') throw kafka.reason;
  if (registry.status === 'rejected') throw registry.reason;
  const servers = { brokers: kafka.value.bootstrapServers, registryUrl: registry.value.url };
  console.log(`Kafka at ${servers.brokers.join(',')}, schema registry at ${servers.registryUrl}`);
  const run = await runExample(servers, orders);
  console.log(`${orders} orders written to ${run.inputTopic} with schema id ${run.inputSchemaId} (Order v1)`);
  for (const total of run.totals.slice(0, 3)) console.log(`  ${run.outputTopic}: ${JSON.stringify(total)}`);
  console.log(
    `${orders} orders in, ${run.totals.length} totals out on ${run.outputTopic} (read_committed), ` +
      `${run.lost} lost, ${run.duplicated} duplicated`,
  );
  if (run.lost !== 0 || run.duplicated !== 0) process.exitCode = 1;
} finally {
  await Promise.allSettled([kafka, registry].map((server) => (server.status === 'fulfilled' ? server.value.stop() : undefined)));
}
