/**
 * The one HTTP client for everything that talks to the cluster (got 14 underneath).
 * CONTRACT (implemented by the foundation work; other modules code against these types):
 * - Authorization: token=<t> on every request to the cluster's origin; User-Agent dcos-ts/<version>.
 * - Redirects: followed within the same origin (scheme, host and port) keeping the token; a redirect to
 *   another origin is followed without the token.
 * - Every status >= 400 (and transport/TLS failures) becomes a CliError with the right kind, the
 *   server's own message trimmed to one line, and `retryable` set for network faults and 502/503/504.
 * - Paths are built with encodePath so every segment is percent-encoded; query values are encoded.
 */
import type {Readable} from 'node:stream'

export type QueryValue = string | number | boolean | undefined | Array<string | number>

export interface RequestOptions {
  query?: Record<string, QueryValue>
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Follow redirects (default true). False returns a 3xx as a response instead. */
  followRedirects?: boolean
  /**
   * 'request' (default): connect and response timeouts from the cluster config, for ordinary calls.
   * 'stream': connect and response-header timeouts only; the body may flow for ever (follow mode),
   * `idleMs` then bounds the silence between two chunks (a retryable network error when exceeded).
   */
  mode?: 'request' | 'stream'
  idleMs?: number
  /** What the request is for, used in error messages ("reading master state"). */
  purpose?: string
  /** Statuses returned as a response instead of thrown (e.g. [404] to probe a route). */
  allowStatuses?: number[]
}

export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Final URL after redirects. */
  url: string
}

export interface HttpClient {
  /** The cluster URL without a trailing slash. */
  readonly baseUrl: string
  /** Parsed JSON of a 2xx answer; a body that is not JSON is a 'protocol' CliError. */
  json<T = unknown>(path: string, options?: RequestOptions): Promise<T>
  /** Whole body as text (for small answers only). */
  text(path: string, options?: RequestOptions): Promise<{response: HttpResponse; body: string}>
  /** Resolves once the headers of a 2xx (or allowed) answer arrive; the body streams as Buffers. */
  stream(path: string, options?: RequestOptions): Promise<{response: HttpResponse; body: Readable}>
}

/** Joins path segments, percent-encoding each one (task ids contain spaces, colons; cursors ';' and '='). */
export function encodePath(...segments: string[]): string {
  return '/' + segments.map((segment) => encodeURIComponent(segment)).join('/')
}
