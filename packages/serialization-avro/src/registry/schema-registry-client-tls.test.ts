// The registry client's TLS options against an in-test HTTPS server (a stand-in answering one
// Confluent REST call) whose self-signed certificate is generated with openssl for this test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaRegistryClient } from './schema-registry-client.js';

let server: Server;
let url: string;
let cert: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-registry-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    server = createServer({ cert, key }, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify({ schema: '"string"' }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
});

describe('SchemaRegistryClient TLS', () => {
  it('trusts a registry whose CA is given in tls.ca', async () => {
    expect(await SchemaRegistryClient.create({ url, tls: { ca: cert } }).getSchemaById(1)).toBe('"string"');
  });

  it('refuses an unknown certificate (not retried) with a clear error', async () => {
    await expect(SchemaRegistryClient.create({ url, retry: { retries: 5, initialDelayMs: 10_000 } }).getSchemaById(1)).rejects.toMatchObject({
      code: 'SERDE_REGISTRY_ERROR',
      retriable: false,
      message: expect.stringMatching(/TLS verification .* failed \(DEPTH_ZERO_SELF_SIGNED_CERT.*tls\.ca option/),
    });
  });
});
