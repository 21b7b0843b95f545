import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';

/** One HTTP exchange with the registry. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly rejectUnauthorized?: boolean;
}

/** The registry's answer. */
export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** Largest response body read (a schema registry answer is small). */
const MAX_BODY = 16 * 1024 * 1024;

/** Sends one request with node:http(s) (so a TLS CA can be given); rejects on network errors and timeouts. */
export function sendHttp(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const isHttps = req.url.protocol === 'https:';
    const options: RequestOptions = {
      method: req.method,
      headers: { ...req.headers, ...(req.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(req.body)) }) },
      timeout: req.timeoutMs,
      ...(isHttps && req.ca !== undefined ? { ca: req.ca as RequestOptions['ca'] } : {}),
      ...(isHttps && req.rejectUnauthorized !== undefined ? { rejectUnauthorized: req.rejectUnauthorized } : {}),
    };
    const target = new URL(req.url.href);
    target.username = '';
    target.password = '';
    const send = isHttps ? httpsRequest : httpRequest;
    const request = send(target, options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          request.destroy(new Error(`response larger than ${MAX_BODY} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(req.body);
  });
}
