import { describe, expect, it } from 'vitest';
import { SASL_PASSWORD_ENV, runSluiceKafkaCli } from './sluice-kafka-cli.js';

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSluiceKafkaCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('sluice-kafka command line', () => {
  it('--help prints the usage', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('sluice-kafka transactions <list|abort>');
  });

  it('usage errors exit 2 and say what is missing', async () => {
    expect(await run(['transactions', 'purge', '--brokers', 'h:1', '--prefix', 'p'])).toMatchObject({ code: 2, err: expect.stringContaining('"transactions list"') });
    expect(await run(['transactions', 'list', '--prefix', 'p'])).toMatchObject({ code: 2, err: expect.stringContaining('--brokers is required') });
    expect(await run(['transactions', 'list', '--brokers', 'h:1'])).toMatchObject({ code: 2, err: expect.stringContaining('--prefix is required') });
    expect(await run(['transactions', 'list', '--brokers', 'h:1', '--prefix', 'p', '--password', 'x'])).toMatchObject({ code: 2 });
  });

  it('takes the SASL password only from the environment', async () => {
    const base = ['transactions', 'list', '--brokers', 'h:1', '--prefix', 'p', '--sasl-mechanism', 'scram-sha-512', '--sasl-username', 'u'];
    expect(await run(base)).toMatchObject({ code: 2, err: expect.stringContaining(SASL_PASSWORD_ENV) });
    expect(await run([...base.slice(0, 6), '--sasl-mechanism', 'gssapi', '--sasl-username', 'u'], { [SASL_PASSWORD_ENV]: 'pw' })).toMatchObject({
      code: 2,
      err: expect.stringContaining('plain, scram-sha-256, scram-sha-512'),
    });
  });

  it('a bad option value is a typed error naming the option, exit 1', async () => {
    const { code, err } = await run(['transactions', 'list', '--brokers', 'not a broker', '--prefix', 'p']);
    expect(code).toBe(1);
    expect(err).toContain('KAFKA_CONFIG_INVALID');
  });
});
