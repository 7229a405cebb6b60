/**
 * The one HTTP client for everything that talks to the cluster (got 14 underneath): requests, their
 * token, and which answers are handed back. Its rules:
 * - `Authorization: token=<t>` on every request to the cluster's origin; User-Agent dcos-ts/<version>.
 * - Redirects are followed; one to another origin (scheme, host or port) goes without the token.
 * - A 401 may renew the token once (onUnauthorized, a service account logging in again).
 * - A GET that meets a reset on a kept-alive connection before any answer is sent once more, on a new one.
 * - A status the caller did not allow, and any transport failure, is a CliError (http-errors.ts).
 * Paths and queries are built by url.ts, bodies handed out by response-body.ts.
 *
 * got is imported on the first request, not with this module: commands that never talk to the cluster
 * (help, `cluster show`) should not pay for loading it.
 */
import {readFileSync} from 'node:fs'
import type {IncomingMessage} from 'node:http'
import type {Readable} from 'node:stream'
import type {Got, OptionsInit} from 'got'
import packageJson from '../../package.json' with {type: 'json'}
import {CliError, isCliError, oneLine} from '../errors.js'
import type {ResolvedCluster} from './config.js'
import {type Attempt, type ClientFacts, describe, statusError, transportError, webPageError} from './http-errors.js'
import {redactor} from './redact.js'
import {classifiedBody, readLimited} from './response-body.js'
import {type QueryValue, buildUrl} from './url.js'

export interface RequestOptions {
  query?: Record<string, QueryValue>
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Follow redirects (default true). False returns a 3xx as a response instead. */
  followRedirects?: boolean
  /**
   * 'request' (default): connect and response timeouts from the cluster config, for ordinary calls.
   * 'stream': connect and response-header timeouts only; the body may flow for ever (follow mode),
   * `idleMs` then bounds the silence between two chunks (default: the cluster's timeout; a retryable
   * network error when exceeded).
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
  /** The answer must be JSON: a web page instead (a proxy's or a login page) is a protocol error naming it. */
  expectJson?: boolean
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
/** Bundled at build time (scripts/bundle.js), so no file is read at run time. */
const DEFAULT_USER_AGENT = `dcos-ts/${packageJson.version}`

/** Bytes of an error body worth reading for its message. */
const ERROR_BODY_LIMIT = 64 * 1024
/** How a request on a kept-alive connection the server already closed fails before any answer. */
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE'])
class ClusterHttpClient implements HttpClient, ClientFacts {
  readonly baseUrl: string
  readonly origin: string
  token?: string
  readonly timeoutMs: number
  private readonly https: {rejectUnauthorized: boolean; certificateAuthority?: string}
  private readonly userAgent: string
  redact: (text: string) => string
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
    const {response, body} = await this.text(path, {...options, expectJson: true})
    try {
      return JSON.parse(body) as T
    } catch {
      const what = describe(options.method ?? 'GET', response.url, this.origin, options.purpose)
      const snippet = body.trim() ? `: ${oneLine(this.redact(body), 120)}` : ' (empty body)'
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
    const classify = (error: Error) => (isCliError(error) ? error : transportError(this, attempt, error, options))
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
          if (options.expectJson && status >= 200 && status < 300 && type.startsWith('text/html')) {
            readLimited(request, ERROR_BODY_LIMIT).then((body) => reject(webPageError(this, attempt, response.url || attempt.url, body, type, status)), reject)
            return
          }
          request.off('error', onError)
          resolve({response: httpResponse, body: classifiedBody(request, response, classify)})
          return
        }
        readLimited(request, ERROR_BODY_LIMIT).then(
          (body) => reject(statusError(this, attempt, httpResponse, response.statusMessage ?? '', body)),
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
    // ever, a follow may last for days), and a stall guard for ordinary requests. While a reader that lags
    // holds the body back, it is off (responseChunks in response-body.ts).
    const t = this.timeoutMs
    const timeout = {connect: t, secureConnect: t, response: t, socket: options.mode === 'stream' ? (options.idleMs ?? t) : t}
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

