/**
 * The error model: every failure the user can meet is a CliError with a kind, and each kind has one
 * documented exit code. Errors are classified where they happen (HTTP status, parse failure, config),
 * rendered once at the top (renderError), and never printed from inside a source or sink.
 */

export type ErrorKind =
  | 'usage' // bad or conflicting flags and arguments
  | 'config' // no cluster configured, unreadable or malformed config, CA or token file
  | 'auth' // 401: token missing, invalid or expired
  | 'forbidden' // 403: the token lacks a permission
  | 'not-found' // no such task, file, agent, component or route
  | 'server' // 5xx or another status the server should not have answered
  | 'protocol' // the server answered something we cannot read (not JSON, bad stream, bad redirect)
  | 'network' // connection refused, reset, DNS failure, timeout
  | 'tls' // certificate verification failed
  | 'interrupted' // SIGINT or SIGTERM while following
  | 'internal' // a bug in dcos-ts

/**
 * One exit code per kind; documented in the README ("Exit codes").
 *
 *   0    success (also when the reader of stdout went away: `| head`)
 *   1    internal    a bug in dcos-ts (run with --verbose for the stack trace)
 *   2    usage       bad or conflicting flags or arguments
 *   3    config      no cluster configured; unreadable or malformed dcos.toml, CA bundle or token file
 *   4    auth        401: no token, or the token is invalid or expired (`dcos-ts auth login`)
 *   5    forbidden   403: the account lacks a permission (the message names it)
 *   6    not-found   no such task, file, agent, component or route (404)
 *   7    server      5xx, or another status the cluster should not have answered
 *   8    network     connection refused or reset, DNS failure, connect/response/idle timeout
 *   9    tls         certificate verification or TLS handshake failed (--ca-file, core.ssl_verify)
 *   10   protocol    an answer dcos-ts cannot read: not JSON, a broken stream, a redirect loop
 *   130  interrupted Ctrl-C (SIGINT); 143 for SIGTERM
 */
export const EXIT_CODES: Record<ErrorKind, number> = {
  internal: 1,
  usage: 2,
  config: 3,
  auth: 4,
  forbidden: 5,
  'not-found': 6,
  server: 7,
  network: 8,
  tls: 9,
  protocol: 10,
  interrupted: 130,
}

export interface CliErrorOptions {
  /** What the user can do about it; rendered after the message on the same line. */
  hint?: string
  cause?: unknown
  /** HTTP status when the error came from a response. */
  status?: number
  /** True when following may reconnect and try again (network faults, 502/503/504, a cut stream). */
  retryable?: boolean
  /** Overrides the kind's exit code (SIGTERM exits 143, not 130). */
  exitCode?: number
}

export class CliError extends Error {
  readonly kind: ErrorKind
  readonly hint?: string
  readonly status?: number
  readonly retryable: boolean
  readonly exitCode: number
  /** The message as made here: oclif rewrites `message` in place when a flag's parser throws. */
  readonly text: string

  constructor(kind: ErrorKind, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'CliError'
    this.text = message
    this.kind = kind
    this.hint = options.hint
    this.status = options.status
    this.retryable = options.retryable ?? false
    this.exitCode = options.exitCode ?? EXIT_CODES[kind]
  }
}

export function isCliError(error: unknown): error is CliError {
  return error instanceof CliError
}

/** Collapses whitespace and newlines so any text (a server body, an exception) fits on one line. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** Turns anything thrown into a CliError; what is not already classified is a bug. */
export function toCliError(error: unknown): CliError {
  if (isCliError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new CliError('internal', `unexpected error: ${oneLine(message)}`, {
    cause: error,
    hint: 'this is a bug in dcos-ts; run again with --verbose for the stack trace',
  })
}

/** The one line the user sees on stderr, plus the stack only with --verbose. */
export function renderError(error: CliError, verbose: boolean): string {
  const hint = error.hint ? ` (${error.hint})` : ''
  let text = `Error: ${oneLine(error.message, 2000)}${hint}\n`
  if (verbose) {
    const cause = error.cause instanceof Error ? error.cause : error
    if (cause.stack) text += `${cause.stack}\n`
  }
  return text
}
