/**
 * A client for the Confluent Schema Registry REST API (also served by Apicurio Registry's
 * `/apis/ccompat/v7`, Karapace, Redpanda): get a schema by id, register, look up, check
 * compatibility. Answers are cached; retriable failures are retried with backoff.
 */
import { ConfigError } from '@sluice/core';
import { AvroErrorCode, AvroSerdeError } from '../errors.js';
import { LruCache } from './lru-cache.js';
import { sendHttp } from './registry-http.js';
import type { HttpRequest, HttpResponse } from './registry-http.js';

/** Credentials sent to the registry. They never appear in errors or messages. */
export type SchemaRegistryAuth =
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'bearer'; readonly token: string | (() => string | Promise<string>) };

/** How failed calls are retried. */
export interface SchemaRegistryRetryOptions {
  /**
   * Retries after the first attempt, for network errors (not certificate failures), timeouts,
   * HTTP 408, 429 and 5xx.
   * @defaultValue 3
   */
  readonly retries?: number;
  /**
   * Delay before the first retry; it doubles each time (with ±20 % jitter) up to `maxDelayMs`.
   * @defaultValue 100
   */
  readonly initialDelayMs?: number;
  /**
   * Longest delay between two attempts.
   * @defaultValue 2000
   */
  readonly maxDelayMs?: number;
}

/** Options of {@link SchemaRegistryClient.create}. */
export interface SchemaRegistryClientOptions {
  /**
   * Base URL of the registry, e.g. `http://127.0.0.1:8081` or `http://host:8080/apis/ccompat/v7`.
   * Credentials in the URL (`https://user:pass@host`) are used as basic auth and removed from it.
   */
  readonly url: string;
  /**
   * Basic or bearer authentication.
   * @defaultValue undefined (credentials in `url`, else none)
   */
  readonly auth?: SchemaRegistryAuth;
  /**
   * TLS options for `https` URLs: extra trusted CA certificates (PEM) and whether to verify the server.
   * @defaultValue `{ rejectUnauthorized: true }` with Node's default CAs
   */
  readonly tls?: { readonly ca?: string | Buffer | readonly (string | Buffer)[]; readonly rejectUnauthorized?: boolean };
  /**
   * Time limit of each HTTP request.
   * @defaultValue 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Retry policy for retriable failures.
   * @defaultValue `{ retries: 3, initialDelayMs: 100, maxDelayMs: 2000 }`
   */
  readonly retry?: SchemaRegistryRetryOptions;
  /**
   * How many schemas (by id) and registrations are cached (Confluent's `identityMapCapacity`);
   * the least recently used entry is dropped beyond it.
   * @defaultValue 1000
   */
  readonly identityMapCapacity?: number;
  /**
   * Extra HTTP headers sent with every request.
   * @defaultValue {}
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The answer of {@link SchemaRegistryClient.lookup}. */
export interface RegisteredSchema {
  /** Global schema id. */
  readonly id: number;
  /** Version within the subject. */
  readonly version: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** Certificate failures: retrying cannot help. */
const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/;

interface RegistryErrorBody {
  error_code?: unknown;
  message?: unknown;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function checkPositiveInteger(value: number | undefined, option: string, min = 0): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new ConfigError(`Option ${option} must be an integer ≥ ${min}, got ${String(value)}.`, { option });
  }
}

/**
 * A cached, retrying schema-registry client. Create one per registry and share it between schemas.
 *
 * ```ts
 * const registry = SchemaRegistryClient.create({ url: 'http://127.0.0.1:8081', auth: { type: 'bearer', token } });
 * const id = await registry.register('orders-value', schemaJson);
 * ```
 */
export class SchemaRegistryClient {
  /** The registry URL without credentials (safe to log). */
  readonly url: string;
  private readonly base: URL;
  private readonly auth: SchemaRegistryAuth | undefined;
  private readonly options: SchemaRegistryClientOptions;
  private readonly byId: LruCache<number, Promise<string>>;
  private readonly idBySchema: LruCache<string, Promise<number>>;
  private readonly lookups: LruCache<string, Promise<RegisteredSchema>>;

  private constructor(options: SchemaRegistryClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch (error) {
      throw new ConfigError(`Option url must be an http(s) URL, got a value that does not parse.`, { option: 'url', cause: error });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ConfigError(`Option url must use http or https, got ${parsed.protocol}.`, { option: 'url' });
    }
    checkPositiveInteger(options.identityMapCapacity, 'identityMapCapacity', 1);
    checkPositiveInteger(options.requestTimeoutMs, 'requestTimeoutMs', 1);
    checkPositiveInteger(options.retry?.retries, 'retry.retries');
    const fromUrl =
      parsed.username === ''
        ? undefined
        : ({ type: 'basic', username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) } as const);
    parsed.username = '';
    parsed.password = '';
    if (!parsed.pathname.endsWith('/')) parsed.pathname = `${parsed.pathname}/`;
    this.base = parsed;
    this.url = parsed.href.replace(/\/$/, '');
    this.auth = options.auth ?? fromUrl;
    this.options = options;
    const capacity = options.identityMapCapacity ?? 1000;
    this.byId = new LruCache(capacity);
    this.idBySchema = new LruCache(capacity);
    this.lookups = new LruCache(capacity);
  }

