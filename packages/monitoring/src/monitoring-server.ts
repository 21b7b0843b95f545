/**
 * The monitoring HTTP server: Prometheus `/metrics`, the REST API under `/jobs` and the web
 * dashboard at `/`. Read-only unless `allowControl` is set; control calls then need the bearer
 * token. Binds to 127.0.0.1 unless told otherwise.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { JobHandle, JobStatus } from '@sluice/core';
import { loadDashboardAssets } from './dashboard-assets.js';
import type { Asset } from './dashboard-assets.js';
import { MonitoringError, MonitoringErrorCode } from './errors.js';
import { fileSinkStatus, jobDetail, kafkaLag, summary } from './job-views.js';
import { createLogger } from './logger.js';
import type { MonitoringLogger } from './logger.js';
import { PrometheusExporter } from './prometheus-exporter.js';

/** Options of {@link startMonitoring}. */
export interface MonitoringOptions {
  /**
   * TCP port; `0` picks a free one (read it from {@link MonitoringServer.url}).
   * @defaultValue 0
   */
  readonly port?: number;
  /**
   * Address to bind. Anything but a loopback address (`127.0.0.1`, `::1`, `localhost`) exposes
   * the metrics to the network and logs a warning.
   * @defaultValue `'127.0.0.1'`
   */
  readonly host?: string;
  /**
   * Enables the control endpoints `POST /jobs/:id/cancel` and `POST /jobs/:id/checkpoints`
   * (trigger). They then require `Authorization: Bearer <token>`.
   * @defaultValue false
   */
  readonly allowControl?: boolean;
  /**
   * Bearer token for the control endpoints; required (at least 16 characters) when
   * `allowControl` is set. Never logged.
   * @defaultValue none
   */
  readonly token?: string;
  /**
   * Serve Prometheus' text format at `/metrics`.
   * @defaultValue true
   */
  readonly prometheus?: boolean;
  /**
   * Add Node process metrics (CPU, memory, event-loop lag, GC) to `/metrics`, prefixed `sluice_`.
   * @defaultValue true
   */
  readonly processMetrics?: boolean;
  /**
   * Serve the web dashboard at `/`.
   * @defaultValue true
   */
  readonly dashboard?: boolean;
  /**
   * Receives the server's log lines (a pino logger fits).
   * @defaultValue `createLogger()`: JSON lines on standard output at level `info`
   */
  readonly logger?: MonitoringLogger;
}

/** A running monitoring server. */
export interface MonitoringServer {
  /** `http://<host>:<port>` (IPv6 hosts in brackets). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Shows another job (e.g. a second `executeAsync`). */
  addJob(handle: JobHandle): void;
  /** Stops showing a job; returns whether it was shown. */
  removeJob(jobId: string): boolean;
  /** Stops the server (open connections are closed). */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Reads monitoring options from environment variables: `SLUICE_MONITORING_PORT`,
 * `SLUICE_MONITORING_HOST`, `SLUICE_MONITORING_ALLOW_CONTROL` (`true`/`1`) and
 * `SLUICE_MONITORING_TOKEN`. Unset variables leave the defaults.
 */
export function monitoringOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): MonitoringOptions {
  const port = env['SLUICE_MONITORING_PORT'];
  const host = env['SLUICE_MONITORING_HOST'];
  const allow = env['SLUICE_MONITORING_ALLOW_CONTROL'];
  const token = env['SLUICE_MONITORING_TOKEN'];
  return {
    ...(port === undefined || port === '' ? {} : { port: Number(port) }),
    ...(host === undefined || host === '' ? {} : { host }),
    ...(allow === undefined || allow === ''
      ? {}
      : { allowControl: allow === 'true' || allow === '1' }),
    ...(token === undefined || token === '' ? {} : { token }),
  };
}

