// A WebHDFS APPEND sent by hand, whose body is left open so the test can "kill" the client
// mid-body (a writer process dying during an APPEND).
import http from 'node:http';

/** An APPEND whose DataNode request is in flight. */
export interface InFlightAppend {
  /** Sends more body bytes. */
  write(bytes: Buffer): Promise<void>;
  /** Destroys the connection without finishing the body (the client dies). */
  kill(): void;
  /** Bytes handed to the socket so far. */
  readonly written: Buffer[];
}

function request(url: URL, method: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { 'content-length': '0' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Starts an APPEND to `path` and returns once the DataNode request is open. */
export async function startRawAppend(options: { webhdfsUrl: string; user: string; path: string }): Promise<InFlightAppend> {
  const base = options.webhdfsUrl.replace(/\/+$/, '');
  const nn = new URL(`${base}${options.path}?op=APPEND&user.name=${encodeURIComponent(options.user)}`);
  const redirect = await request(nn, 'POST');
  redirect.resume();
  const location = redirect.headers.location;
  if (redirect.statusCode !== 307 || location === undefined) {
    throw new Error(`APPEND ${options.path}: expected a 307 from the NameNode, got ${redirect.statusCode}`);
  }
  const req = http.request(new URL(location), {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
  });
  req.on('error', () => undefined); // expected when killed
  req.on('response', (res) => res.resume());
  req.flushHeaders();
  const written: Buffer[] = [];
  return {
    written,
    write: (bytes) =>
      new Promise((resolve, reject) => {
        written.push(bytes);
        req.write(bytes, (error) => (error ? reject(error) : resolve()));
      }),
    kill: () => req.destroy(),
  };
}
