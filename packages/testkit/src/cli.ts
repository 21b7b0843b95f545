#!/usr/bin/env node
// The `sluice-testkit` command: starts servers in the foreground until Ctrl-C, or produces to and
// consumes from a topic of a running broker.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runConsoleConsumer } from './cli/console-consumer.js';
import { runConsoleProducer } from './cli/console-producer.js';
import { reportError } from './cli/report-error.js';
import { resolveBrokers } from './cli/resolve-brokers.js';
import { serve } from './cli/serve.js';

const USAGE = `Usage:
  sluice-testkit <kafka|hdfs|all> [--security]
  sluice-testkit produce --topic <name> [--brokers <host:port,...>] [--key-separator <text>]
  sluice-testkit consume --topic <name> [--brokers <host:port,...>] [--from-beginning]
                         [--read-committed] [--group <id>] [--max-messages <n>] [--key-separator <text>]

kafka | hdfs | all
  Starts real Apache Kafka (KRaft) and/or HDFS (NameNode + DataNode with WebHDFS) from Maven
  Central jars, prints their addresses, and stops them on Ctrl-C (SIGINT) or SIGTERM.
  --security   Kafka also gets SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256/512) and SSL listeners.

produce   Sends each line of stdin as one record (value; with --key-separator, key<sep>value)
          to the topic (created with one partition if missing), until stdin ends (Ctrl-D).
consume   Prints each record's value (with --key-separator, key<sep>value) until --max-messages
          or Ctrl-C. Starts at the end unless --from-beginning; reads uncommitted records unless
          --read-committed; group default: a new sluice-testkit-console-<uuid>.

Brokers: --brokers, else SLUICE_KAFKA_BROKERS, else the running \`sluice-testkit kafka\`.
Environment: SLUICE_CACHE_DIR (jar cache, default ~/.cache/sluice), SLUICE_TESTKIT_KEEP=1 (keep data and logs).
`;

const CLIENT_OPTIONS = {
  topic: { type: 'string' },
  brokers: { type: 'string' },
  'key-separator': { type: 'string' },
  'from-beginning': { type: 'boolean', default: false },
  'read-committed': { type: 'boolean', default: false },
  group: { type: 'string' },
  'max-messages': { type: 'string' },
} as const;

function usageError(message: string): number {
  process.stderr.write(`sluice-testkit: ${message}\n\n${USAGE}`);
  return 2;
}

async function client(command: 'produce' | 'consume', argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: CLIENT_OPTIONS, strict: true });
  const topic = values.topic;
  if (topic === undefined || topic === '') return usageError(`${command} needs --topic <name>`);
  const brokers = resolveBrokers(values.brokers);
  if (command === 'produce') {
    const sent = await runConsoleProducer({
      brokers,
      topic,
      keySeparator: values['key-separator'],
      input: process.stdin,
    });
    process.stderr.write(`sluice-testkit: sent ${sent} records to ${topic}\n`);
    return 0;
  }
  const max = values['max-messages'] === undefined ? undefined : Number(values['max-messages']);
  if (max !== undefined && !(Number.isInteger(max) && max > 0))
    return usageError('--max-messages must be an integer ≥ 1');
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  const printed = await runConsoleConsumer({
    brokers,
    topic,
    fromBeginning: values['from-beginning'],
    readCommitted: values['read-committed'],
    groupId: values.group ?? `sluice-testkit-console-${randomUUID()}`,
    maxMessages: max,
    keySeparator: values['key-separator'],
    print: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
    signal: stop.signal,
  });
  process.stderr.write(`sluice-testkit: processed ${printed} records\n`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'kafka' || what === 'hdfs' || what === 'all')
    return serve(what, rest.includes('--security'));
  if (what !== 'produce' && what !== 'consume') {
    process.stderr.write(USAGE);
    return what === '--help' || what === '-h' ? 0 : 2;
  }
  try {
    return await client(what, rest);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      return usageError((error as Error).message);
    return reportError(error);
  }
}

process.exitCode = await main(process.argv.slice(2));
