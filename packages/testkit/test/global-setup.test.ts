// Runs a real vitest project whose globalSetup is testkitGlobalSetup, with the servers given as
// external ones (SLUICE_KAFKA_BROKERS / SLUICE_WEBHDFS_URL), so that no extra JVM starts: checks
// the provide → inject path end to end.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

function runVitest(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(here, '..', '..', '..', 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--config',
        join(here, 'fixtures', 'inject-project', 'vitest.config.ts'),
      ],
      {
        cwd: join(here, 'fixtures', 'inject-project'),
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

it('provides Kafka and HDFS to the tests of a vitest project', async () => {
  const { code, output } = await runVitest({
    SLUICE_KAFKA_BROKERS: '127.0.0.1:19092',
    SLUICE_WEBHDFS_URL: 'http://127.0.0.1:19870',
    SLUICE_HDFS_RPC_URL: 'hdfs://127.0.0.1:19000',
    SLUICE_HDFS_USER: 'tester',
  });
  expect(code, output).toBe(0);
  const line = /PROVIDED (.*)/.exec(output)?.[1];
  expect(line, output).toBeDefined();
  expect(JSON.parse(line ?? '{}')).toEqual({
    kafka: { bootstrapServers: ['127.0.0.1:19092'], external: true },
    hdfs: {
      webhdfsUrl: 'http://127.0.0.1:19870/webhdfs/v1',
      rpcUrl: 'hdfs://127.0.0.1:19000',
      user: 'tester',
      external: true,
    },
  });
});
