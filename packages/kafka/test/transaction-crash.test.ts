// A process that pre-committed a transaction is SIGKILLed; a fresh client commits it from the
// stored ids and a read_committed reader sees every record exactly once.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TransactionRecovery } from '../src/sink/transactions/transaction-recovery.js';
import { brokers, createTopic, kafkaClient, readAll, uniqueName } from './helpers.js';

let admin: Admin;
beforeAll(async () => {
  admin = kafkaClient().admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

const here = dirname(fileURLToPath(import.meta.url));
const viteNode = join(dirname(createRequire(import.meta.url).resolve('vite-node/package.json')), 'vite-node.mjs');

/** Runs the child until it printed the ids, SIGKILLs it, and returns the ids. */
function preCommitInChildAndKill(args: { topic: string; transactionalId: string; count: number }) {
  const child = spawn(
    process.execPath,
    [viteNode, join(here, 'fixtures', 'precommit-child.ts'), brokers().join(','), args.topic, args.transactionalId, String(args.count)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ transactionalId: string; producerId: number; epoch: number }>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child did not print its producer ids within 60 s; stderr: ${stderr}`));
    }, 60_000);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the child exited early (code ${code}); stderr: ${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        child.once('exit', () => resolve(JSON.parse(line) as { transactionalId: string; producerId: number; epoch: number }));
        child.kill('SIGKILL');
      }
    });
  });
}

it('commits the transaction of a SIGKILLed process from a fresh client: read_committed sees every record once', async () => {
  const topic = await createTopic(admin, { partitions: 3 });
  const transactionalId = uniqueName('txn');
  const ids = await preCommitInChildAndKill({ topic, transactionalId, count: 50 });
  expect(ids.transactionalId).toBe(transactionalId);
  const fresh = kafkaClient();
  const recovery = new TransactionRecovery(fresh);
  try {
    expect(await recovery.commit(ids)).toEqual({ kind: 'committed' });
  } finally {
    await recovery.close();
  }
  const read = await readAll(fresh, { topic, isolation: 'read_committed', expected: 50 });
  expect(read).toHaveLength(50);
  expect(new Set(read.map((r) => r.value)).size).toBe(50);
});
