import { request } from 'node:http';

/** A response read fully into memory. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Options of {@link httpRequest}. */
export interface HttpRequestOptions {
  method: string;
  url: string;
  body?: Uint8Array | string;
  /** @defaultValue 30000 */
  timeoutMs?: number;
}

/**
 * One HTTP request with `node:http` (not fetch: the DataNode sends an unsolicited
 * `100 Continue` that undici rejects; node:http skips it). Redirects are not followed.
 */
export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise((resolvePromise, reject) => {
    const headers: Record<string, string | number> = {};
    if (options.body !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = Buffer.byteLength(options.body);
    }
    const req = request(
      options.url,
      { method: options.method, headers, timeout: options.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${options.method} ${options.url} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Options of {@link webhdfsCheck}. */
export interface WebhdfsCheckOptions {
  /** `http://host:port/webhdfs/v1` */
  webhdfsUrl: string;
  user: string;
  /** Path of the probe file; it is deleted afterwards. */
  path: string;
}

function describe(res: HttpResponse): string {
  return `HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`;
}

/** Writes a file through WebHDFS (NameNode redirect, then DataNode), reads it back, deletes it. */
export async function webhdfsCheck(options: WebhdfsCheckOptions): Promise<true> {
  const base = `${options.webhdfsUrl}${options.path}`;
  const user = `user.name=${encodeURIComponent(options.user)}`;
  const content = `sluice-testkit ${options.path}`;
  const create = await httpRequest({
    method: 'PUT',
    url: `${base}?op=CREATE&overwrite=true&${user}`,
  });
  const location = create.headers['location'];
  if (create.status !== 307 || typeof location !== 'string')
    throw new Error(`CREATE at the NameNode: ${describe(create)}`);
  const written = await httpRequest({ method: 'PUT', url: location, body: content });
  if (written.status !== 201) throw new Error(`CREATE at the DataNode: ${describe(written)}`);
  const open = await httpRequest({ method: 'GET', url: `${base}?op=OPEN&${user}` });
  const openLocation = open.headers['location'];
  if (open.status !== 307 || typeof openLocation !== 'string')
    throw new Error(`OPEN at the NameNode: ${describe(open)}`);
  const read = await httpRequest({ method: 'GET', url: openLocation });
  if (read.status !== 200 || read.body.toString('utf8') !== content)
    throw new Error(`OPEN at the DataNode: ${describe(read)}`);
  const removed = await httpRequest({ method: 'DELETE', url: `${base}?op=DELETE&${user}` });
  if (removed.status !== 200) throw new Error(`DELETE: ${describe(removed)}`);
  return true;
}
