// `sluice-testkit produce` and `consume` (the built CLI, as a user runs it) against a real broker.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advertiseBrokers } from '../src/cli/advertised-brokers.js';
import { createKafkaTopic, startKafka, type KafkaServer } from '../src/index.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const emptyCache = mkdtempSync(join(tmpdir(), 'sluice-cli-cache-'));
let kafka: KafkaServer;

beforeAll(async () => {
  kafka = await startKafka();
});
afterAll(async () => {
  await kafka?.stop();
  rmSync(emptyCache, { recursive: true, force: true });
});

/** Runs the CLI (`command`: space-separated arguments) to its end with `stdin` piped in; brokers only from `env` (or the cache's advertisement). */
function runCli(
  command: string,
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { SLUICE_KAFKA_BROKERS: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [cli, ...command.split(' ')], {
    env: { ...inherited, SLUICE_CACHE_DIR: emptyCache, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const brokersEnv = (): Record<string, string> => ({
  SLUICE_KAFKA_BROKERS: kafka.bootstrapServers.join(','),
});

describe('sluice-testkit produce / consume', () => {
  it('sends stdin lines (key<sep>value) and prints them back from the beginning', async () => {
    const produced = await runCli('produce --topic cli-lines --key-separator :', {
      stdin: 'k1:hello\nk2:world\nk1:again\n',
      env: brokersEnv(),
    });
    expect(produced, produced.stderr).toMatchObject({ code: 0 });
    expect(produced.stderr).toContain('sent 3 records to cli-lines');
    const consumed = await runCli(
      'consume --topic cli-lines --from-beginning --max-messages 3 --key-separator =',
      {
        env: brokersEnv(),
      },
    );
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout).toBe('k1=hello\nk2=world\nk1=again\n');
  });

  it('--read-committed skips the records of an aborted transaction', async () => {
    await createKafkaTopic({ brokers: kafka.bootstrapServers, topic: 'cli-txn' });
    const client = new Kafka({ brokers: [...kafka.bootstrapServers], logLevel: logLevel.NOTHING });
    const producer = client.producer({
      transactionalId: 'cli-test',
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await producer.connect();
    try {
      const aborted = await producer.transaction();
      await aborted.send({
        topic: 'cli-txn',
        messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }],
      });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({ topic: 'cli-txn', messages: [{ value: 'committed-1' }] });
      await committed.commit();
    } finally {
      await producer.disconnect();
    }
    const readCommitted = await runCli(
      'consume --topic cli-txn --from-beginning --read-committed --max-messages 1',
      {
        env: brokersEnv(),
      },
    );
    expect(readCommitted.code, readCommitted.stderr).toBe(0);
    expect(readCommitted.stdout).toBe('committed-1\n');
    const uncommitted = await runCli('consume --topic cli-txn --from-beginning --max-messages 2', {
      env: brokersEnv(),
    });
    expect(uncommitted.stdout).toBe('aborted-1\naborted-2\n');
  });

  it('finds the brokers a running `sluice-testkit kafka` advertises', async () => {
    const withdraw = advertiseBrokers(emptyCache, kafka.bootstrapServers);
    try {
      const produced = await runCli('produce --topic cli-found', { stdin: 'one\n' });
      expect(produced.code, produced.stderr).toBe(0);
    } finally {
      withdraw();
    }
  });

  it('without a known broker, says how to start one', async () => {
    const result = await runCli('consume --topic t');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TESTKIT_NO_BROKERS');
    expect(result.stderr).toContain('npx sluice-testkit kafka');
  });

  it('rejects a missing --topic with the usage', async () => {
    const result = await runCli('produce', { env: brokersEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('produce needs --topic <name>');
  });
});
