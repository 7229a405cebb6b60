/**
 * The one HTTP client for everything that talks to the cluster (got 14 underneath).
 * CONTRACT (implemented by the foundation work; other modules code against these types):
 * - Authorization: token=<t> on every request to the cluster's origin; User-Agent dcos-ts/<version>.
 * - Redirects: followed within the same origin (scheme, host and port) keeping the token; a redirect to
 *   another origin is followed without the token.
 * - Every status >= 400 (and transport/TLS failures) becomes a CliError with the right kind, the
 *   server's own message trimmed to one line, and `retryable` set for network faults and 502/503/504.
 * - Paths are built with encodePath so every segment is percent-encoded; query values are encoded.
 *
 * got is imported on the first request, not with this module: commands that never talk to the cluster
 * (help, `cluster show`) should not pay for loading it.
 */
import {readFileSync} from 'node:fs'
import type {IncomingMessage} from 'node:http'
import {type Readable, finished} from 'node:stream'
import type {Got, OptionsInit, Request as GotRequest} from 'got'
import packageJson from '../../package.json' with {type: 'json'}
import type {ResolvedCluster} from './config.js'
import {CliError, isCliError, oneLine} from './errors.js'

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
  /** GET unless told (auth login POSTs, token checks use HEAD). */
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE'
  /** Sent as a JSON body. */
  json?: unknown
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

/**
 * baseUrl + path + query. Query values are encoded with encodeURIComponent (a space is %20, never '+',
 * and a journal cursor's ';' and '=' are escaped); arrays repeat the key; undefined is left out.
 */
