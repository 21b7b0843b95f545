// WebHDFS over HTTPS (swebhdfs) against an in-process HTTPS server with a self-signed certificate
// (test/fixtures/tls, generated once with openssl, valid for 100 years).
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHdfsFileSystem } from './webhdfs-file-system.js';

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');

describe('WebHDFS over HTTPS', () => {
  let server: https.Server;
  let url: string;
  const cert = fixture('cert.pem');

  beforeAll(async () => {
    server = https.createServer({ key: fixture('key.pem'), cert }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ FileStatus: { pathSuffix: '', type: 'FILE', length: 3, modificationTime: 5 } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('trusts the CA given in tls.ca and reports scheme swebhdfs', async () => {
    const fs = new WebHdfsFileSystem({ url, user: 'u', tls: { ca: cert } });
    expect(fs.scheme).toBe('swebhdfs');
    await expect(fs.status('/f')).resolves.toMatchObject({ length: 3, type: 'file', modificationTime: 5 });
    await fs.close();
  });

  it('an untrusted certificate fails at once (not retried) with a message naming tls.ca', async () => {
    const fs = new WebHdfsFileSystem({ url, user: 'u', delegationToken: 'TOKEN_SHOULD_NOT_LEAK' });
    const error = await fs.status('/f').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HDFS_ACCESS_DENIED', retriable: false, operation: 'GETFILESTATUS', path: '/f' });
    expect(String((error as Error).message)).toMatch(/tls\.ca/);
    expect(String((error as Error).message)).not.toContain('TOKEN_SHOULD_NOT_LEAK');
    await fs.close();
  });
});
