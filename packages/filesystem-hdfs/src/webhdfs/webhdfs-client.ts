/**
 * A dependency-free WebHDFS REST client (Hadoop 3.x). NameNode requests use keep-alive
 * `node:http(s)` connections; CREATE, APPEND and OPEN follow the NameNode's 307 redirect to a
 * DataNode with a fresh `node:http(s)` connection (not `fetch`: see http-transport.ts).
 *
 * Retries: idempotent operations (GETFILESTATUS, LISTSTATUS, OPEN, MKDIRS, DELETE, TRUNCATE to a
 * length) are retried on retriable failures. CREATE/APPEND with a byte body are retried when the
 * failure proves nothing was written (connection refused, or a lease/safe-mode refusal); a failure
 * after body bytes may have reached the DataNode is "ambiguous" and is not retried here (the
 * {@link FileOutput} of {@link WebHdfsFileSystem} resolves it by checking the file's length).
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type { Counter, MetricGroup } from '@sluice/core';
import { FileSystemError, HdfsErrorCode } from '../errors.js';
import { normalizePath } from '../filesystem/paths.js';
import { isRetriable, resolveRetryPolicy, withRetry } from '../internal/retry.js';
import type { ResolvedRetryPolicy, RetryPolicy } from '../internal/retry.js';
import { HttpTransport, TransportError } from './http-transport.js';
import type { RequestBody, TlsOptions } from './http-transport.js';
import { ADVICE, errorFromAnswer } from './remote-exception.js';
import { buildWebHdfsUrl, redactSecret, redactUrl } from './webhdfs-url.js';
import type { WebHdfsOp } from './webhdfs-url.js';

/** Options of a {@link WebHdfsClient} (and of `WebHdfsFileSystem`). */
export interface WebHdfsClientOptions {
  /**
   * NameNode HTTP(S) URL, e.g. `http://namenode:9870` (`/webhdfs/v1` may be included).
   * `https:` is WebHDFS over TLS (swebhdfs).
   */
  readonly url: string;
  /**
   * `user.name` for simple authentication; ignored when `delegationToken` is set.
   * @defaultValue none (the server's `dr.who` static user)
   */
  readonly user?: string;
  /**
   * Hadoop delegation token (URL-safe encoded), sent as `delegation=`. Never appears in errors,
   * logs or metrics.
   * @defaultValue none
   */
  readonly delegationToken?: string;
  /**
   * TLS settings for `https:` URLs (CA to trust, certificate verification).
   * @defaultValue Node's CA list, verification on
   */
  readonly tls?: TlsOptions;
  /**
   * Socket idle timeout of each request, in ms.
   * @defaultValue `60000`
   */
  readonly requestTimeoutMs?: number;
  /**
   * Retry of retriable failures (backoff, jitter, lease-recovery budget).
   * @defaultValue see {@link RetryPolicy}
   */
  readonly retry?: RetryPolicy;
  /**
   * Maximum time {@link WebHdfsClient.truncate} waits for HDFS block recovery after a mid-block
   * truncate answered `false`, in ms.
   * @defaultValue `60000`
   */
  readonly truncateRecoveryTimeoutMs?: number;
  /**
   * Rewrites the DataNode URL of a redirect (for DataNodes known to the NameNode under an address
   * this host cannot reach, e.g. behind NAT).
   * @defaultValue none
   */
  readonly rewriteDataNodeUrl?: (url: URL) => URL;
  /**
   * Metric group to register counters in (`requests`, `retries`, `failures`, `bytesWritten`,
   * `bytesRead`).
   * @defaultValue none
   */
  readonly metrics?: MetricGroup;
}

/** The WebHDFS `FileStatus` JSON object. */
export interface WebHdfsFileStatus {
  readonly pathSuffix: string;
  readonly type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  readonly length: number;
  readonly modificationTime: number;
  readonly accessTime?: number;
  readonly blockSize?: number;
  readonly owner?: string;
  readonly group?: string;
  readonly permission?: string;
  readonly replication?: number;
}