export function buildUrl(baseUrl: string, path: string, query?: Record<string, QueryValue>): string {
  const pairs: string[] = []
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`)
    }
  }
  const separator = path.includes('?') ? '&' : '?'
  return `${baseUrl}${path.startsWith('/') ? '' : '/'}${path}${pairs.length > 0 ? separator + pairs.join('&') : ''}`
}

/** The permission a 403 on this path most likely lacks (DC/OS Enterprise Admin Router and Mesos ACLs). */
export function permissionFor(pathname: string): string | undefined {
  const rules: Array<[RegExp, string]> = [
    [/^\/system\/v1\/logs\//, 'dcos:adminrouter:ops:system-logs'],
    [/^\/system\/v1\/agent\/[^/]+\//, 'dcos:adminrouter:system:agent'],
    [/^\/system\/v1\/leader\/mesos\//, 'dcos:adminrouter:system:leader:mesos'],
    [/^\/mesos\//, 'dcos:adminrouter:ops:mesos'],
    [/^\/agent\/[^/]+\/files\//, 'dcos:mesos:agent:sandbox:app_id (read) and dcos:adminrouter:ops:slave'],
    [/^\/(agent|slave)\//, 'dcos:adminrouter:ops:slave'],
    [/^\/marathon\//, 'dcos:adminrouter:service:marathon'],
  ]
  for (const [pattern, permission] of rules) if (pattern.test(pathname)) return permission
  const service = /^\/service\/([^/]+)\//.exec(pathname)
  return service ? `dcos:adminrouter:service:${decodeURIComponent(service[1])}` : undefined
}

/** The server's own words from an error body: a JSON description, an HTML title, or the text, on one line. */
export function serverMessage(body: string, contentType = ''): string {
  const text = body.trim()
  if (!text) return ''
  if (contentType.includes('json') || text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>
      for (const key of ['description', 'message', 'error', 'title']) {
        if (typeof parsed?.[key] === 'string' && parsed[key]) return oneLine(parsed[key] as string)
      }
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  if (contentType.includes('html') || /^<(!doctype|html)/i.test(text)) {
    const heading = /<(title|h1)[^>]*>([^<]*)</i.exec(text)?.[2]
    return oneLine(heading ?? text.replace(/<[^>]*>/g, ' '))
  }
  return oneLine(text)
}

/** Hides the token (and any `token=...` value) wherever a URL, body or message could carry it. */
export function redactor(token: string | undefined): (text: string) => string {
  return (text) => {
    let out = text.replace(/(token=)[^\s&;,"']+/gi, '$1<redacted>')
    if (token && token.length >= 4) out = out.split(token).join('<redacted>')
    return out
  }
}

export interface HttpClientOptions {
  verbose?: boolean
  stderr?: NodeJS.WritableStream
  userAgent?: string
  /**
   * Called when the cluster answers 401: returns a new token (a service account logging in again, see
   * reloginWithServiceAccount), which the client then uses for this and every later request, sending
   * the refused request once more; undefined lets the 401 stand. Concurrent 401s share one call.
   */
  onUnauthorized?: () => Promise<string | undefined>
}

export function createHttpClient(cluster: ResolvedCluster, options: HttpClientOptions = {}): HttpClient {
  return new ClusterHttpClient(cluster, options)
}

let gotModule: Promise<Got> | undefined
const loadGot = (): Promise<Got> => (gotModule ??= import('got').then((module) => module.default))

let insecureWarned = false
/** Bundled into dist/cli.cjs at build time, so no file is read at run time. */
const DEFAULT_USER_AGENT = `dcos-ts/${packageJson.version}`

/** Bytes of an error body worth reading for its message. */
const ERROR_BODY_LIMIT = 64 * 1024
const RETRYABLE_STATUSES = new Set([408, 429, 502, 503, 504])
const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'timed out',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed before the response ended',
  ERR_HTTP_CONTENT_LENGTH_MISMATCH: 'response cut short',
  Z_BUF_ERROR: 'compressed response cut short',
}
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
/** How a request on a kept-alive connection the server already closed fails before any answer. */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE'])
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|EPROTO/
const TLS_HINT =
  "pass --ca-file with the cluster's CA bundle or set core.ssl_verify (or DCOS_SSL_VERIFY) to its path; --insecure skips verification"

/** What one request is, for messages and logs. */
interface Attempt {
  method: string
  url: string
  purpose?: string
  tokenSent: boolean
  started: number
  /** Whether the (final) response headers arrived: a silence after them is "no data", before them "no response". */
  responded: boolean
}

class ClusterHttpClient implements HttpClient {
  readonly baseUrl: string
  private readonly origin: string
  private token?: string
  private readonly timeoutMs: number
  private readonly https: {rejectUnauthorized: boolean; certificateAuthority?: string}
  private readonly userAgent: string
  private redact: (text: string) => string
  private readonly log?: (line: string) => void
  private readonly onUnauthorized?: () => Promise<string | undefined>
  private renewal?: Promise<string | undefined>

  constructor(cluster: ResolvedCluster, options: HttpClientOptions) {
    this.baseUrl = cluster.url.replace(/\/+$/, '')
    this.origin = new URL(this.baseUrl).origin
    this.token = cluster.token
    this.timeoutMs = cluster.timeoutMs
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT
    this.redact = redactor(cluster.token)
    this.onUnauthorized = options.onUnauthorized
    const stderr = options.stderr ?? process.stderr
    if (options.verbose) this.log = (line) => stderr.write(`${this.redact(line)}\n`)
    this.https = {rejectUnauthorized: cluster.tls.verify}
    if (cluster.tls.verify && cluster.tls.caFile) this.https.certificateAuthority = readCaBundle(cluster.tls.caFile, cluster.sources.tls)
    if (!cluster.tls.verify && this.baseUrl.startsWith('https:') && !insecureWarned) {
      insecureWarned = true
      stderr.write(
        `Warning: TLS certificate verification is off for ${this.origin} (${cluster.sources.tls}); anyone on the path can read and change the traffic, token included\n`,
      )
    }
  }

  async json<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    const {response, body} = await this.text(path, options)
    try {
      return JSON.parse(body) as T
    } catch {
      const what = describe(options.method ?? 'GET', response.url, this.origin, options.purpose)
      const snippet = body.trim() ? `: ${oneLine(body, 120)}` : ' (empty body)'
      throw new CliError('protocol', this.redact(`${what}: expected JSON, got${snippet}`))
    }
  }

  async text(path: string, options: RequestOptions = {}): Promise<{response: HttpResponse; body: string}> {
    const {response, body} = await this.stream(path, options)
    const chunks: Buffer[] = []
    for await (const chunk of body) chunks.push(chunk as Buffer)
    return {response, body: Buffer.concat(chunks).toString('utf8')}
  }

  async stream(path: string, options: RequestOptions = {}): Promise<{response: HttpResponse; body: Readable}> {
    const sentToken = this.token
    try {
      return await this.send(path, options)
    } catch (error) {
      if (!this.onUnauthorized || !isCliError(error) || error.status !== 401) throw error
      if ((await this.renewToken(sentToken)) === undefined) throw error
      return this.send(path, options)
    }
  }

  /** A token other than the refused one: already renewed by a concurrent request, or from onUnauthorized. */
  private async renewToken(refused: string | undefined): Promise<string | undefined> {
    if (this.token !== refused) return this.token
    this.renewal ??= (async () => {
      try {
        const token = await this.onUnauthorized?.()
        if (token) {
          this.token = token
          this.redact = redactor(token)
        }
        return token || undefined
      } finally {
        this.renewal = undefined
      }
    })()
    return this.renewal
  }

  /** `fresh`: on a connection of its own, not one kept alive from an earlier request. */
  private async send(path: string, options: RequestOptions, fresh = false): Promise<{response: HttpResponse; body: Readable}> {
    const got = await loadGot()
    const attempt: Attempt = {
      method: options.method ?? 'GET',
      url: buildUrl(this.baseUrl, path, options.query),
      purpose: options.purpose,
      tokenSent: false,
      started: 0,
      responded: false,
    }
    const gotOptions = this.gotOptions(attempt, options)
    // node:http and node:https are loaded with got, on the first request; this is a second one.
    if (fresh) gotOptions.agent = {http: new (await import('node:http')).Agent(), https: new (await import('node:https')).Agent()}
    const request = got.stream(attempt.url, gotOptions)
    const classify = (error: Error) => (isCliError(error) ? error : this.transportError(attempt, error, options))
    return new Promise((resolve, reject) => {
      const onError = (error: Error & {code?: string}) => {
        // A kept-alive connection the server had closed meanwhile (an idle timeout): the request never got
        // there. Sent again once, on a new connection, as curl and the Go CLI do; only what is safe to repeat.
        const stale = !fresh && !attempt.responded && request.reusedSocket === true && STALE_CONNECTION_CODES.has(error.code ?? '')
        if (stale && (attempt.method === 'GET' || attempt.method === 'HEAD')) {
          this.log?.(`< ${error.code} on a kept-alive connection: sending again on a new one`)
          resolve(this.send(path, options, true))
        } else reject(classify(error))
      }
      request.once('error', onError)
      request.once('response', (response: IncomingMessage & {url: string}) => {
        attempt.responded = true
        const status = response.statusCode ?? 0
        this.log?.(`< ${status} ${response.statusMessage ?? ''} ${Date.now() - attempt.started} ms`)
        const httpResponse: HttpResponse = {status, headers: response.headers, url: response.url}
        const redirectReturned = options.followRedirects === false && status >= 300 && status < 400
        if ((status >= 200 && status < 300) || redirectReturned || options.allowStatuses?.includes(status)) {
          // A page where an event stream was asked for (a proxy's login page) would never yield an event:
          // following it would reconnect for ever.
          const type = String(response.headers['content-type'] ?? '')
          if (options.headers?.Accept === 'text/event-stream' && status >= 200 && status < 300 && status !== 204 && !type.startsWith('text/event-stream')) {
            request.destroy()
            const what = describe(attempt.method, response.url || attempt.url, this.origin, attempt.purpose)
            reject(new CliError('protocol', this.redact(`${what}: expected an event stream, got ${type || 'no Content-Type'}`), {status}))
            return
          }
          request.off('error', onError)
          resolve({response: httpResponse, body: classifiedBody(request, response, classify)})
          return
        }
        readLimited(request, ERROR_BODY_LIMIT).then(
          (body) => reject(this.statusError(attempt, httpResponse, response.statusMessage ?? '', body)),
          reject,
        )
      })
    })
  }

  private gotOptions(attempt: Attempt, options: RequestOptions): OptionsInit & {isStream: true} {
    // The first URL is always the cluster's own; beforeRedirect decides for every later hop.
    const headers: Record<string, string> = {'user-agent': this.userAgent, ...options.headers}
    if (this.token) headers.authorization = `token=${this.token}`
    // got's socket timeout resets whenever bytes flow: the idle watchdog for streams (no total timeout
    // ever, a follow may last for days), and a stall guard for ordinary requests. It also fires when the
    // caller stops reading for that long, which a follow then treats like any other idle stream.
    const t = this.timeoutMs
    const timeout = {connect: t, secureConnect: t, response: t, socket: options.mode === 'stream' ? options.idleMs : t}
    return {
      isStream: true,
      method: attempt.method as OptionsInit['method'],
      headers,
      json: options.json,
      https: this.https,
      timeout,
      retry: {limit: 0},
      throwHttpErrors: false,
      followRedirect: options.followRedirects !== false,
      maxRedirects: 10,
      signal: options.signal,
      hooks: {
        beforeRequest: [
          (request) => {
            attempt.started = Date.now()
            attempt.url = request.url?.toString() ?? attempt.url
            attempt.tokenSent = request.headers.authorization !== undefined
            this.log?.(`> ${request.method} ${attempt.url}${attempt.tokenSent ? ' (token)' : ''}`)
          },
        ],
        beforeRedirect: [
          (next, response) => {
            this.log?.(`< ${response.statusCode} ${response.statusMessage ?? ''} ${Date.now() - attempt.started} ms -> ${next.url?.toString()}`)
            // got keeps the header on http->https to the same host; only the exact origin gets the token.
            const sameOrigin = next.url !== undefined && new URL(next.url.toString()).origin === this.origin
            if (sameOrigin && this.token) next.headers.authorization = `token=${this.token}`
            else delete next.headers.authorization
          },
        ],
      },
    }
  }

  /** A transport failure (refused, reset, timeout, TLS, abort, redirect loop) as a CliError. */
  private transportError(attempt: Attempt, error: Error & {code?: string; event?: string}, options: RequestOptions): Error {
    if (options.signal?.aborted) {
      const reason: unknown = options.signal.reason
      return reason instanceof Error ? reason : new CliError('interrupted', 'interrupted')
    }
    const what = describe(attempt.method, attempt.url, this.origin, attempt.purpose)
    const host = new URL(attempt.url).host
    const code = error.code ?? ''
    const cause = error
    if (error.name === 'MaxRedirectsError') {
      return new CliError('protocol', this.redact(`${what}: more than 10 redirects (a redirect loop?)`), {cause})
    }
    if (error.name === 'TimeoutError') {
      const silentAfterHeaders = error.event === 'socket' && attempt.responded
      const message = silentAfterHeaders
        ? `no data from ${host} for ${duration((options.mode === 'stream' ? options.idleMs : undefined) ?? this.timeoutMs)}`
        : error.event === 'response' || error.event === 'socket'
          ? `no response from ${host} within ${duration((error.event === 'socket' ? options.idleMs : undefined) ?? this.timeoutMs)}`
          : `cannot connect to ${host} within ${duration(this.timeoutMs)}`
      return new CliError('network', this.redact(`${what}: ${message}`), {
        cause,
        retryable: true,
        hint: silentAfterHeaders && options.mode === 'stream' ? undefined : 'raise --timeout (seconds) or core.timeout if the cluster is slow',
      })
    }
    if (TLS_CODE.test(code)) {
      const wrongProtocol = code === 'EPROTO' || code.startsWith('ERR_SSL')
      return new CliError('tls', this.redact(`${what}: TLS with ${host} failed: ${oneLine(error.message, 200)} (${code})`), {
        cause,
        hint: wrongProtocol ? 'the server may not speak TLS on this port; check the URL scheme' : TLS_HINT,
      })
    }
    const known = NETWORK_CAUSES[code]
    const failure = CONNECT_CODES.has(code) ? `cannot connect to ${host}` : `connection to ${host} failed`
    return new CliError('network', this.redact(`${what}: ${failure}: ${known ?? oneLine(error.message, 200)}${code ? ` (${code})` : ''}`), {
      cause,
      retryable: known !== undefined || error.name === 'ReadError',
    })
  }

  /** A status the caller did not allow, as a CliError of the matching kind. */
  private statusError(attempt: Attempt, response: HttpResponse, statusText: string, body: string): CliError {
    const what = describe(attempt.method, response.url || attempt.url, this.origin, attempt.purpose)
    const contentType = String(response.headers['content-type'] ?? '')
    const said = serverMessage(body, contentType)
    const status = `${response.status}${statusText ? ` ${statusText}` : ''}`
    const tail = said ? `: ${said}` : ''
    const make = (kind: ConstructorParameters<typeof CliError>[0], message: string, hint?: string) =>
      new CliError(kind, this.redact(`${what}: ${message}`), {
        status: response.status,
        hint: hint && this.redact(hint),
        retryable: RETRYABLE_STATUSES.has(response.status),
      })
    switch (response.status) {
      case 401: {
        const finalOrigin = safeOrigin(response.url)
        if (this.token && finalOrigin !== undefined && finalOrigin !== this.origin) {
          return make('auth', `${status} from ${finalOrigin}, which the cluster URL redirected to; the token is only sent to ${this.origin}`, `if ${finalOrigin} is the cluster, use it as the URL (--url ${finalOrigin})`)
        }
        if (!attempt.tokenSent) {
          return make('auth', `the cluster requires a token (${status}) and none is configured`, 'run `dcos-ts auth login`, set DCOS_ACS_TOKEN, or pass --token-file')
        }
        const expiry = tokenExpiry(this.token)
        const why = expiry !== undefined && expiry < Date.now() ? `it expired at ${new Date(expiry).toISOString()}` : 'it is invalid or has expired'
        return make('auth', `the cluster rejected the token (${status}): ${why}`, 'run `dcos-ts auth login` (or `dcos auth login`) for a new one')
      }
      case 403: {
        const permission = permissionFor(new URL(response.url || attempt.url).pathname)
        return make('forbidden', `permission denied (${status})${tail}`, permission ? `the account needs ${permission}` : 'the account lacks the permission this route needs')
      }
      case 404:
        return make('not-found', `not found (${status})${tail}`)
      default:
        if (response.status >= 500) return make('server', `the cluster answered ${status}${tail}`)
        if (response.status >= 400) return make('server', `the cluster refused the request with ${status}${tail}`)
        return make('protocol', `unexpected answer ${status}${tail}`)
    }
  }
}

/** "reading master state: GET /mesos/master/state" (the full URL when it left the cluster's origin). */
function describe(method: string, url: string, origin: string, purpose?: string): string {
  let shown = url
  try {
    const parsed = new URL(url)
    if (parsed.origin === origin) shown = parsed.pathname + parsed.search
  } catch {
    // Shown as it is.
  }
  return `${purpose ? `${purpose}: ` : ''}${method} ${shown}`
}

/** "150 ms", "1 s", "2.5 s". */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

/** The `exp` of a JWT token in ms, when the token is one (ACS tokens are); nothing is verified. */
function tokenExpiry(token: string | undefined): number | undefined {
  const payload = token?.split('.')[1]
  if (!payload) return undefined
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {exp?: unknown}).exp
    return typeof exp === 'number' ? exp * 1000 : undefined
  } catch {
    return undefined
  }
}

function readCaBundle(path: string, source: string): string {
  let pem: string
  try {
    pem = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CliError('config', `cannot read the CA bundle ${path} (${source}): ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, {cause: error})
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CliError('config', `the CA bundle ${path} (${source}) holds no PEM certificate`)
  }
  return pem
}

