// startSchemaRegistry: a real Apicurio Registry starts on loopback only, is configured BACKWARD,
// and is gone after stop().
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startSchemaRegistry } from './start-schema-registry.js';
import type { SchemaRegistryServer } from './start-schema-registry.js';

let server: SchemaRegistryServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
  delete process.env['SLUICE_SCHEMA_REGISTRY_URL'];
});

function listeningAddresses(pid: number): string[] {
  return execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[3] ?? '');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startSchemaRegistry', () => {
  it('starts Apicurio Registry on 127.0.0.1 with BACKWARD compatibility and stops it', async () => {
    server = await startSchemaRegistry();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
    expect(server.external).toBe(false);
    const config = (await (await fetch(`${server.url}/config`)).json()) as { compatibilityLevel?: string };
    expect(config.compatibilityLevel).toBe('BACKWARD');
    const pid = server.pid();
    expect(pid).toBeTypeOf('number');
    const addresses = listeningAddresses(pid ?? 0);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(address).toMatch(/^(\[::ffff:)?127\.0\.0\.1\]?:\d+$/);
    await server.stop();
    server = undefined;
    expect(alive(pid ?? 0)).toBe(false);
  });

  it('uses SLUICE_SCHEMA_REGISTRY_URL instead of starting one', async () => {
    process.env['SLUICE_SCHEMA_REGISTRY_URL'] = 'http://registry.example:8081/';
    server = await startSchemaRegistry();
    expect(server).toMatchObject({ url: 'http://registry.example:8081', external: true, version: 'external' });
    expect(server.pid()).toBeUndefined();
  });
});