/** Options of a WebHDFS CREATE. */
export interface WebHdfsCreateParams {
  /** Send `createflag=CREATE,SYNC_BLOCK` (fsync of the block on close). */
  readonly syncBlock?: boolean;
  /** Block size in bytes. */
  readonly blockSize?: number;
  /** Replication factor. */
  readonly replication?: number;
  /** Octal permission. */
  readonly permission?: string;
}

/** `renameoptions` of a RENAME: `NONE` fails if the target exists; `OVERWRITE` replaces it. */
export type RenameOption = 'NONE' | 'OVERWRITE';

const ambiguous = new WeakSet<object>();

/**
 * Whether a CREATE/APPEND failure happened after body bytes may have reached the DataNode, so
 * the file may hold part of the body.
 */
export function isAmbiguousWriteError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ambiguous.has(error);
}

interface ClientMetrics {
  readonly requests?: Counter;
  readonly retries?: Counter;
  readonly failures?: Counter;
  readonly bytesWritten?: Counter;
  readonly bytesRead?: Counter;
}

interface CallSpec {
  readonly op: WebHdfsOp;
  readonly path: string;
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly params?: Readonly<Record<string, string | number | boolean | undefined>>;
}

interface WriteSpec extends CallSpec {
  readonly op: 'CREATE' | 'APPEND';
  readonly body: RequestBody;
  /** Status the DataNode answers on success. */
  readonly okStatus: number;
}

/** A WebHDFS client: one method per operation, typed errors, retries, redacted secrets. */
export class WebHdfsClient {
  private readonly options: WebHdfsClientOptions;
  private readonly transport: HttpTransport;
  private readonly policy: ResolvedRetryPolicy;
  private readonly timeoutMs: number;
  private readonly metrics: ClientMetrics;
  private readonly nameNode: string;

