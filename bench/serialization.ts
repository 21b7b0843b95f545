/**
 * Serialization schemas against the raw libraries they wrap, in the same process and run: decode and
 * encode of a ~1 KB record with `@sluice/serialization-json` vs `JSON.parse`/`JSON.stringify`, and
 * with `@sluice/serialization-avro` (raw Avro, and the Confluent wire format against a real schema
 * registry from `@sluice/testkit`) vs avsc's `fromBuffer`/`toBuffer`. Variants are interleaved and
 * repeated (each side first in every other run); the median rate of each is reported, and the wrapper's
 * cost over the raw library as the median of the back-to-back runs' ratios.
 *
 *   npm run build -w @sluice/bench && node bench/dist/serialization.js [--quick] [--out docs/benchmarks.md]
 */
import { cpus, loadavg } from 'node:os';
import avro from 'avsc';
import {
  AvroDeserializationSchema,
  AvroSerializationSchema,
  ConfluentRegistryAvroDeserializationSchema,
  ConfluentRegistryAvroSerializationSchema,
} from '@sluice/serialization-avro';
import { JsonDeserializationSchema, JsonSerializationSchema } from '@sluice/serialization-json';
import { startSchemaRegistry } from '@sluice/testkit';
import { checkArgs, isQuick, median, spreadPercent, writeSection } from './bench-lib.js';

const args = process.argv.slice(2);
checkArgs(args, { options: ['--out'], usage: 'usage: node dist/serialization.js [--quick] [--out <markdown file>]' });
const quick = isQuick(args);
const outIndex = args.indexOf('--out');
const outFile = outIndex >= 0 ? args[outIndex + 1] : undefined;
// Many short runs rather than a few long ones: each Sluice run is paired with the raw run next to
// it, so the ratios stay meaningful on a machine whose load changes from second to second.
// --quick (the CI smoke run) is one pair per operation.
const OPERATIONS = quick ? 10_000 : 20_000;
const REPEATS = quick ? 1 : 61;

const schema = {
  type: 'record',
  name: 'Order',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: 'string' },
  ],
} as const;

/** A record of about 1 KB as JSON. */
const record = {
  id: 123456789,
  customer: 'customer-00042',
  status: 'SHIPPED',
  amount: 1234.5,
  tags: Array.from({ length: 12 }, (_, i) => `tag-${i}-${'x'.repeat(8)}`),
  note: 'n'.repeat(700),
};

type Operation = () => unknown;

/** Records/s of `operation` run OPERATIONS times (awaited only when it returns a promise). */
async function measure(operation: Operation): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPERATIONS; i += 1) {
    const result = operation();
    if (result instanceof Promise) await result;
  }
  return OPERATIONS / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const registry = await startSchemaRegistry();
  try {
    const jsonBytes = Buffer.from(JSON.stringify(record));
    const jsonIn = JsonDeserializationSchema.create();
    const jsonOut = JsonSerializationSchema.create();
    const avscType = avro.Type.forSchema(schema as unknown as avro.Schema);
    const avroBytes = avscType.toBuffer(record);
    const avroIn = AvroDeserializationSchema.forGeneric(schema);
    const avroOut = AvroSerializationSchema.forGeneric(schema);
    const wireOut = ConfluentRegistryAvroSerializationSchema.forGeneric(schema, registry.url, {
      topic: 'bench-orders',
      autoRegister: true,
    });
    await wireOut.open();
    const wireBytes = Buffer.from(wireOut.serialize(record));
    const wireIn = ConfluentRegistryAvroDeserializationSchema.forGeneric(schema, registry.url);
    await wireIn.deserialize(wireBytes); // the writer schema is fetched once, then cached

    const pairs: { name: string; sluice: Operation; raw: Operation }[] = [
      { name: 'JSON decode', sluice: () => jsonIn.deserialize(jsonBytes), raw: () => JSON.parse(jsonBytes.toString('utf8')) },
      { name: 'JSON encode', sluice: () => jsonOut.serialize(record), raw: () => Buffer.from(JSON.stringify(record)) },
      { name: 'Avro decode', sluice: () => avroIn.deserialize(avroBytes), raw: () => avscType.fromBuffer(avroBytes) },
      { name: 'Avro encode', sluice: () => avroOut.serialize(record), raw: () => avscType.toBuffer(record) },
      {
        name: 'Avro wire-format decode',
        sluice: () => wireIn.deserialize(wireBytes),
        raw: () => avscType.fromBuffer(wireBytes.subarray(5)),
      },
      { name: 'Avro wire-format encode', sluice: () => wireOut.serialize(record), raw: () => avscType.toBuffer(record) },
    ];
    const load = loadavg()[0] ?? 0;
    const rows: string[] = [];
    for (const pair of pairs) {
      const sluice: number[] = [];
      const raw: number[] = [];
      await measure(pair.raw); // warm-up: the compiler's work stays out of both sides' runs
      await measure(pair.sluice);
      for (let r = 0; r < REPEATS; r += 1) {
        // Each goes first every other run, so a change of the machine's load favours neither.
        const rates = new Map<Operation, number>();
        for (const operation of r % 2 === 0 ? [pair.raw, pair.sluice] : [pair.sluice, pair.raw]) {
          rates.set(operation, await measure(operation));
        }
        raw.push(rates.get(pair.raw) as number);
        sluice.push(rates.get(pair.sluice) as number);
      }
      // The median of the runs' own ratios: each pair ran back to back, under the same load.
      const ratio = median(sluice.map((rate, r) => rate / (raw[r] as number)));
      const line =
        `| ${pair.name} | ${(median(sluice) / 1e3).toFixed(0)} k/s ± ${spreadPercent(sluice).toFixed(0)} % ` +
        `| ${(median(raw) / 1e3).toFixed(0)} k/s ± ${spreadPercent(raw).toFixed(0)} % | **${ratio.toFixed(2)}×** ` +
        `| ${((1 / ratio - 1) * 100).toFixed(0)} % |`;
      rows.push(line);
      console.log(line);
    }
    const markdown = [
      '## Serialization schemas vs the raw libraries',
      '',
      `Command: \`npm run build -w @sluice/bench && node bench/dist/serialization.js${quick ? ' --quick' : ''} --out docs/benchmarks.md\` ` +
        `(Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 10)}; ` +
        `1-minute load average ${load.toFixed(1)} at the start). A record of ${jsonBytes.length} B as JSON ` +
        `(${avroBytes.length} B as Avro), ${OPERATIONS} operations per run, ${REPEATS} interleaved runs per variant ` +
        '(raw and Sluice back to back, each first in every other run; the ratio is the median of the runs\' ratios); ' +
        'the wire-format rows decode with the writer schema fetched once from a real Apicurio Registry and cached. ' +
        'Goal: the schema wrappers cost ≤ 10 % over the raw library.',
      '',
      '| operation | Sluice schema | raw library | Sluice / raw | wrapper cost |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      'Raw libraries: `JSON.parse`/`JSON.stringify` (with the UTF-8 conversion a Kafka message needs) and avsc 5.7 ' +
        '`Type.fromBuffer`/`toBuffer`. The Avro schemas read and write `long` exactly over 64 bits (avsc\'s own ' +
        '`long` corrupts values past ±2^52), through avsc\'s own varint code where that is exact.',
    ].join('\n');
    if (outFile !== undefined) await writeSection(outFile, 'serialization', markdown);
  } finally {
    await registry.stop();
  }
}

await main();