  /** A client for one registry; options are checked here (`CONFIG_INVALID` names the option). */
  static create(options: SchemaRegistryClientOptions): SchemaRegistryClient {
    return new SchemaRegistryClient(options);
  }

  /** The schema text registered under global `id` (cached). Unknown id → `SERDE_UNKNOWN_SCHEMA_ID`. */
  getSchemaById(id: number): Promise<string> {
    return this.cached(this.byId, id, async () => {
      const response = await this.call('GET', `schemas/ids/${encodeURIComponent(String(id))}`);
      if (response.status === 404) {
        throw new AvroSerdeError(
          `Schema id ${id} is unknown to the schema registry at ${this.url} (${this.registryMessage(response)}). ` +
            'The message was written against another registry, or the schema was deleted.',
          { code: AvroErrorCode.SERDE_UNKNOWN_SCHEMA_ID, schemaId: id, registryUrl: this.url },
        );
      }
      const body = this.expectOk(response, `GET schemas/ids/${id}`, { schemaId: id }) as { schema?: unknown };
      if (typeof body.schema !== 'string') throw this.malformed(`GET schemas/ids/${id}`, response);
      return body.schema;
    });
  }

  /** Registers `schema` under `subject` (or finds its existing id); returns the global id (cached). */
  register(subject: string, schema: string): Promise<number> {
    return this.cached(this.idBySchema, `${subject}\u0000${schema}`, async () => {
      const path = `subjects/${encodeURIComponent(subject)}/versions`;
      const response = await this.call('POST', path, JSON.stringify({ schema }));
      if (response.status === 409) {
        throw new AvroSerdeError(
          `The schema registry at ${this.url} rejected the schema for subject ${subject} as incompatible with ` +
            `earlier versions (${this.registryMessage(response)}). Make the schema compatible or change the subject's compatibility level.`,
          { code: AvroErrorCode.SERDE_INCOMPATIBLE_SCHEMA, subject, registryUrl: this.url },
        );
      }
      const body = this.expectOk(response, `POST ${path}`, { subject }) as { id?: unknown };
      if (typeof body.id !== 'number') throw this.malformed(`POST ${path}`, response);
      return body.id;
    });
  }

  /** Finds `schema` under `subject` without registering it; not there → `SERDE_SCHEMA_NOT_REGISTERED`. */
  lookup(subject: string, schema: string): Promise<RegisteredSchema> {
    return this.cached(this.lookups, `${subject}\u0000${schema}`, async () => {
      const path = `subjects/${encodeURIComponent(subject)}`;
      const response = await this.call('POST', path, JSON.stringify({ schema }));
      if (response.status === 404) {
        throw new AvroSerdeError(
          `The schema is not registered under subject ${subject} in the schema registry at ${this.url} ` +
            `(${this.registryMessage(response)}). Register it first, or set autoRegister: true.`,
          { code: AvroErrorCode.SERDE_SCHEMA_NOT_REGISTERED, subject, registryUrl: this.url },
        );
      }
      const body = this.expectOk(response, `POST ${path}`, { subject }) as { id?: unknown; version?: unknown };
      if (typeof body.id !== 'number' || typeof body.version !== 'number') throw this.malformed(`POST ${path}`, response);
      return { id: body.id, version: body.version };
    });
  }

  /** Whether `schema` is compatible with the latest version of `subject` (not cached). */
  async testCompatibility(subject: string, schema: string): Promise<boolean> {
    const path = `compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`;
    const response = await this.call('POST', path, JSON.stringify({ schema }));
    if (response.status === 404) {
      throw new AvroSerdeError(
        `Subject ${subject} has no versions in the schema registry at ${this.url} (${this.registryMessage(response)}).`,
        { code: AvroErrorCode.SERDE_SCHEMA_NOT_REGISTERED, subject, registryUrl: this.url },
      );
    }
    const body = this.expectOk(response, `POST ${path}`, { subject }) as { is_compatible?: unknown };
    if (typeof body.is_compatible !== 'boolean') throw this.malformed(`POST ${path}`, response);
    return body.is_compatible;
  }