  constructor(options: WebHdfsClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch (cause) {
      throw new FileSystemError(
        `WebHDFS URL ${JSON.stringify(redactUrl(options.url))} is not a URL: pass e.g. "http://namenode:9870" (option url).`,
        { code: HdfsErrorCode.HDFS_ILLEGAL_ARGUMENT, operation: 'connect', option: 'url', cause },
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new FileSystemError(
        `WebHDFS URL ${JSON.stringify(redactUrl(options.url))} must use http: or https: (option url).`,
        { code: HdfsErrorCode.HDFS_ILLEGAL_ARGUMENT, operation: 'connect', option: 'url' },
      );
    }
    this.options = options;
    this.nameNode = parsed.host;
    this.transport = new HttpTransport(options.tls ?? {});
    this.policy = resolveRetryPolicy(options.retry);
    this.timeoutMs = options.requestTimeoutMs ?? 60_000;
    const m = options.metrics;
    this.metrics = m
      ? {
          requests: m.counter('requests'),
          retries: m.counter('retries'),
          failures: m.counter('failures'),
          bytesWritten: m.counter('bytesWritten'),
          bytesRead: m.counter('bytesRead'),
        }
      : {};
  }

  /** The resolved retry policy. */
  get retryPolicy(): ResolvedRetryPolicy {
    return this.policy;
  }

  /** `https:` or `http:`. */
  get secure(): boolean {
    return this.options.url.startsWith('https:');
  }

  /** GETFILESTATUS. Missing path → `HDFS_FILE_NOT_FOUND`. */
  async getFileStatus(path: string): Promise<WebHdfsFileStatus> {
    const body = await this.idempotent({ op: 'GETFILESTATUS', path, method: 'GET' });
    const status = (body as { FileStatus?: WebHdfsFileStatus } | undefined)?.FileStatus;
    if (status === undefined) throw this.protocolError('GETFILESTATUS', path, 'no FileStatus in the answer');
    return status;
  }

  /** LISTSTATUS (one call; fine up to `dfs.ls.limit` entries, 1000 by default, per directory). */
  async listStatus(path: string): Promise<WebHdfsFileStatus[]> {
    const body = await this.idempotent({ op: 'LISTSTATUS', path, method: 'GET' });
    const list = (body as { FileStatuses?: { FileStatus?: WebHdfsFileStatus[] } } | undefined)?.FileStatuses?.FileStatus;
    if (!Array.isArray(list)) throw this.protocolError('LISTSTATUS', path, 'no FileStatuses in the answer');
    return list;
  }

  /** MKDIRS (creates parents; `true` also when the directory exists). */
  async mkdirs(path: string, permission?: string): Promise<boolean> {
    const body = await this.idempotent({ op: 'MKDIRS', path, method: 'PUT', params: { permission } });
    return this.booleanOf('MKDIRS', path, body);
  }

  /**
   * DELETE; `false` if the path did not exist. Retried: after a lost answer the retry may find the
   * path gone and answer `false`.
   */
  async delete(path: string, recursive = false): Promise<boolean> {
    const body = await this.idempotent({ op: 'DELETE', path, method: 'DELETE', params: { recursive } });
    return this.booleanOf('DELETE', path, body);
  }

  /**
   * RENAME. With `option` (`NONE` or `OVERWRITE`) HDFS's rename2 runs: `NONE` fails with
   * `HDFS_FILE_ALREADY_EXISTS` if the target exists, so a commit never overwrites. Without it the
   * plain rename answers `false` for a missing source, an existing target or a missing target
   * parent (and moves into an existing target directory).
   *
   * A retried `NONE` rename whose first attempt may have been applied (answer lost) accepts
   * "source missing and target exists" as success.
   */
  async rename(source: string, target: string, option?: RenameOption): Promise<boolean> {
    const src = normalizePath(source, 'RENAME');
    const dst = normalizePath(target, 'RENAME');
    let mayHaveApplied = false;
    return withRetry(
      async () => {
        try {
          const body = await this.nameNodeJson({
            op: 'RENAME',
            path: src,
            method: 'PUT',
            params: { destination: dst, renameoptions: option },
          });
          // With renameoptions HDFS runs rename2, which answers an empty 200 on success.
          if (option !== undefined && body === undefined) return true;
          return this.booleanOf('RENAME', src, body);
        } catch (error) {
          if (error instanceof TransportError) {
            if (error.mayHaveReachedServer) mayHaveApplied = true;
            throw this.transportFailure({ op: 'RENAME', path: src, server: `NameNode ${this.nameNode}`, error });
          }
          if (
            mayHaveApplied &&
            option === 'NONE' &&
            error instanceof FileSystemError &&
            (error.code === HdfsErrorCode.HDFS_FILE_ALREADY_EXISTS || error.code === HdfsErrorCode.HDFS_FILE_NOT_FOUND) &&
            !(await this.existsQuiet(src)) &&
            (await this.existsQuiet(dst))
          ) {
            return true;
          }
          throw error;
        }
      },
      this.retryContext('RENAME', src),
    );
  }

  /**
   * One TRUNCATE call: `true` when done, `false` when HDFS started block recovery (mid-block
   * truncate); see {@link WebHdfsClient.truncateAndWait}.
   */
  async truncate(path: string, newLength: number): Promise<boolean> {
    const body = await this.idempotent({ op: 'TRUNCATE', path, method: 'POST', params: { newlength: newLength } });
    return this.booleanOf('TRUNCATE', path, body);
  }

  /**
   * TRUNCATE and wait until it is complete: while the answer is `false` (block recovery running)
   * or a lease/recovery refusal comes back, TRUNCATE to the same length is sent again with
   * backoff, until it answers `true` or `truncateRecoveryTimeoutMs` (lease refusals:
   * `retry.leaseRecoveryTimeoutMs`) passes. Recovery takes 0.2-0.75 s on an idle cluster.
   */
  async truncateAndWait(path: string, newLength: number): Promise<void> {
    const started = Date.now();
    const limit = this.options.truncateRecoveryTimeoutMs ?? 60_000;
    for (let poll = 1; ; poll++) {
      if (await this.truncate(path, newLength)) return;
      const elapsed = Date.now() - started;
      if (elapsed > limit) {
        throw new FileSystemError(
          `WebHDFS TRUNCATE ${path} to ${newLength}: block recovery did not finish within ${limit} ms ` +
            `(${poll} polls). Check the DataNodes holding the file's last block; raise truncateRecoveryTimeoutMs to wait longer.`,
          { code: HdfsErrorCode.HDFS_RETRIES_EXHAUSTED, operation: 'TRUNCATE', path, attempts: poll, offset: newLength },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** Math.min(poll - 1, 5))));
    }
  }

