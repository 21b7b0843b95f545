// Runs the example against a real broker and registry: 200 orders written with schema v1 in the
// Confluent wire format come out as 200 totals (Avro, wire format), each once, read_committed.
import { expect, inject, it } from 'vitest';
import { injectKafka } from '@sluice/testkit';
import { orderTotal } from '../src/avro-registry-job.js';
import { runExample } from '../src/run-example.js';

const kafka = injectKafka(inject);
const registryUrl = inject('sluiceSchemaRegistryUrl');

it('turns every Avro order into one Avro total, exactly once, with the schemas in the registry', async () => {
  const run = await runExample({ brokers: kafka.bootstrapServers, registryUrl }, 200);

  expect({ lost: run.lost, duplicated: run.duplicated, totals: run.totals.length }).toEqual({ lost: 0, duplicated: 0, totals: 200 });
  const byId = new Map(run.totals.map((total) => [total.orderId, total]));
  // Order 0: 1 × 1.00 + gift wrap 2.50; order 1: 2 × 2.01; order 199: 2 × 40.99. Written with v1,
  // read with v2 (currency's default).
  expect(byId.get(0)).toEqual({ orderId: 0, customer: 'customer-0', items: 2, total: '3.50', currency: 'EUR', placedAt: new Date('2026-01-01T00:00:00Z') });
  expect(byId.get(1)).toMatchObject({ orderId: 1, items: 2, total: '4.02', currency: 'EUR' });
  expect(byId.get(199)).toMatchObject({ orderId: 199, items: 2, total: '81.98', currency: 'EUR' });

  // The job's serializer registered the output schema under the topic strategy's subject.
  const subjects = (await (await fetch(`${registryUrl}/subjects`)).json()) as string[];
  expect(subjects).toEqual(expect.arrayContaining([`${run.inputTopic}-value`, `${run.outputTopic}-value`]));
});

it('computes totals exactly in cents', () => {
  const order = { id: 7, customer: 'c', placedAt: new Date(0), currency: 'EUR' };
  const lines = [
    { sku: 'a', quantity: 3, unitPrice: '0.10' },
    { sku: 'b', quantity: 1, unitPrice: '9999999.99' },
  ];
  expect(orderTotal({ ...order, lines })).toMatchObject({ items: 4, total: '10000000.29' });
  expect(orderTotal({ ...order, lines: [] })).toMatchObject({ items: 0, total: '0.00' });
});
