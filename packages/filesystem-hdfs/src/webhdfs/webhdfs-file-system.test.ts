// Unit tests of the client and the batched writer against an in-process fake WebHDFS server
// (for failures a real HDFS cannot be made to produce on demand). Real-HDFS tests are in test/.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemError } from '../errors.js';
import { WebHdfsFileSystem } from './webhdfs-file-system.js';

interface Fake {
  url: string;
  files: Map<string, Buffer>;
  requests: string[];
  /** When set, the DataNode keeps this many bytes of the next APPEND body, then drops the connection. */
  cutNextAppendAfter?: number;
  /** Answer queued for the request after a cut APPEND (e.g. to fail the resync). */
  afterCut?: { status: number; body: string };
  /** When set, the DataNode sends this many bytes of the next OPEN answer, then drops the connection. */
  cutNextOpenAfter?: number;
  /** NameNode answers for the next requests (status, body), consumed first. */
  scripted: Array<{ status: number; body: string }>;
  close(): Promise<void>;
}

async function startFake(): Promise<Fake> {
  const files = new Map<string, Buffer>();
  const requests: string[] = [];
  const fake = { files, requests, scripted: [] } as unknown as Fake;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const op = url.searchParams.get('op') ?? '';
    const path = decodeURIComponent(url.pathname.replace(/^\/webhdfs\/v1/, ''));
    const atDataNode = url.searchParams.has('dn');
    requests.push(`${atDataNode ? 'DN' : 'NN'} ${op} ${path} ${url.search}`);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const scripted = fake.scripted.shift();
    if (scripted !== undefined) {
      res.writeHead(scripted.status, { 'content-type': 'application/json' });
      res.end(scripted.body);
      return;
    }
    if (op === 'GETFILESTATUS') {
      const f = files.get(path);
      if (!f) return json(404, { RemoteException: { exception: 'FileNotFoundException', javaClassName: 'java.io.FileNotFoundException', message: `File does not exist: ${path}` } });
      return json(200, { FileStatus: { pathSuffix: '', type: 'FILE', length: f.length, modificationTime: 1 } });
    }
    if ((op === 'CREATE' || op === 'APPEND' || op === 'OPEN') && !atDataNode) {
      res.writeHead(307, { location: `http://127.0.0.1:${port}${url.pathname}${url.search}&dn=1` });
      res.end();
      return;
    }
    if (op === 'OPEN') {
      const f = files.get(path) ?? Buffer.alloc(0);
      const cut = fake.cutNextOpenAfter;
      fake.cutNextOpenAfter = undefined;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(f.length) });
      if (cut === undefined) {
        res.end(f);
        return;
      }
      res.write(f.subarray(0, cut), () => res.socket?.destroy());
      return;
    }
    if (op === 'CREATE') {
      if (files.has(path)) return json(403, { RemoteException: { exception: 'FileAlreadyExistsException', javaClassName: 'x', message: `${path} exists` } });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        files.set(path, Buffer.concat(chunks));
        res.writeHead(201);
        res.end();
      });
      return;
    }
    if (op === 'APPEND') {
      let keep = fake.cutNextAppendAfter;
      fake.cutNextAppendAfter = undefined;
      req.on('data', (c: Buffer) => {
        const current = files.get(path) ?? Buffer.alloc(0);
        if (keep === undefined) {
          files.set(path, Buffer.concat([current, c]));
          return;
        }
        const take = Math.min(keep, c.length);
        files.set(path, Buffer.concat([current, c.subarray(0, take)]));
        keep -= take;
        if (keep === 0) {
          if (fake.afterCut) fake.scripted.push(fake.afterCut);
          fake.afterCut = undefined;
          req.socket.destroy();
        }
      });
      req.on('end', () => {
        res.writeHead(200);
        res.end();
      });
      return;
    }
    json(400, { RemoteException: { exception: 'IllegalArgumentException', javaClassName: 'x', message: `bad op ${op}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

describe('WebHdfsFileSystem against a fake WebHDFS', () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startFake();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('batches writes: nothing is sent below the threshold, one APPEND on flush', async () => {
    const fs = new WebHdfsFileSystem({ url: fake.url, user: 'u', appendBufferBytes: 1000 });
    const out = await fs.create('/f');
    for (let i = 0; i < 10; i++) await out.write('0123456789');
    expect(fake.requests.filter((r) => r.includes('APPEND'))).toHaveLength(0);
    expect(out.position).toBe(100);
    expect(out.durableLength).toBe(0);
    expect(await out.flush()).toBe(100);
    expect(fake.requests.filter((r) => r.startsWith('DN APPEND'))).toHaveLength(1);
    await out.write(Buffer.alloc(1500, 1)); // passes the threshold: sent at once
    expect(fake.requests.filter((r) => r.startsWith('DN APPEND'))).toHaveLength(2);
    expect(await out.close()).toBe(1600);
    expect(fake.files.get('/f')?.length).toBe(1600);
    await expect(out.write('x')).rejects.toMatchObject({ code: 'HDFS_OUTPUT_CLOSED' });
    await fs.close();
  });

  it('an APPEND cut mid-body is completed exactly once (length check, then the rest)', async () => {
    const fs = new WebHdfsFileSystem({ url: fake.url, user: 'u' });
    const out = await fs.create('/g');
    await out.write('head-');
    await out.flush();
    const body = Buffer.from('abcdefghijklmnopqrstuvwxyz'.repeat(4000));
    fake.cutNextAppendAfter = 30_000;
    await out.write(body);
    expect(await out.flush()).toBe(5 + body.length);
    expect(fake.files.get('/g')?.toString()).toBe('head-' + body.toString());
    await out.close();
    await fs.close();
  });

  it('a flush that failed while an APPEND outcome was unknown: the retried flush resolves it first, no byte twice', async () => {
    const fs = new WebHdfsFileSystem({ url: fake.url, user: 'u' });
    const out = await fs.create('/u');
    const body = Buffer.from('0123456789'.repeat(10_000));
    fake.cutNextAppendAfter = 40_000;
    fake.afterCut = {
      status: 403,
      body: JSON.stringify({ RemoteException: { exception: 'AccessControlException', javaClassName: 'x', message: 'denied once' } }),
    };
    await out.write(body);
    await expect(out.flush()).rejects.toMatchObject({ code: 'HDFS_ACCESS_DENIED' });
    expect(fake.files.get('/u')?.length).toBe(40_000); // a prefix landed
    expect(out.position).toBe(body.length);
    expect(await out.flush()).toBe(body.length);
    expect(fake.files.get('/u')?.equals(body)).toBe(true);
    await out.close();
    await fs.close();
  });

  it('never puts the delegation token in errors (refused connection, server echo)', async () => {
    const token = 'SECRET_TOKEN_abc123';
    const fs = new WebHdfsFileSystem({ url: fake.url, delegationToken: token, retry: { maxAttempts: 1 } });
    fake.scripted.push({
      status: 500,
      body: JSON.stringify({ RemoteException: { exception: 'IOException', javaClassName: 'java.io.IOException', message: `bad request ?delegation=${token}` } }),
    });
    const e1 = await fs.status('/x').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(FileSystemError);
    expect(JSON.stringify({ m: (e1 as Error).message, r: (e1 as FileSystemError).remoteException })).not.toContain(token);
    expect(fake.requests[0]).toContain(`delegation=${token}`);
    await fake.close();
    const e2 = await fs.status('/x').catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'HDFS_RETRIES_EXHAUSTED', cause: { code: 'HDFS_UNREACHABLE' } });
    expect(String((e2 as Error).message)).not.toContain(token);
    await fs.close();
  });

  it('OPEN cut mid-answer: the stream fails with a typed error; readFile retries the whole read', async () => {
    const fs = new WebHdfsFileSystem({ url: fake.url, retry: { initialDelayMs: 1 } });
    const data = Buffer.alloc(300_000, 7);
    await fs.writeFile('/o', data);
    fake.cutNextOpenAfter = 100_000;
    const stream = await fs.open('/o');
    const error = await (async () => {
      for await (const _chunk of stream) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HDFS_UNREACHABLE', operation: 'OPEN', path: '/o' });
    fake.cutNextOpenAfter = 100_000;
    expect(Buffer.from(await fs.readFile('/o')).equals(data)).toBe(true);
    await fs.close();
  });

  it('registers and counts its metrics', async () => {
    const counters = new Map<string, number>();
    const metrics = {
      scope: ['t'],
      counter: (name: string) => ({
        get count() {
          return counters.get(name) ?? 0;
        },
        inc: (n = 1) => {
          counters.set(name, (counters.get(name) ?? 0) + n);
        },
      }),
      gauge: () => undefined,
      addGroup() {
        return metrics;
      },
    };
    const fs = new WebHdfsFileSystem({ url: fake.url, metrics, retry: { initialDelayMs: 1 } });
    const out = await fs.create('/m');
    await out.write('12345');
    await out.close();
    fake.scripted.push({ status: 503, body: 'busy' });
    await fs.readFile('/m');
    expect(Object.fromEntries(counters)).toMatchObject({ appends: 1, bytesWritten: 5, bytesRead: 5, retries: 1, failures: 1 });
    expect(counters.get('requests')).toBeGreaterThanOrEqual(7);
    await fs.close();
  });

  it('create never overwrites', async () => {
    const fs = new WebHdfsFileSystem({ url: fake.url });
    await fs.writeFile('/h', 'one');
    await expect(fs.create('/h')).rejects.toMatchObject({ code: 'HDFS_FILE_ALREADY_EXISTS', operation: 'CREATE', path: '/h' });
    expect(fake.files.get('/h')?.toString()).toBe('one');
    expect(fake.requests.some((r) => r.includes('overwrite=false'))).toBe(true);
    await fs.close();
  });

  it('retries a 503 from the NameNode', async () => {
    const fs = new WebHdfsFileSystem({ url: fake.url, retry: { initialDelayMs: 1 } });
    await fs.writeFile('/i', 'x');
    fake.scripted.push({ status: 503, body: 'busy' }, { status: 503, body: 'busy' });
    await expect(fs.status('/i')).resolves.toMatchObject({ length: 1, type: 'file' });
    await fs.close();
  });
});
