import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Socket} from 'node:net'
import type {Fault, FaultBook, RequestTags} from './faults.js'

/**
 * Response framing as the real servers produce it, plus the faults that act on bodies and streams.
 * Go's net/http sets Content-Length when a handler's whole output fits its 2 KiB buffer and otherwise
 * answers chunked; it sniffs Content-Type from the first 512 bytes when the handler set none.
 */

export interface Exchange extends RequestTags {
  req: IncomingMessage
  res: ServerResponse
  faults: FaultBook
  /** Query string as sent, without `?` ('' when none). */
  rawQuery: string
}

export type Headers = Record<string, string | number>

const GO_CHUNKING_THRESHOLD = 2048
const FLUSH_BYTES = 64 * 1024

/** Go's http.DetectContentType for the cases log data meets: HTML-looking text, binary, or UTF-8 text. */
export function sniffContentType(body: Buffer): string {
  const head = body.subarray(0, 512)
  const text = head.toString('latin1').replace(/^[\t\n\f\r ]+/, '').toUpperCase()
  const html = ['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--']
  for (const tag of html) {
    if (text.startsWith(tag) && (text.length === tag.length || text[tag.length] === ' ' || text[tag.length] === '>')) return 'text/html; charset=utf-8'
  }
  if (text.startsWith('<?XML')) return 'text/xml; charset=utf-8'
  if (text.startsWith('%PDF-')) return 'application/pdf'
  for (const byte of head) if (byte <= 0x08 || byte === 0x0b || (byte >= 0x0e && byte <= 0x1a) || (byte >= 0x1c && byte <= 0x1f)) return 'application/octet-stream'
  return 'text/plain; charset=utf-8'
}

/** A complete response, with the truncate and malformed-json faults applied. */
export function sendComplete(ex: Exchange, status: number, headers: Headers, body: Buffer | string = ''): void {
  let bytes = typeof body === 'string' ? Buffer.from(body) : body
  const type = String(headers['Content-Type'] ?? '')
  if (bytes.length > 0 && type.includes('json')) {
    const malformed = ex.faults.take('malformed-json', ex)
    if (malformed) bytes = Buffer.concat([bytes.subarray(0, Math.floor(bytes.length / 2)), Buffer.from('\u0000{"oops":')])
  }
  const truncate = bytes.length > 0 ? ex.faults.take('truncate', ex) : undefined
  // Go (and libprocess) send no Content-Length on a 204.
  ex.res.writeHead(status, status === 204 ? headers : {...headers, 'Content-Length': bytes.length})
  if (truncate) {
    ex.res.write(bytes.subarray(0, Math.min(truncate.bytes ?? Math.floor(bytes.length / 2), bytes.length - 1)))
    destroySoon(ex.res)
    return
  }
  ex.res.end(ex.req.method === 'HEAD' ? undefined : bytes)
}

