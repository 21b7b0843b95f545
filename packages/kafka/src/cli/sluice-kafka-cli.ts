/**
 * The `sluice-kafka` command for operators:
 *
 *   sluice-kafka transactions list  --brokers host:port[,…] --prefix <transactionalIdPrefix>
 *   sluice-kafka transactions abort --brokers host:port[,…] --prefix <transactionalIdPrefix>
 *
 * Connection flags: `--client-id`, `--tls`, `--tls-ca <pem file>`, `--tls-insecure`,
 * `--sasl-mechanism plain|scram-sha-256|scram-sha-512`, `--sasl-username`; the SASL password is
 * read from the environment variable `SLUICE_KAFKA_SASL_PASSWORD` only (never a flag: flags show
 * in process lists and shell history). `--json` prints JSON instead of a table.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SluiceError } from '@sluice/core';
import type { KafkaConnectionOptions, KafkaSaslOptions } from '../internal/kafka-client.js';
import { abortLingering, listLingeringTransactions } from '../sink/transactions/lingering-transactions.js';
import type { LingeringTransaction, LingeringTransactionsOptions } from '../sink/transactions/lingering-transactions.js';

/** Where the command writes, and the environment it reads (injectable for tests). */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The environment variable holding the SASL password. */
export const SASL_PASSWORD_ENV = 'SLUICE_KAFKA_SASL_PASSWORD';

const USAGE = `Usage: sluice-kafka transactions <list|abort> --brokers host:port[,...] --prefix <transactionalIdPrefix> [options]

  list    open transactions whose transactional id starts with <prefix>-, with their age
  abort   abort them (InitProducerId per id). Only when no job will restore them: stop the job first.

Options:
  --client-id <id>           client id sent to the brokers (default sluice-kafka-cli)
  --tls                      connect with TLS
  --tls-ca <file>            PEM CA certificate(s) to trust (implies --tls)
  --tls-insecure             do not verify the broker certificate (implies --tls)
  --sasl-mechanism <m>       plain, scram-sha-256 or scram-sha-512
  --sasl-username <user>     SASL user; the password comes from $${SASL_PASSWORD_ENV}
  --json                     print JSON
`;

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

class UsageError extends Error {}

function connectionOf(values: Record<string, string | boolean | undefined>, env: CliIo['env']): KafkaConnectionOptions {
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const brokers = text('brokers');
  if (brokers === undefined) throw new UsageError('--brokers is required');
  const ca = text('tls-ca');
  const insecure = values['tls-insecure'] === true;
  const tls = ca !== undefined || insecure ? { ...(ca === undefined ? {} : { ca: readFileSync(ca, 'utf8') }), ...(insecure ? { rejectUnauthorized: false } : {}) } : values['tls'] === true;
  const mechanism = text('sasl-mechanism');
  let sasl: KafkaSaslOptions | undefined;
  if (mechanism !== undefined) {
    if (!(MECHANISMS as readonly string[]).includes(mechanism)) throw new UsageError(`--sasl-mechanism must be one of ${MECHANISMS.join(', ')}`);
    const username = text('sasl-username');
    const password = env[SASL_PASSWORD_ENV];
    if (username === undefined) throw new UsageError('--sasl-username is required with --sasl-mechanism');
    if (password === undefined) throw new UsageError(`set the SASL password in $${SASL_PASSWORD_ENV}`);
    sasl = { mechanism: mechanism as KafkaSaslOptions['mechanism'], username, password };
  }
  return {
    bootstrapServers: brokers.split(',').map((b) => b.trim()).filter((b) => b !== ''),
    clientId: text('client-id') ?? 'sluice-kafka-cli',
    tls,
    ...(sasl === undefined ? {} : { sasl }),
  };
}

function describeRow(txn: LingeringTransaction, now: number): string {
  const ageS = Math.max(0, Math.round((now - txn.startTimeMs) / 1000));
  const topics = txn.topics.map((t) => `${t.topic}[${t.partitions.join(',')}]`).join(' ');
  return `${txn.transactionalId}  producer ${txn.producerId} epoch ${txn.producerEpoch}  ${txn.state}  age ${ageS} s (timeout ${Math.round(txn.transactionTimeoutMs / 1000)} s)  ${topics}`;
}

/** Runs the command with `argv` (without `node` and the script); resolves with the exit code. */
export async function runSluiceKafkaCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        brokers: { type: 'string' },
        prefix: { type: 'string' },
        'client-id': { type: 'string' },
        tls: { type: 'boolean' },
        'tls-ca': { type: 'string' },
        'tls-insecure': { type: 'boolean' },
        'sasl-mechanism': { type: 'string' },
        'sasl-username': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      io.out(USAGE);
      return 0;
    }
    const [group, command] = positionals;
    if (group !== 'transactions' || (command !== 'list' && command !== 'abort')) throw new UsageError('expected "transactions list" or "transactions abort"');
    if (values.prefix === undefined) throw new UsageError('--prefix is required');
    const options: LingeringTransactionsOptions = { ...connectionOf(values, io.env), prefix: values.prefix };
    const found = command === 'list' ? await listLingeringTransactions(options) : await abortLingering(options);
    if (values.json === true) {
      io.out(JSON.stringify(found, null, 2));
    } else {
      const verb = command === 'list' ? 'open' : 'aborted';
      io.out(`${found.length} ${verb} transaction(s) with prefix ${values.prefix}-`);
      const now = Date.now();
      for (const txn of found) io.out(describeRow(txn, now));
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      io.err(`sluice-kafka: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const code = error instanceof SluiceError ? `${error.code}: ` : '';
    io.err(`sluice-kafka: ${code}${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