  /** CREATE with `overwrite=false` and the given body (bytes are retried, streams sent once). */
  async create(path: string, body: RequestBody, params: WebHdfsCreateParams = {}): Promise<void> {
    const p = normalizePath(path, 'CREATE');
    await this.twoStepWrite({
      op: 'CREATE',
      path: p,
      method: 'PUT',
      okStatus: 201,
      body,
      params: {
        overwrite: false,
        createflag: params.syncBlock ? 'CREATE,SYNC_BLOCK' : undefined,
        blocksize: params.blockSize,
        replication: params.replication,
        permission: params.permission,
      },
    });
  }

  /**
   * APPEND the body. Lease refusals are retried for `retry.leaseRecoveryTimeoutMs`; a failure
   * after bytes may have reached the DataNode is thrown as is (see {@link isAmbiguousWriteError}).
   */
  async append(path: string, body: RequestBody): Promise<void> {
    const p = normalizePath(path, 'APPEND');
    await this.twoStepWrite({ op: 'APPEND', path: p, method: 'POST', okStatus: 200, body });
  }

  /** OPEN: a stream of the file's bytes (range with offset/length). Retried until the answer starts. */
  async open(path: string, range: { offset?: number; length?: number } = {}): Promise<Readable> {
    const p = normalizePath(path, 'OPEN');
    const res = await withRetry(() => this.openOnce(p, range), this.retryContext('OPEN', p));
    // A failure after the answer started is not retried (bytes were already delivered): the
    // stream fails with a typed error instead of a raw socket error.
    const out = new PassThrough();
    res.on('error', (error) => out.destroy(this.transportFailure({ op: 'OPEN', path: p, server: 'DataNode', error })));
    res.on('aborted', () =>
      out.destroy(this.transportFailure({ op: 'OPEN', path: p, server: 'DataNode', error: new TransportError('answer aborted', { kind: 'reset' }) })),
    );
    out.on('close', () => {
      if (!res.complete) res.destroy();
    });
    res.pipe(out);
    return out;
  }