  private cached<K, V>(cache: LruCache<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const promise = load();
    cache.set(key, promise);
    promise.catch(() => cache.delete(key));
    return promise;
  }

  private async headers(): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      Accept: `${CONTENT_TYPE}, application/json`,
      'Content-Type': CONTENT_TYPE,
      ...(this.options.headers ?? {}),
    };
    const auth = this.auth;
    if (auth?.type === 'basic') {
      headers['Authorization'] = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    } else if (auth?.type === 'bearer') {
      const token = typeof auth.token === 'function' ? await auth.token() : auth.token;
      headers['Authorization'] = `Bearer ${token}`;
    }
    return headers;
  }

  /** One call with retries of network errors, timeouts, 408, 429 and 5xx. */
  private async call(method: 'GET' | 'POST', path: string, body?: string): Promise<HttpResponse> {
    const retry = this.options.retry ?? {};
    const retries = retry.retries ?? 3;
    let delay = retry.initialDelayMs ?? 100;
    const maxDelay = retry.maxDelayMs ?? 2000;
    const request: HttpRequest = {
      method,
      url: new URL(path, this.base),
      headers: await this.headers(),
      timeoutMs: this.options.requestTimeoutMs ?? 10_000,
      ...(body === undefined ? {} : { body }),
      ...(this.options.tls?.ca === undefined ? {} : { ca: this.options.tls.ca }),
      ...(this.options.tls?.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: this.options.tls.rejectUnauthorized }),
    };
    let lastProblem = '';
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      if (attempt > 0) {
        const jittered = delay * (0.8 + Math.random() * 0.4);
        await new Promise((done) => setTimeout(done, jittered));
        delay = Math.min(delay * 2, maxDelay);
      }
      try {
        const response = await sendHttp(request);
        if (response.status === 408 || response.status === 429 || response.status >= 500) {
          lastProblem = `HTTP ${response.status} (${this.registryMessage(response)})`;
          lastError = undefined;
          continue;
        }
        return response;
      } catch (error) {
        lastError = error;
        const code = (error as { code?: unknown }).code;
        lastProblem = `${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`;
        if (typeof code === 'string' && TLS_FAILURE.test(code)) {
          throw new AvroSerdeError(
            `TLS verification of the schema registry at ${this.url} failed (${lastProblem.slice(0, 200)}). ` +
              'Give the CA that signed its certificate in the tls.ca option.',
            { code: AvroErrorCode.SERDE_REGISTRY_ERROR, registryUrl: this.url, cause: error },
          );
        }
      }
    }
    throw new AvroSerdeError(
      `The schema registry at ${this.url} is unavailable: ${method} ${path} failed ${retries + 1} times; last: ${lastProblem.slice(0, 200)}. ` +
        'Check that the registry runs and the URL is right; the operation may be retried.',
      { code: AvroErrorCode.SERDE_REGISTRY_UNAVAILABLE, retriable: true, registryUrl: this.url, cause: lastError },
    );
  }

  private registryMessage(response: HttpResponse): string {
    const body = parseBody(response.body) as RegistryErrorBody | undefined;
    const code = typeof body?.error_code === 'number' ? `error_code ${body.error_code}` : `HTTP ${response.status}`;
    const message = typeof body?.message === 'string' ? body.message : response.body;
    const capped = message.length > 200 ? `${message.slice(0, 200)}…` : message;
    return capped === '' ? code : `${code}: ${capped}`;
  }

  private expectOk(response: HttpResponse, what: string, context: { schemaId?: number; subject?: string }): object {
    if (response.status >= 200 && response.status < 300) {
      const body = parseBody(response.body);
      if (typeof body === 'object' && body !== null) return body;
      throw this.malformed(what, response);
    }
    const body = parseBody(response.body) as RegistryErrorBody | undefined;
    const invalidSchema = response.status === 422 && (body?.error_code === 42201 || body?.error_code === undefined);
    throw new AvroSerdeError(
      `The schema registry at ${this.url} refused ${what}: ${this.registryMessage(response)}.` +
        (response.status === 401 || response.status === 403 ? ' Check the registry credentials (auth option).' : ''),
      {
        code: invalidSchema ? AvroErrorCode.SERDE_INVALID_SCHEMA : AvroErrorCode.SERDE_REGISTRY_ERROR,
        registryUrl: this.url,
        ...context,
      },
    );
  }

  private malformed(what: string, response: HttpResponse): AvroSerdeError {
    return new AvroSerdeError(
      `The schema registry at ${this.url} answered ${what} with HTTP ${response.status} and a body that is not the expected JSON: ` +
        `${response.body.slice(0, 120)}.`,
      { code: AvroErrorCode.SERDE_REGISTRY_ERROR, registryUrl: this.url },
    );
  }
}
