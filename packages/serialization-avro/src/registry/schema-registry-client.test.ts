// Retry, caching and authentication of the registry client against a small in-test HTTP server
// (a stand-in that implements the few Confluent REST answers each test needs; the real registry is
// exercised in test/schema-registry.test.ts).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AvroErrorCode, AvroSerdeError } from '../errors.js';
import { SchemaRegistryClient } from './schema-registry-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const servers: Server[] = [];

async function inTestRegistry(handler: Handler): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()));
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`, requests };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/vnd.schemaregistry.v1+json' });
  res.end(JSON.stringify(body));
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

const fast = { retries: 3, initialDelayMs: 1, maxDelayMs: 2 };

describe('SchemaRegistryClient (in-test HTTP server)', () => {
  it('caches schemas by id and shares concurrent fetches', async () => {
    const { url, requests } = await inTestRegistry((req, res) => reply(res, 200, { schema: '"string"' }));
    const client = SchemaRegistryClient.create({ url });
    const [a, b] = await Promise.all([client.getSchemaById(1), client.getSchemaById(1)]);
    expect([a, b, await client.getSchemaById(1)]).toEqual(['"string"', '"string"', '"string"']);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('/base/schemas/ids/1');
  });

  it('forgets the least recently used id beyond identityMapCapacity', async () => {
    const { url, requests } = await inTestRegistry((req, res) => reply(res, 200, { schema: '"int"' }));
    const client = SchemaRegistryClient.create({ url, identityMapCapacity: 1 });
    await client.getSchemaById(1);
    await client.getSchemaById(2);
    await client.getSchemaById(1);
    expect(requests).toHaveLength(3);
  });

  it('retries 503 and 429 with backoff, then succeeds', async () => {
    let calls = 0;
    const { url } = await inTestRegistry((req, res) => {
      calls += 1;
      if (calls === 1) reply(res, 503, { error_code: 50301, message: 'warming up' });
      else if (calls === 2) reply(res, 429, { message: 'slow down' });
      else reply(res, 200, { id: 5 });
    });
    expect(await SchemaRegistryClient.create({ url, retry: fast }).register('s', '"int"')).toBe(5);
    expect(calls).toBe(3);
  });

  it('gives up after the retries with a retriable SERDE_REGISTRY_UNAVAILABLE', async () => {
    const { url, requests } = await inTestRegistry((req, res) => reply(res, 500, { error_code: 50001, message: 'store down' }));
    const error = await SchemaRegistryClient.create({ url, retry: fast })
      .getSchemaById(3)
      .then(() => undefined, (e: unknown) => e as AvroSerdeError);
    if (error === undefined) throw new Error('expected an error');
    expect(error).toBeInstanceOf(AvroSerdeError);
    expect(error.code).toBe(AvroErrorCode.SERDE_REGISTRY_UNAVAILABLE);
    expect(error.retriable).toBe(true);
    expect(error.message).toMatch(/GET schemas\/ids\/3 failed 4 times; last: HTTP 500 \(error_code 50001: store down\)/);
    expect(requests).toHaveLength(4);
  });

  it('does not retry 401 and says to check the credentials', async () => {
    const { url, requests } = await inTestRegistry((req, res) => reply(res, 401, { error_code: 40101, message: 'no' }));
    const error = await SchemaRegistryClient.create({ url, retry: fast, auth: { type: 'basic', username: 'u', password: 'topsecret' } })
      .getSchemaById(1)
      .then(() => undefined, (e: unknown) => e as AvroSerdeError);
    if (error === undefined) throw new Error('expected an error');
    expect(error.code).toBe(AvroErrorCode.SERDE_REGISTRY_ERROR);
    expect(error.message).toMatch(/Check the registry credentials/);
    expect(error.message).not.toContain('topsecret');
    expect(requests).toHaveLength(1);
  });

  it('sends basic, bearer (static or from a function) and custom headers', async () => {
    const seen: (string | undefined)[] = [];
    const { url } = await inTestRegistry((req, res) => {
      seen.push(req.headers.authorization);
      reply(res, 200, { is_compatible: true });
    });
    await SchemaRegistryClient.create({ url, auth: { type: 'basic', username: 'al', password: 'pw' } }).testCompatibility('s', '"int"');
    await SchemaRegistryClient.create({ url, auth: { type: 'bearer', token: 'abc' } }).testCompatibility('s', '"int"');
    await SchemaRegistryClient.create({ url, auth: { type: 'bearer', token: () => Promise.resolve('fresh') } }).testCompatibility('s', '"int"');
    await SchemaRegistryClient.create({ url: url.replace('http://', 'http://u%40x:p%3A@') }).testCompatibility('s', '"int"');
    expect(seen).toEqual([
      `Basic ${Buffer.from('al:pw').toString('base64')}`,
      'Bearer abc',
      'Bearer fresh',
      `Basic ${Buffer.from('u@x:p:').toString('base64')}`,
    ]);
  });

  it('maps 422 to SERDE_INVALID_SCHEMA and a non-JSON 200 to SERDE_REGISTRY_ERROR', async () => {
    let mode = 422;
    const { url } = await inTestRegistry((req, res) => {
      if (mode === 422) reply(res, 422, { error_code: 42201, message: 'Invalid schema' });
      else {
        res.writeHead(200);
        res.end('<html>proxy</html>');
      }
    });
    const client = SchemaRegistryClient.create({ url, retry: fast });
    await expect(client.register('s', '{')).rejects.toMatchObject({ code: 'SERDE_INVALID_SCHEMA' });
    mode = 200;
    await expect(client.getSchemaById(9)).rejects.toMatchObject({ code: 'SERDE_REGISTRY_ERROR', message: expect.stringContaining('<html>proxy') });
  });

  it('rejects bad options at create()', () => {
    expect(() => SchemaRegistryClient.create({ url: 'ftp://x' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', option: 'url' }));
    expect(() => SchemaRegistryClient.create({ url: 'not a url' })).toThrow(expect.objectContaining({ option: 'url' }));
    expect(() => SchemaRegistryClient.create({ url: 'http://x', identityMapCapacity: 0 })).toThrow(
      expect.objectContaining({ option: 'identityMapCapacity' }),
    );
  });
});
