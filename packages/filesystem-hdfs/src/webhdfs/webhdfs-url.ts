/**
 * WebHDFS URL building and redaction. Delegation tokens travel in the query string, so every URL
 * that may reach an error message, a log or a metric goes through {@link redactUrl} first.
 */

/** Query parameters that carry secrets and are replaced by `***` in {@link redactUrl}. */
const SECRET_PARAMS = ['delegation', 'token', 'doas.token'];

/** WebHDFS operations this client sends. */
export type WebHdfsOp =
  | 'CREATE'
  | 'APPEND'
  | 'OPEN'
  | 'RENAME'
  | 'DELETE'
  | 'MKDIRS'
  | 'GETFILESTATUS'
  | 'LISTSTATUS'
  | 'TRUNCATE';

/** What a request URL is built from. */
export interface WebHdfsUrlParts {
  /** NameNode HTTP(S) base URL, e.g. `http://namenode:9870`; a trailing `/webhdfs/v1` is accepted. */
  readonly baseUrl: string;
  /** Absolute, normalized HDFS path. */
  readonly path: string;
  /** The operation. */
  readonly op: WebHdfsOp;
  /** Further query parameters; `undefined` values are left out. */
  readonly params?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** `user.name` for simple authentication. */
  readonly user?: string;
  /** Delegation token (`delegation=`). */
  readonly delegationToken?: string;
}

/** Encodes an HDFS path for the URL, segment by segment (keeps `/`). */
export function encodeHdfsPath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/** Builds the NameNode URL of one WebHDFS request. */
export function buildWebHdfsUrl(parts: WebHdfsUrlParts): URL {
  const base = parts.baseUrl.replace(/\/+$/, '').replace(/\/webhdfs\/v1$/, '');
  const url = new URL(base + '/webhdfs/v1' + encodeHdfsPath(parts.path));
  url.searchParams.set('op', parts.op);
  for (const [key, value] of Object.entries(parts.params ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  // A delegation token authenticates by itself; user.name is sent only without one.
  if (parts.delegationToken !== undefined) url.searchParams.set('delegation', parts.delegationToken);
  else if (parts.user !== undefined) url.searchParams.set('user.name', parts.user);
  return url;
}

/** A copy of `url` (string or URL) with secret query parameters replaced by `***`. */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return String(url).replace(/([?&](?:delegation|token|doas\.token)=)[^&#]*/gi, '$1***');
  }
  for (const key of SECRET_PARAMS) {
    if (parsed.searchParams.has(key)) parsed.searchParams.set(key, '***');
  }
  // URLSearchParams encodes '*' as '%2A'; show it plainly.
  return parsed.toString().replace(/%2A%2A%2A/g, '***');
}

/** Replaces every occurrence of `secret` in `text` by `***` (for server messages echoing a token). */
export function redactSecret(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length === 0) return text;
  return text.split(secret).join('***').split(encodeURIComponent(secret)).join('***');
}
