// Integration tests against a real HDFS (NameNode + DataNode, WebHDFS) started by the testkit.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HDFS_PROVIDE_KEY,
  createFsShell,
  hdfsGlobalSetup,
  injectHdfs,
  startHdfs,
} from '../src/index.js';
import type { HdfsServer } from '../src/index.js';
import { waitFor } from '../src/internal/wait-for.js';

let hdfs: HdfsServer;

beforeAll(async () => {
  hdfs = await startHdfs();
});

afterAll(async () => {
  await hdfs?.stop();
});

// A small WebHDFS client on node:http (the DataNode's unsolicited 100 Continue breaks fetch).
interface Reply {
  status: number;
  location: string | undefined;
  body: Buffer;
}

function call(method: string, url: string, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers =
      body === undefined
        ? {}
        : { 'content-type': 'application/octet-stream', 'content-length': body.length };
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const location = res.headers.location;
        resolve({ status: res.statusCode ?? 0, location, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function url(path: string, op: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({ op, 'user.name': hdfs.user, ...params });
  return `${hdfs.webhdfsUrl}${path}?${query.toString()}`;
}

function expectStatus(reply: Reply, status: number, what: string): void {
  if (reply.status !== status)
    throw new Error(`${what}: HTTP ${reply.status} ${reply.body.toString('utf8')}`);
}

async function redirected(options: {
  method: string;
  path: string;
  op: string;
  body?: Buffer;
  params?: Record<string, string>;
}): Promise<Reply> {
  const first = await call(options.method, url(options.path, options.op, options.params));
  expectStatus(first, 307, `${options.op} ${options.path} at the NameNode`);
  if (first.location === undefined) throw new Error('no Location header');
  return call(options.method, first.location, options.body);
}

const webhdfs = {
  async create(path: string, data: string): Promise<void> {
    const reply = await redirected({
      method: 'PUT',
      path,
      op: 'CREATE',
      body: Buffer.from(data),
      params: { overwrite: 'false' },
    });
    expectStatus(reply, 201, `CREATE ${path}`);
  },
  async append(path: string, data: string): Promise<void> {
    const reply = await redirected({ method: 'POST', path, op: 'APPEND', body: Buffer.from(data) });
    expectStatus(reply, 200, `APPEND ${path}`);
  },
  async read(path: string): Promise<string> {
    const reply = await redirected({ method: 'GET', path, op: 'OPEN' });
    expectStatus(reply, 200, `OPEN ${path}`);
    return reply.body.toString('utf8');
  },
  async rename(from: string, to: string, options: Record<string, string> = {}): Promise<Reply> {
    return call('PUT', url(from, 'RENAME', { destination: to, ...options }));
  },
  async truncate(path: string, newlength: number): Promise<boolean> {
    const reply = await call('POST', url(path, 'TRUNCATE', { newlength: String(newlength) }));
    if (reply.status === 403) return false; // recovery of the last block still in progress
    expectStatus(reply, 200, `TRUNCATE ${path}`);
    return (JSON.parse(reply.body.toString('utf8')) as { boolean: boolean }).boolean;
  },
  async length(path: string): Promise<number | undefined> {
    const reply = await call('GET', url(path, 'GETFILESTATUS'));
    if (reply.status === 404) return undefined;
    expectStatus(reply, 200, `GETFILESTATUS ${path}`);
    return (JSON.parse(reply.body.toString('utf8')) as { FileStatus: { length: number } })
      .FileStatus.length;
  },
};

const unique = (prefix: string): string =>
  `/sluice-tests/${prefix}-${randomBytes(4).toString('hex')}`;

describe('startHdfs', () => {
  it('runs NameNode + DataNode in one JVM, logging to a file', () => {
    const pid = hdfs.pid();
    expect(pid).toBeTypeOf('number');
    expect(readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8')).toContain(
      'dev.sluice.testkit.SluiceMiniHdfs',
    );
    expect(hdfs.rpcUrl).toMatch(/^hdfs:\/\/127\.0\.0\.1:\d+$/);
    expect(hdfs.webhdfsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhdfs\/v1$/);
    expect(readFileSync(hdfs.logFile ?? '', 'utf8')).toContain('SLUICE_HDFS_READY');
  });

  it('creates, appends, reads, renames and truncates through WebHDFS', async () => {
    const path = unique('ops');
    await webhdfs.create(path, 'hello ');
    await webhdfs.append(path, 'world');
    expect(await webhdfs.read(path)).toBe('hello world');
    expect(await webhdfs.length(path)).toBe(11);

    const target = `${path}.committed`;
    const renamed = await webhdfs.rename(path, target, { renameoptions: 'NONE' });
    expectStatus(renamed, 200, 'RENAME');
    expect(await webhdfs.length(path)).toBeUndefined();
    expect(await webhdfs.length(target)).toBe(11);
    await webhdfs.create(path, 'other');
    const clash = await webhdfs.rename(path, target, { renameoptions: 'NONE' });
    expect(clash.status).toBe(403);

    // Mid-block truncate answers false and recovers the block; repeat until it answers true.
    await waitFor(() => webhdfs.truncate(target, 5), {
      description: `TRUNCATE ${target} to 5 to answer true`,
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect(await webhdfs.length(target)).toBe(5);
    expect(await webhdfs.read(target)).toBe('hello');
    await waitFor(
      async () => {
        await webhdfs.append(target, '!');
        return true;
      },
      {
        description: `APPEND to ${target} after truncate recovery`,
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    expect(await webhdfs.read(target)).toBe('hello!');
  });

  it('FsShell reads back what WebHDFS wrote, and writes what WebHDFS reads', async () => {
    const path = unique('shell');
    await webhdfs.create(path, 'written over webhdfs\n');
    const cat = await hdfs.fsShell(['-cat', path]);
    expect(cat).toMatchObject({ code: 0, stdout: 'written over webhdfs\n' });
    const ls = await hdfs.fsShell(['-ls', path]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(path);

    const put = `${path}.put`;
    const putResult = await hdfs.fsShell(['-put', '-', put], { input: 'from fsshell' });
    expect(putResult.code).toBe(0);
    expect(await webhdfs.read(put)).toBe('from fsshell');

    const missing = await hdfs.fsShell(['-cat', `${path}.missing`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('No such file');
  });

  it('restarts the DataNode; data survives and writes work again', async () => {
    const path = unique('dn-restart');
    await webhdfs.create(path, 'before');
    await hdfs.restartDataNode();
    expect(await webhdfs.read(path)).toBe('before');
    await webhdfs.append(path, ' after');
    const other = unique('dn-restart-new');
    await webhdfs.create(other, 'new file');
    expect(await webhdfs.read(path)).toBe('before after');
    expect(await webhdfs.read(other)).toBe('new file');
  });
});

describe('hdfsGlobalSetup, injectHdfs and createFsShell', () => {
  it('provides an external HDFS from SLUICE_WEBHDFS_URL and reads it with FsShell', async () => {
    const provided = new Map<string, unknown>();
    const saved = {
      url: process.env['SLUICE_WEBHDFS_URL'],
      rpc: process.env['SLUICE_HDFS_RPC_URL'],
    };
    process.env['SLUICE_WEBHDFS_URL'] = hdfs.webhdfsUrl.replace('/webhdfs/v1', '');
    delete process.env['SLUICE_HDFS_RPC_URL'];
    try {
      const teardown = await hdfsGlobalSetup({ provide: (key, value) => provided.set(key, value) });
      const info = injectHdfs(((key: string) => provided.get(key)) as (key: never) => unknown);
      expect(provided.has(HDFS_PROVIDE_KEY)).toBe(true);
      expect(info).toEqual({ webhdfsUrl: hdfs.webhdfsUrl, user: hdfs.user, external: true });
      const path = unique('external');
      await webhdfs.create(path, 'via webhdfs://');
      const shell = createFsShell(info);
      expect(await shell(['-cat', path])).toMatchObject({ code: 0, stdout: 'via webhdfs://' });
      await teardown();
    } finally {
      for (const [key, value] of [
        ['SLUICE_WEBHDFS_URL', saved.url],
        ['SLUICE_HDFS_RPC_URL', saved.rpc],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    expect(hdfs.pid()).toBeTypeOf('number');
  });
});