function validate(options: MonitoringOptions): void {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MonitoringError(
      `Monitoring option port is ${String(options.port)}; it must be an integer from 0 to 65535 (0 picks a free port).`,
      { code: MonitoringErrorCode.CONFIG_MONITORING_OPTION, option: 'port' },
    );
  }
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw new MonitoringError(
      'Monitoring option host must be a non-empty address such as 127.0.0.1.',
      {
        code: MonitoringErrorCode.CONFIG_MONITORING_OPTION,
        option: 'host',
      },
    );
  }
  if (
    options.allowControl === true &&
    (typeof options.token !== 'string' || options.token.length < 16)
  ) {
    throw new MonitoringError(
      'Monitoring option allowControl needs a token of at least 16 characters ' +
        '(e.g. crypto.randomBytes(24).toString("base64url")); control calls send it as "Authorization: Bearer <token>".',
      { code: MonitoringErrorCode.CONFIG_MONITORING_TOKEN, option: 'token' },
    );
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: MonitoringErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the monitoring server for one job or several. Resolves once it listens; rejects with a
 * {@link MonitoringError} for a bad option or an address it cannot bind.
 */
export async function startMonitoring(
  jobs: JobHandle | readonly JobHandle[],
  options: MonitoringOptions = {},
): Promise<MonitoringServer> {
  validate(options);
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger();
  const handles = new Map<string, JobHandle>();
  for (const handle of Array.isArray(jobs) ? (jobs as readonly JobHandle[]) : [jobs as JobHandle]) {
    handles.set(handle.jobId, handle);
  }
  const exporter =
    options.prometheus === false
      ? undefined
      : new PrometheusExporter({ processMetrics: options.processMetrics !== false });
  const assets =
    options.dashboard === false ? new Map<string, Asset>() : await loadDashboardAssets();
  const tokenDigest =
    options.allowControl === true && options.token !== undefined
      ? digest(options.token)
      : undefined;

  const statuses = (): JobStatus[] => [...handles.values()].map((handle) => handle.status());
  const statusOf = (id: string): { handle: JobHandle; status: JobStatus } => {
    const handle = handles.get(id);
    if (handle === undefined)
      throw new HttpError(404, MonitoringErrorCode.MONITORING_NOT_FOUND, `No job with id ${id}.`);
    return { handle, status: handle.status() };
  };
  const authorize = (request: IncomingMessage): void => {
    if (tokenDigest === undefined) {
      throw new HttpError(
        403,
        MonitoringErrorCode.MONITORING_CONTROL_DISABLED,
        'Control endpoints are disabled; start monitoring with allowControl and a token to enable them.',
      );
    }
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (given === '' || !timingSafeEqual(digest(given), tokenDigest)) {
      throw new HttpError(
        401,
        MonitoringErrorCode.MONITORING_UNAUTHORIZED,
        'Missing or wrong bearer token.',
      );
    }
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const parts = path
      .split('/')
      .filter((p) => p !== '')
      .map(decodePart);
    const read = method === 'GET' || method === 'HEAD';
    const asset = assets.get(path);
    if (asset !== undefined) {
      if (!read) throw methodNotAllowed(method, path);
      send(response, { status: 200, type: asset.type, body: asset.body, head: method === 'HEAD' });
      return;
    }
    if (path === '/metrics' && exporter !== undefined) {
      if (!read) throw methodNotAllowed(method, path);
      const text = await exporter.render(statuses());
      send(response, {
        status: 200,
        type: exporter.contentType,
        body: text,
        head: method === 'HEAD',
      });
      return;
    }
    if (path === '/config') {
      if (!read) throw methodNotAllowed(method, path);
      return json(response, { allowControl: tokenDigest !== undefined });
    }
    if (parts[0] !== 'jobs')
      throw new HttpError(404, MonitoringErrorCode.MONITORING_NOT_FOUND, `No route ${path}.`);
    if (parts.length === 1) {
      if (!read) throw methodNotAllowed(method, path);
      return json(response, { jobs: statuses().map(summary) });
    }
    const { handle, status } = statusOf(parts[1] as string);
    const sub = parts.slice(2).join('/');
    if (method === 'POST' && (sub === 'cancel' || sub === 'checkpoints')) {
      authorize(request);
      return control(response, { handle, action: sub });
    }
    if (!read) throw methodNotAllowed(method, path);
    switch (sub) {
      case '':
        return json(response, jobDetail(status));
      case 'checkpoints':
        return json(response, {
          completed: status.checkpoints.completed,
          failed: status.checkpoints.failed,
          latest: status.checkpoints.history.find((c) => c.status === 'completed') ?? null,
          history: status.checkpoints.history,
        });
      case 'metrics': {
        const filter = url.searchParams.get('filter');
        const metrics =
          filter === null ? status.metrics : status.metrics.filter((m) => m.id.includes(filter));
        return json(response, { metrics });
      }
      case 'exceptions':
        return json(response, { exceptions: status.exceptions });
      case 'kafka':
        return json(response, { partitions: kafkaLag(status.metrics) });
      case 'file-sinks':
        return json(response, { sinks: fileSinkStatus(status.metrics) });
      default:
        throw new HttpError(404, MonitoringErrorCode.MONITORING_NOT_FOUND, `No route ${path}.`);
    }
  };

  const control = async (
    response: ServerResponse,
    what: { handle: JobHandle; action: string },
  ): Promise<void> => {
    const { handle, action } = what;
    logger.info({ jobId: handle.jobId, action }, 'monitoring control call');
    if (action === 'cancel') {
      void handle.cancel().catch(() => undefined);
      return json(response, { jobId: handle.jobId, cancelling: true }, 202);
    }
    try {
      const checkpointId = await handle.triggerCheckpoint();
      return json(response, { jobId: handle.jobId, checkpointId });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new HttpError(409, MonitoringErrorCode.MONITORING_CONTROL_FAILED, message);
    }
  };

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 401 || error.status === 403) {
          logger.warn(
            { path: request.url, method: request.method, status: error.status },
            'monitoring control call refused',
          );
        }
        json(response, { error: { code: error.code, message: error.message } }, error.status);
        return;
      }
      logger.error({ err: error, path: request.url }, 'monitoring request failed');
      json(
        response,
        {
          error: {
            code: MonitoringErrorCode.MONITORING_INTERNAL,
            message: 'Internal error; see the job log.',
          },
        },
        500,
      );
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(
        new MonitoringError(
          `The monitoring server could not listen on ${host}:${options.port ?? 0}: ${error.message}. ` +
            'Choose another port (option port, 0 picks a free one) or host.',
          { code: MonitoringErrorCode.MONITORING_LISTEN_FAILED, option: 'port', cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  if (!LOOPBACK.has(host)) {
    logger.warn(
      { host, port: address.port },
      'monitoring server listens on a non-loopback address: metrics and job details are reachable from the network',
    );
  }
  logger.info(
    { url, allowControl: tokenDigest !== undefined, jobs: [...handles.keys()] },
    'monitoring server started',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    host: address.address,
    port: address.port,
    addJob: (handle) => void handles.set(handle.jobId, handle),
    removeJob: (jobId) => handles.delete(jobId),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(
      400,
      MonitoringErrorCode.MONITORING_BAD_REQUEST,
      `Malformed path segment ${part}.`,
    );
  }
}

function methodNotAllowed(method: string, path: string): HttpError {
  return new HttpError(
    405,
    MonitoringErrorCode.MONITORING_METHOD_NOT_ALLOWED,
    `${method} is not allowed on ${path}.`,
  );
}

function send(
  response: ServerResponse,
  reply: { status: number; type: string; body: string | Buffer; head?: boolean },
): void {
  response.writeHead(reply.status, {
    'content-type': reply.type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  });
  response.end(reply.head === true ? undefined : reply.body);
}

function json(response: ServerResponse, body: unknown, status = 200): void {
  send(response, { status, type: 'application/json; charset=utf-8', body: JSON.stringify(body) });
}
