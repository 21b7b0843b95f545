/**
 * The HTTP layer of the WebHDFS client: `node:http`/`node:https` only. `fetch`/undici cannot be
 * used for the DataNode step, because DataNodes send an unsolicited `100 Continue` that undici
 * rejects ("bad response"); `node:http` handles it.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** TLS settings for `https:` / `swebhdfs` endpoints. */
export interface TlsOptions {
  /**
   * Certificate authorities to trust (PEM), in addition to none: when set, only these are trusted.
   * @defaultValue Node's bundled CA list
   */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * Verify the server certificate. Turn off only for tests.
   * @defaultValue `true`
   */
  readonly rejectUnauthorized?: boolean;
}

/** Body of a request: bytes (retriable) or a stream (sent once). */
export type RequestBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** One HTTP request. */
export interface HttpRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly url: URL;
  readonly body?: RequestBody;
  /** Idle timeout of the socket (no bytes either way), ms. */
  readonly timeoutMs: number;
}

/** Why a request failed before an HTTP answer arrived. */
export type TransportFailureKind = 'refused' | 'timeout' | 'reset' | 'dns' | 'tls' | 'other';

/** A failure below HTTP (connection refused, reset, timeout). */
export class TransportError extends Error {
  /** What happened. */
  readonly kind: TransportFailureKind;
  /**
   * Whether bytes of the body may have reached the server. `false` when the connection was
   * refused (nothing was sent); `true` otherwise, as far as we can know.
   */
  readonly mayHaveReachedServer: boolean;
  /** The underlying error code (`ECONNREFUSED`, ...). */
  readonly errno: string | undefined;

  constructor(message: string, options: { kind: TransportFailureKind; errno?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'TransportError';
    this.kind = options.kind;
    this.errno = options.errno;
    this.mayHaveReachedServer = options.kind !== 'refused' && options.kind !== 'dns' && options.kind !== 'tls';
  }
}

const ERRNO_KINDS: Readonly<Record<string, TransportFailureKind>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
};

function classify(errno: string | undefined): TransportFailureKind {
  if (errno === undefined) return 'other';
  // Certificate and handshake failures: DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_...
  if (/CERT|^ERR_TLS|^ERR_SSL|^UNABLE_TO_/.test(errno)) return 'tls';
  return ERRNO_KINDS[errno] ?? 'other';
}

/** Keeps the agents of one client (keep-alive to the NameNode; fresh connections to DataNodes). */
export class HttpTransport {
  private readonly tls: TlsOptions;
  private readonly keepAliveHttp = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly keepAliveHttps: https.Agent;
  private readonly freshHttps: https.Agent;

  constructor(tls: TlsOptions = {}) {
    this.tls = tls;
    const tlsOptions = {
      ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer | Array<string | Buffer> } : {}),
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
    };
    this.keepAliveHttps = new https.Agent({ keepAlive: true, maxSockets: 16, ...tlsOptions });
    this.freshHttps = new https.Agent({ keepAlive: false, ...tlsOptions });
  }

  /**
   * Sends a request and resolves with the response head (body unread) or rejects with a
   * {@link TransportError}. `keepAlive` reuses connections (NameNode requests).
   */
  send(request: HttpRequest, keepAlive: boolean): Promise<IncomingMessage> {
    const isHttps = request.url.protocol === 'https:';
    const agent = isHttps
      ? keepAlive
        ? this.keepAliveHttps
        : this.freshHttps
      : keepAlive
        ? this.keepAliveHttp
        : false;
    const mod = isHttps ? https : http;
    const headers: Record<string, string> = {};
    const body = request.body;
    if (body === undefined) headers['content-length'] = '0';
    else if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength);
    if (body !== undefined) headers['content-type'] = 'application/octet-stream';
    return new Promise<IncomingMessage>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        const errno = (error as { code?: string }).code;
        const kind = error instanceof TransportError ? error.kind : classify(errno);
        reject(
          error instanceof TransportError
            ? error
            : new TransportError(`${(error as Error).message ?? String(error)}`, {
                kind,
                ...(errno !== undefined ? { errno } : {}),
                cause: error,
              }),
        );
      };
      const req = mod.request(request.url, { method: request.method, agent, headers }, (res) => {
        if (settled) {
          res.resume();
          return;
        }
        settled = true;
        resolve(res);
      });
      req.setTimeout(request.timeoutMs, () => {
        req.destroy(
          new TransportError(`no data for ${request.timeoutMs} ms (option requestTimeoutMs)`, { kind: 'timeout' }),
        );
      });
      req.on('error', fail);
      if (body === undefined) req.end();
      else if (body instanceof Uint8Array) req.end(body);
      else {
        const stream = body instanceof Readable ? body : Readable.from(body);
        stream.on('error', (error) => {
          req.destroy(error);
        });
        stream.pipe(req);
      }
    });
  }

  /** Reads a whole response body as text (bounded). */
  static async readText(res: IncomingMessage, limit = 1 << 20): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res) {
      const buf = chunk as Buffer;
      if (size < limit) chunks.push(buf);
      size += buf.length;
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.keepAliveHttp.destroy();
    this.keepAliveHttps.destroy();
    this.freshHttps.destroy();
  }

  /** TLS settings in use. */
  get tlsOptions(): TlsOptions {
    return this.tls;
  }
}