/**
 * The body handed to callers: every error its for-await ends with is a classified CliError (got's own
 * errors are not), and a caller that stops reading (destroys it, or breaks out of for-await) closes the
 * request. It is got's request, whose for-await yields the response's chunks as they arrive
 * (responseChunks): no PassThrough, no copy.
 */
function classifiedBody(request: GotRequest, response: Readable, classify: (error: Error) => Error): Readable {
  request[Symbol.asyncIterator] = async function* () {
    try {
      yield* responseChunks(request, response)
    } catch (error) {
      throw classify(error as Error)
    }
  }
  // The error may come before the caller reads (a follow asking for the task state between the headers
  // and its first read): the stream keeps it for that read, instead of crashing the process.
  request.on('error', () => {})
  return request
}

/** Chunks held before the response is paused (and so the socket) for a reader that lags. */
const HELD_CHUNKS = 16

/**
 * The response's chunks, taken from the response itself. got's request reads its response with read(),
 * which joins whatever is buffered into a new buffer: a copy of most bytes of a fast body, and the garbage
 * to match (12 MB of logging v2 text: 145 -> 110 ms, CPU 150 -> 115 ms; docs/performance.md, Range read).
 * got still watches the exchange: its errors (timeouts, a response cut short, an abort) end the iteration,
 * and a response that breaks without one ends it with the response's own error.
 */