/** Go's http.Error: plain text, nosniff, the message plus a newline. */
export function goError(ex: Exchange, status: number, message: string, extra: Headers = {}): void {
  sendComplete(ex, status, {...extra, 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff'}, status === 204 ? '' : `${message}\n`)
}

export function sendJson(ex: Exchange, status: number, value: unknown, extra: Headers = {}): void {
  sendComplete(ex, status, {'Content-Type': 'application/json', ...extra}, typeof value === 'string' ? value : JSON.stringify(value))
}

/** nginx's own error pages, as Admin Router answers for unknown locations and failing upstreams. */
export function nginxPage(status: number): string {
  const titles: Record<number, string> = {404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out'}
  const title = `${status} ${titles[status] ?? 'Error'}`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n`
}

export function sendNginxPage(ex: Exchange, status: number): void {
  sendComplete(ex, status, {'Content-Type': 'text/html'}, nginxPage(status))
}

function destroySoon(res: ServerResponse): void {
  const socket = res.socket
  setImmediate(() => socket?.destroy())
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * A streamed body (chunked): text is batched into large writes and backpressure is honoured.
 * Event streams count events so end-stream and stall faults can strike after N of them.
 */
export class BodyStream {
  closed = false
  private pending: Array<string | Buffer> = []
  private pendingBytes = 0
  private events = 0
  private readonly endFault?: Extract<Fault, {kind: 'end-stream'}>
  private stallFault?: Extract<Fault, {kind: 'stall'}>
  private readonly onClose: Array<() => void> = []

  constructor(private readonly ex: Exchange, eventStream: boolean) {
    if (eventStream) {
      this.endFault = ex.faults.take('end-stream', ex)
      this.stallFault = ex.faults.take('stall', ex)
    }
    ex.res.on('close', () => this.markClosed())
  }

  /** Registers cleanup to run once when the stream closes for any reason. */
  whenClosed(fn: () => void): void {
    if (this.closed) fn()
    else this.onClose.push(fn)
  }

  head(status: number, headers: Headers): void {
    this.ex.res.writeHead(status, headers)
    this.ex.res.flushHeaders()
  }

  /** Queues text or bytes; the returned promise (when any) must be awaited before writing more. */
  write(text: string | Buffer): Promise<void> | undefined {
    if (this.closed || text.length === 0) return undefined
    this.pending.push(text)
    this.pendingBytes += text.length
    return this.pendingBytes >= FLUSH_BYTES ? this.flush() : undefined
  }

  /** Queues one SSE event (or comment); faults count these. */
  event(text: string | Buffer): Promise<void> | undefined {
    if (this.closed) return undefined
    if (this.endFault === undefined && this.stallFault === undefined) return this.write(text)
    this.events++
    this.write(text)
    if (this.endFault && this.events >= this.endFault.afterEvents) return this.flush().then(() => this.endByFault())
    if (this.stallFault && this.events >= (this.stallFault.afterEvents ?? 0)) {
      const ms = this.stallFault.ms
      this.stallFault = undefined
      return this.flush().then(() => sleep(ms))
    }
    return undefined
  }

  /** Sends what is queued; resolves once the socket has taken it (drain). */
  async flush(): Promise<void> {
    if (this.closed || this.pending.length === 0) return
    const chunk = this.pending.length === 1 ? this.pending[0] : joinChunks(this.pending)
    this.pending = []
    this.pendingBytes = 0
    if (!this.ex.res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.ex.res.off('drain', done)
          this.ex.res.off('close', done)
          resolve()
        }
        this.ex.res.on('drain', done)
        this.ex.res.on('close', done)
      })
    }
  }

  async end(): Promise<void> {
    await this.flush()
    if (!this.closed) this.ex.res.end()
    this.markClosed()
  }

  /** Ends the response now (server shutdown). */
  abort(): void {
    if (this.closed) return
    this.ex.res.end()
    this.markClosed()
  }

  private endByFault(): void {
    const fault = this.endFault
    if (fault === undefined || this.closed) return
    if (fault.mode === 'close') this.ex.res.end()
    else {
      const socket = this.ex.res.socket as (Socket & {resetAndDestroy?: () => void}) | null
      if (socket?.resetAndDestroy) socket.resetAndDestroy()
      else socket?.destroy()
    }
    this.markClosed()
  }

  private markClosed(): void {
    if (this.closed) return
    this.closed = true
    for (const fn of this.onClose.splice(0)) fn()
  }
}

/**
 * A body Go would frame by size: Content-Length when the whole output is under 2 KiB, chunked after.
 * Content-Type is sniffed from the first bytes unless given.
 */
export class GoBody {
  private buffered: Array<string | Buffer> = []
  private bufferedBytes = 0
  private stream?: BodyStream

  constructor(private readonly ex: Exchange, private readonly status: number, private readonly headers: Headers, private readonly sniff: boolean) {}

  get closed(): boolean {
    return this.stream?.closed ?? false
  }

  /** Whether the status line went out (nothing at all reaches the client before). */
  get started(): boolean {
    return this.stream !== undefined
  }

  write(text: string | Buffer): Promise<void> | undefined {
    if (this.stream) return this.stream.write(text)
    this.buffered.push(text)
    this.bufferedBytes += Buffer.byteLength(text)
    return this.bufferedBytes <= GO_CHUNKING_THRESHOLD ? undefined : this.startChunked()
  }

  /** Sends the header now and goes on chunked, as net/http does once ReadFrom copied its first 512 bytes. */
  startChunked(): Promise<void> | undefined {
    if (this.stream) return undefined
    const all = joinChunks(this.buffered)
    this.buffered = []
    this.stream = new BodyStream(this.ex, false)
    this.stream.head(this.status, this.withType(all))
    return this.stream.write(all)
  }

  async end(): Promise<void> {
    if (this.stream) return this.stream.end()
    const all = joinChunks(this.buffered)
    sendComplete(this.ex, this.status, this.withType(all), all)
  }

  private withType(sample: string | Buffer): Headers {
    if (!this.sniff || sample.length === 0 || this.headers['Content-Type'] !== undefined) return this.headers
    return {...this.headers, 'Content-Type': sniffContentType(typeof sample === 'string' ? Buffer.from(sample.slice(0, 512)) : sample.subarray(0, 512))}
  }
}

/** One chunk of queued strings and bytes (strings joined as such while there are no bytes). */
function joinChunks(parts: Array<string | Buffer>): string | Buffer {
  if (parts.every((part) => typeof part === 'string')) return parts.join('')
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)))
}