  /** Reads a whole file (or range) into memory; a failure mid-body retries the whole read. */
  async readFile(path: string, range: { offset?: number; length?: number } = {}): Promise<Buffer> {
    const p = normalizePath(path, 'OPEN');
    return withRetry(async () => {
      const stream = await this.openOnce(p, range);
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of stream) chunks.push(chunk as Buffer);
      } catch (error) {
        throw this.transportFailure({ op: 'OPEN', path: p, server: 'DataNode', error });
      }
      return Buffer.concat(chunks);
    }, this.retryContext('OPEN', p));
  }

  private async openOnce(p: string, range: { offset?: number; length?: number }): Promise<IncomingMessage> {
    const location = await this.redirect({
      op: 'OPEN',
      path: p,
      method: 'GET',
      params: { offset: range.offset, length: range.length },
    });
    let res: IncomingMessage;
    try {
      this.metrics.requests?.inc();
      res = await this.transport.send({ method: 'GET', url: location, timeoutMs: this.timeoutMs }, false);
    } catch (error) {
      throw this.transportFailure({ op: 'OPEN', path: p, server: `DataNode ${location.host}`, error });
    }
    if (res.statusCode !== 200) {
      throw await this.answerError({ op: 'OPEN', path: p, server: `DataNode ${location.host}`, res });
    }
    const bytesRead = this.metrics.bytesRead;
    if (bytesRead) res.on('data', (chunk: Buffer) => bytesRead.inc(chunk.length));
    return res;
  }

  /** Closes idle connections. */
  close(): void {
    this.transport.close();
  }

  // ---------------------------------------------------------------------------------------------

  private retryContext(operation: string, path: string): Parameters<typeof withRetry>[1] {
    const retries = this.metrics.retries;
    return {
      operation: `WebHDFS ${operation}`,
      path,
      policy: this.policy,
      ...(retries ? { onRetry: () => retries.inc() } : {}),
    };
  }

  private async idempotent(spec: CallSpec): Promise<unknown> {
    const path = normalizePath(spec.path, spec.op);
    return withRetry(async () => {
      try {
        return await this.nameNodeJson({ ...spec, path });
      } catch (error) {
        if (error instanceof TransportError) {
          throw this.transportFailure({ op: spec.op, path, server: `NameNode ${this.nameNode}`, error });
        }
        throw error;
      }
    }, this.retryContext(spec.op, path));
  }

  private url(spec: CallSpec): URL {
    return buildWebHdfsUrl({
      baseUrl: this.options.url,
      path: spec.path,
      op: spec.op,
      ...(spec.params ? { params: spec.params } : {}),
      ...(this.options.user !== undefined ? { user: this.options.user } : {}),
      ...(this.options.delegationToken !== undefined ? { delegationToken: this.options.delegationToken } : {}),
    });
  }

  /** One NameNode request answered with JSON (2xx) or an error; transport errors propagate raw. */
  private async nameNodeJson(spec: CallSpec): Promise<unknown> {
    this.metrics.requests?.inc();
    const res = await this.transport.send({ method: spec.method, url: this.url(spec), timeoutMs: this.timeoutMs }, true);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      throw await this.answerError({ op: spec.op, path: spec.path, server: `NameNode ${this.nameNode}`, res });
    }
    const text = await HttpTransport.readText(res);
    if (text.trim() === '') return undefined; // rename2 (renameoptions) answers 200 with no body
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw this.protocolError(spec.op, spec.path, { what: `answer is not JSON: ${text.slice(0, 120)}`, cause });
    }
  }

  /** The NameNode step of CREATE/APPEND/OPEN: the DataNode URL from the 307 (or noredirect JSON). */
  private async redirect(spec: CallSpec): Promise<URL> {
    const server = `NameNode ${this.nameNode}`;
    let res: IncomingMessage;
    try {
      this.metrics.requests?.inc();
      res = await this.transport.send({ method: spec.method, url: this.url(spec), timeoutMs: this.timeoutMs }, true);
    } catch (error) {
      throw this.transportFailure({ op: spec.op, path: spec.path, server, error });
    }
    const status = res.statusCode ?? 0;
    let location: string | undefined;
    if (status === 307 || status === 302 || status === 303) {
      res.resume();
      location = res.headers.location;
    } else if (status === 200) {
      const text = await HttpTransport.readText(res);
      try {
        location = (JSON.parse(text) as { Location?: string }).Location;
      } catch {
        location = undefined;
      }
    } else {
      throw await this.answerError({ op: spec.op, path: spec.path, server, res });
    }
    if (typeof location !== 'string' || location === '') {
      throw this.protocolError(spec.op, spec.path, `HTTP ${status} without a DataNode location`);
    }
    let url: URL;
    try {
      url = new URL(location, this.options.url);
    } catch (cause) {
      throw this.protocolError(spec.op, spec.path, { what: `bad DataNode location ${redactUrl(location)}`, cause });
    }
    return this.options.rewriteDataNodeUrl ? this.options.rewriteDataNodeUrl(url) : url;
  }

  private async twoStepWrite(spec: WriteSpec): Promise<void> {
    const replayable = spec.body instanceof Uint8Array;
    const size = spec.body instanceof Uint8Array ? spec.body.byteLength : undefined;
    let sent = false;
    await withRetry(async () => {
      if (sent && !replayable) {
        throw new FileSystemError(`WebHDFS ${spec.op} ${spec.path}: a streamed body cannot be sent twice.`, {
          code: HdfsErrorCode.HDFS_IO,
          operation: spec.op,
          path: spec.path,
        });
      }
      const location = await this.redirect(spec);
      const server = `DataNode ${location.host}`;
      let res: IncomingMessage;
      sent = true;
      try {
        this.metrics.requests?.inc();
        res = await this.transport.send(
          { method: spec.method, url: location, body: spec.body, timeoutMs: this.timeoutMs },
          false,
        );
      } catch (error) {
        const failure = this.transportFailure({ op: spec.op, path: spec.path, server, error });
        if (error instanceof TransportError && error.mayHaveReachedServer) {
          ambiguous.add(failure);
          throw failure; // not retried here: the file may hold part of the body
        }
        if (!replayable) ambiguous.add(failure);
        throw failure;
      }
      if (res.statusCode !== spec.okStatus) {
        const err = await this.answerError({ op: spec.op, path: spec.path, server, res });
        // A DataNode that failed mid-pipeline may have kept a prefix of the body: resolved by the caller.
        if (spec.op === 'APPEND' && err.code === HdfsErrorCode.HDFS_UNREACHABLE && size !== undefined && size > 0) ambiguous.add(err);
        throw err;
      }
      res.resume();
      if (size !== undefined) this.metrics.bytesWritten?.inc(size);
    }, {
      ...this.retryContext(spec.op, spec.path),
      shouldRetry: (error: unknown) => isRetriable(error) && !isAmbiguousWriteError(error) && (replayable || !sent),
    });
  }

  private async existsQuiet(path: string): Promise<boolean> {
    try {
      await this.getFileStatus(path);
      return true;
    } catch (error) {
      if (error instanceof FileSystemError && error.code === HdfsErrorCode.HDFS_FILE_NOT_FOUND) return false;
      throw error;
    }
  }

  private booleanOf(op: string, path: string, body: unknown): boolean {
    const value = (body as { boolean?: unknown } | undefined)?.boolean;
    if (typeof value !== 'boolean') throw this.protocolError(op, path, 'no boolean in the answer');
    return value;
  }

  private async answerError(a: { op: string; path: string; server: string; res: IncomingMessage }): Promise<FileSystemError> {
    const text = redactSecret(await HttpTransport.readText(a.res, 64 * 1024), this.options.delegationToken);
    this.metrics.failures?.inc();
    return errorFromAnswer({ operation: a.op, path: a.path, status: a.res.statusCode ?? 0, body: text, server: a.server });
  }

  private transportFailure(a: { op: string; path: string; server: string; error: unknown }): FileSystemError {
    if (a.error instanceof FileSystemError) return a.error;
    this.metrics.failures?.inc();
    const kind = a.error instanceof TransportError ? a.error.kind : 'other';
    if (kind === 'tls') {
      const detail = redactSecret(redactUrl((a.error as Error).message), this.options.delegationToken);
      return new FileSystemError(
        `WebHDFS ${a.op} ${a.path}: TLS handshake with ${a.server} failed (${detail}). ` +
          'Trust the server\u2019s certificate authority with option tls.ca (PEM), and check the host name in the certificate.',
        { code: HdfsErrorCode.HDFS_ACCESS_DENIED, retriable: false, operation: a.op, path: a.path, cause: a.error },
      );
    }
    const what =
      kind === 'refused'
        ? 'connection refused'
        : kind === 'timeout'
          ? 'timed out'
          : kind === 'reset'
            ? 'connection reset'
            : kind === 'dns'
              ? 'host name not resolved'
              : 'connection failed';
    const detail = redactSecret(redactUrl((a.error as Error)?.message ?? String(a.error)), this.options.delegationToken);
    return new FileSystemError(
      `WebHDFS ${a.op} ${a.path}: ${what} at ${a.server} (${detail}). ${ADVICE.HDFS_UNREACHABLE}`,
      { code: HdfsErrorCode.HDFS_UNREACHABLE, retriable: true, operation: a.op, path: a.path, cause: a.error },
    );
  }

  private protocolError(op: string, path: string, detail: string | { what: string; cause: unknown }): FileSystemError {
    const what = typeof detail === 'string' ? detail : detail.what;
    const cause = typeof detail === 'string' ? undefined : detail.cause;
    this.metrics.failures?.inc();
    return new FileSystemError(
      `WebHDFS ${op} ${path}: unexpected answer from ${this.nameNode}: ${redactSecret(what, this.options.delegationToken)}. ${ADVICE.HDFS_PROTOCOL}`,
      { code: HdfsErrorCode.HDFS_PROTOCOL, operation: op, path, ...(cause !== undefined ? { cause } : {}) },
    );
  }
}