async function* responseChunks(request: GotRequest, response: Readable): AsyncGenerator<Buffer> {
  const held: Buffer[] = []
  let ended = false
  let failure: Error | undefined
  let wake: (() => void) | undefined
  const notify = () => {
    const resolve = wake
    wake = undefined
    resolve?.()
  }
  const fail = (error: Error) => {
    failure ??= error
    notify()
  }
  const onData = (chunk: Buffer) => {
    held.push(chunk)
    if (held.length >= HELD_CHUNKS) response.pause()
    notify()
  }
  // got reports a broken response on the request a moment later, as its own (better) error.
  const onBroken = (error: Error | null | undefined) => {
    if (!error) {
      ended = true
      return notify()
    }
    if (request.errored) return fail(request.errored)
    if (request.destroyed) return fail(error)
    request.once('close', () => fail(request.errored ?? error))
  }
  if (request.errored) fail(request.errored)
  request.once('error', fail)
  const stopWatching = finished(response, {writable: false}, onBroken)
  // got reads the response on 'readable'; those reads would take the chunks this takes on 'data'.
  response.removeAllListeners('readable')
  response.on('data', onData)
  try {
    for (;;) {
      if (held.length > 0) {
        const chunk = held.shift()!
        if (held.length === 0 && response.isPaused()) response.resume()
        yield chunk
      } else if (failure !== undefined) {
        throw failure
      } else if (ended) {
        return
      } else {
        await new Promise<void>((resolve) => (wake = resolve))
      }
    }
  } finally {
    stopWatching()
    response.off('data', onData)
    request.off('error', fail)
    request.destroy()
  }
}

/** Up to `limit` bytes of a body as text; the rest is discarded and the stream closed. */
async function readLimited(stream: GotRequest, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
      if (size >= limit) break
    }
  } catch {
    // A broken error body still leaves the status to report.
  } finally {
    stream.destroy()
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8')
}
