/**
 * How a request's failure reads: a transport failure (refused, reset, timeout, TLS, a redirect loop) or a
 * status the caller did not allow, as a CliError of the kind that decides the exit code, with the server's
 * own words on one line and `retryable` set where following may try again (network faults, 408, 429,
 * 502/503/504).
 */
import {CliError, oneLine} from '../errors.js'
import type {HttpResponse, RequestOptions} from './http.js'
import {permissionFor} from './permissions.js'
import {serverMessage} from './server-message.js'

/** What a message needs to know of the client that sent the request. */
export interface ClientFacts {
  /** The cluster's origin: the only one the token is sent to. */
  origin: string
  timeoutMs: number
  token?: string
  redact(text: string): string
}

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
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|EPROTO/
const TLS_HINT =
  "pass --ca-file with the cluster's CA bundle or set core.ssl_verify (or DCOS_SSL_VERIFY) to its path; --insecure skips verification"

/** What one request is, for messages and logs. */
export interface Attempt {
  method: string
  url: string
  purpose?: string
  tokenSent: boolean
  started: number
  /** Whether the (final) response headers arrived: a silence after them is "no data", before them "no response". */
  responded: boolean
}

/** A transport failure (refused, reset, timeout, TLS, abort, redirect loop) as a CliError. */
export function transportError(client: ClientFacts, attempt: Attempt, error: Error & {code?: string; event?: string}, options: RequestOptions): Error {
  if (options.signal?.aborted) {
    const reason: unknown = options.signal.reason
    return reason instanceof Error ? reason : new CliError('interrupted', 'interrupted')
  }
  const what = describe(attempt.method, attempt.url, client.origin, attempt.purpose)
  const host = new URL(attempt.url).host
  const code = error.code ?? ''
  const cause = error
  if (error.name === 'MaxRedirectsError') {
    return new CliError('protocol', client.redact(`${what}: more than 10 redirects (a redirect loop?)`), {cause})
  }
  if (error.name === 'TimeoutError') {
    const silentAfterHeaders = error.event === 'socket' && attempt.responded
    const message = silentAfterHeaders
      ? `no data from ${host} for ${duration((options.mode === 'stream' ? options.idleMs : undefined) ?? client.timeoutMs)}`
      : error.event === 'response' || error.event === 'socket'
        ? `no response from ${host} within ${duration((error.event === 'socket' ? options.idleMs : undefined) ?? client.timeoutMs)}`
        : `cannot connect to ${host} within ${duration(client.timeoutMs)}`
    return new CliError('network', client.redact(`${what}: ${message}`), {
      cause,
      retryable: true,
      hint: silentAfterHeaders && options.mode === 'stream' ? undefined : 'raise --timeout (seconds) or core.timeout if the cluster is slow',
    })
  }
  if (TLS_CODE.test(code)) {
    const wrongProtocol = code === 'EPROTO' || code.startsWith('ERR_SSL')
    return new CliError('tls', client.redact(`${what}: TLS with ${host} failed: ${oneLine(client.redact(error.message), 200)} (${code})`), {
      cause,
      hint: wrongProtocol ? 'the server may not speak TLS on this port; check the URL scheme' : TLS_HINT,
    })
  }
  const known = NETWORK_CAUSES[code]
  const failure = CONNECT_CODES.has(code) ? `cannot connect to ${host}` : `connection to ${host} failed`
  return new CliError('network', client.redact(`${what}: ${failure}: ${known ?? oneLine(client.redact(error.message), 200)}${code ? ` (${code})` : ''}`), {
    cause,
    retryable: known !== undefined || error.name === 'ReadError',
  })
}

/** A status the caller did not allow, as a CliError of the matching kind. */
export function statusError(client: ClientFacts, attempt: Attempt, response: HttpResponse, statusText: string, body: string): CliError {
  const what = describe(attempt.method, response.url || attempt.url, client.origin, attempt.purpose)
  const contentType = String(response.headers['content-type'] ?? '')
  // Redacted before serverMessage cuts it: a cut could leave a piece of the token too short to recognise.
  const said = serverMessage(client.redact(body), contentType)
  const status = `${response.status}${statusText ? ` ${statusText}` : ''}`
  const tail = said ? `: ${said}` : ''
  const make = (kind: ConstructorParameters<typeof CliError>[0], message: string, hint?: string) =>
    new CliError(kind, client.redact(`${what}: ${message}`), {
      status: response.status,
      hint: hint && client.redact(hint),
      retryable: RETRYABLE_STATUSES.has(response.status),
    })
  switch (response.status) {
    case 401: {
      const finalOrigin = safeOrigin(response.url)
      if (client.token && finalOrigin !== undefined && finalOrigin !== client.origin) {
        return make('auth', `${status} from ${finalOrigin}, which the cluster URL redirected to; the token is only sent to ${client.origin}`, `if ${finalOrigin} is the cluster, use it as the URL (--url ${finalOrigin})`)
      }
      if (!attempt.tokenSent) {
        return make('auth', `the cluster requires a token (${status}) and none is configured`, 'run `dcos-ts auth login`, set DCOS_ACS_TOKEN, or pass --token-file')
      }
      const expiry = tokenExpiry(client.token)
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

/** "reading master state: GET /mesos/master/state" (the full URL when it left the cluster's origin). */
export function describe(method: string, url: string, origin: string, purpose?: string): string {
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

/** A web page (a proxy's, or a login page) with a 2xx where JSON belongs: what came back, by its title. */
export function webPageError(client: ClientFacts, attempt: Attempt, url: string, body: string, contentType: string, status: number): CliError {
  const what = describe(attempt.method, url, client.origin, attempt.purpose)
  const title = serverMessage(client.redact(body), contentType)
  return new CliError('protocol', client.redact(`${what}: expected JSON, got an HTML page${title ? `: ${oneLine(title, 120)}` : ''}`), {
    status,
    hint: 'a proxy or a login page answered instead of the cluster; check the cluster URL',
  })
}
