/**
 * A journal's event stream (dcos-log's journal routes: logging v2 components, logging v1) read with the
 * `eventsource` package's EventSource, as ONE connection attempt like every LogSource.open: follow.ts stays
 * the one reconnect policy (backoff, visible reconnects, resuming from the cursor it chooses, stopping at
 * once on a 401/403/404), so EventSource's own reconnecting (to the first URL, for ever, every 3 s, from the
 * last id it saw) never runs.
 *
 * - The request is made by our HTTP client: EventSource gets a `fetch` over HttpClient.stream, so the token
 *   and its redirect rule, TLS options, timeouts, --verbose and every failure as the same CliError (status,
 *   the server's message, exit code) apply as to any other request. The silence watchdog is the client's
 *   `idleMs` (pings are bytes too, though EventSource drops them).
 * - How the connection ends is decided here, and the EventSource is closed before it can learn of the end
 *   itself (a rejected fetch, the body's end): closed, it schedules no reconnect. An error it raises on its
 *   own (an answer it refuses) ends the attempt as a protocol error.
 * - Batches: one per network chunk; the next chunk is read only once the entries of the last one were taken
 *   (backpressure). A chunk that ends an event without an entry (a `: ping`) is an empty batch, LogSource's
 *   "still alive".
 * - Where events end is watched beside EventSource (EventEnds) for what it does not tell: a body that stops
 *   inside an event (a cut connection) is a retryable error, and an event past EVENT_MAX_BYTES a protocol
 *   error (EventSource would hold it whole, however long).
 *
 * Task logs do not come this way: EventSource makes a string of every chunk and every event, which the task
 * stream's throughput cannot afford (src/logs/sse.ts; README, Design notes). A journal entry is parsed as
 * JSON whole either way.
 */
import type {Readable} from 'node:stream'
import type {EventSource as EventSourceType, FetchLike, FetchLikeResponse} from 'eventsource'
import {CliError} from '../../errors.js'
import type {HttpClient} from '../../cluster/http.js'
import {type QueryValue, buildUrl} from '../../cluster/url.js'
import type {LogEntry} from '../entry.js'
import {EVENT_MAX_BYTES, EventTooLong} from '../sse.js'

export interface JournalEventsRequest {
  path: string
  query: Record<string, QueryValue>
  /** Last-Event-ID among them, to resume after a cursor. */
  headers: Record<string, string>
  /** The silence after which the stream counts as gone (a retryable error). */
  idleMs: number
  /** For error messages: "following leader:dcos-adminrouter.service logs". */
  purpose: string
}

/** Turns one event's data into an entry (or undefined to skip it); may throw a 'protocol' CliError. */
export type EventDataDecoder = (data: string) => LogEntry | undefined

let eventSourceModule: Promise<typeof import('eventsource')> | undefined
/** Loaded by the first journal follow, so that no other command pays for it. */
const loadEventSource = () => (eventSourceModule ??= import('eventsource'))

export async function* readJournalEvents(http: HttpClient, request: JournalEventsRequest, signal: AbortSignal, decode: EventDataDecoder): AsyncGenerator<LogEntry[]> {
  const {EventSource} = await loadEventSource()
  const handoff = new Handoff()
  const ends = new EventEnds()
  let batch: LogEntry[] = []
  /** Worth an (empty) batch: connected, or a chunk ended an event. */
  let news = false
  let outcome: {error?: unknown} | undefined
  let body: Readable | undefined
  let eventSource: EventSourceType | undefined
  const end = (error?: unknown) => {
    if (outcome !== undefined) return
    outcome = {error}
    eventSource?.close()
    void handoff.give()
  }

  const fetch: FetchLike = async (_url, init) => {
    let answer: Awaited<ReturnType<HttpClient['stream']>>
    try {
      answer = await http.stream(request.path, {
        query: request.query,
        headers: {...init.headers, ...request.headers},
        signal: init.signal as AbortSignal,
        mode: 'stream',
        idleMs: request.idleMs,
        purpose: request.purpose,
      })
    } catch (error) {
      end(error)
      throw error
    }
    body = answer.body
    news = true
    // 204: nothing to follow there now; an end like any other, which follow.ts answers by reconnecting.
    if (answer.response.status === 204) end()
    else await handoff.give()
    return eventStreamResponse(answer.response.status, answer.response.url, bodyStream(answer.body))
  }

  const bodyStream = (source: Readable) => {
    const chunks = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
    let parsed = false
    // highWaterMark 0: pulled only when EventSource reads, which it does once it has parsed the last chunk.
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (parsed && (batch.length > 0 || news)) await handoff.give()
          parsed = true
          if (outcome !== undefined) return controller.close()
          let next: IteratorResult<Buffer>
          try {
            next = await chunks.next()
          } catch (error) {
            end(error)
            return controller.close()
          }
          if (next.done) end(ends.open > 0 ? cutStream() : undefined)
          else if (ends.push(next.value)) news = true
          if (ends.open > EVENT_MAX_BYTES) end(new EventTooLong(EVENT_MAX_BYTES))
          if (outcome !== undefined) return controller.close()
          controller.enqueue(next.value as Buffer)
        },
      },
      {highWaterMark: 0},
    )
  }

  const onAbort = () => end()
  signal.addEventListener('abort', onAbort, {once: true})
  eventSource = new EventSource(buildUrl(http.baseUrl, request.path, request.query), {fetch})
  eventSource.onmessage = (event) => {
    if (outcome !== undefined) return
    try {
      const entry = decode(event.data as string)
      if (entry !== undefined) batch.push(entry)
    } catch (error) {
      end(error)
    }
  }
  eventSource.onerror = (event) => end(new CliError('protocol', `${request.purpose}: the event stream was refused (${event.message ?? 'no reason given'})`))
  if (signal.aborted) end()
  try {
    for (;;) {
      await handoff.wait()
      // As a parser error always did: the entries before a bad one in its chunk are not passed on.
      if (outcome?.error !== undefined) throw outcome.error
      if (batch.length > 0 || news) {
        const ready = batch
        batch = []
        news = false
        yield ready
      }
      if (outcome !== undefined) return
      handoff.taken()
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
    end()
    handoff.taken()
    body?.destroy()
  }
}

/**
 * What EventSource is given for an answer: eventsource's FetchLikeResponse with a WHATWG ReadableStream body,
 * not a `Response` (constructing Node's first Response loads undici's fetch: ~45 ms). The client has
 * checked that a 2xx answer to an event stream request is one (http.ts), so its type is said as checked.
 */
function eventStreamResponse(status: number, url: string, body: ReadableStream<Uint8Array>): FetchLikeResponse {
  return {
    status,
    url,
    // EventSource uses it only for its reconnects, which never happen here.
    redirected: false,
    headers: {get: (name) => (name.toLowerCase() === 'content-type' ? 'text/event-stream' : null)},
    body,
  }
}

function cutStream(): CliError {
  return new CliError('network', 'the log stream ended in the middle of an event', {retryable: true})
}

const LF = 0x0a
const CR = 0x0d
const BLANK_LINE = Buffer.from('\n\n')
const BLANK_CRLF = Buffer.from('\n\r\n')

/**
 * Where events end in the raw bytes: at the LF of a blank line (CR LF tolerated), as in src/logs/sse.ts.
 * A network chunk costs two searches from its end.
 */
export class EventEnds {
  /** Bytes since the last event ended (0: between events). */
  open = 0
  /** The bytes seen end with LF (the stream's start counts as a line start), or with LF CR. */
  private lf = true
  private lfCr = false

  /** Takes the next chunk; true when an event ended in it. */
  push(chunk: Buffer): boolean {
    const length = chunk.length
    let end = Math.max(lastEnd(chunk, BLANK_LINE), lastEnd(chunk, BLANK_CRLF))
    if (end < 0 && ((this.lf && chunk[0] === LF) || (this.lfCr && chunk[0] === LF))) end = 0
    else if (end < 0 && this.lf && chunk[0] === CR && chunk[1] === LF) end = 1
    this.open = end < 0 ? this.open + length : length - end - 1
    const last = chunk[length - 1]
    this.lfCr = last === CR && (length > 1 ? chunk[length - 2] === LF : this.lf)
    this.lf = last === LF
    return end >= 0
  }
}

/** The index of the last byte of the last `blank` in chunk, or -1. */
function lastEnd(chunk: Buffer, blank: Buffer): number {
  const at = chunk.lastIndexOf(blank)
  return at < 0 ? -1 : at + blank.length - 1
}

/**
 * Hands what the reading side has (entries, the end) to the generator, one turn at a time: the reading side
 * waits until the generator has taken it.
 */
class Handoff {
  private ready = deferred()
  private took = deferred()

  /** Reading side: there is something; resolves once it was taken. */
  give(): Promise<void> {
    this.ready.resolve()
    return this.took.promise
  }

  /** Generator: waits for something to take. */
  async wait(): Promise<void> {
    await this.ready.promise
    this.ready = deferred()
  }

  /** Generator: taken; the reading side goes on. */
  taken(): void {
    const took = this.took
    this.took = deferred()
    took.resolve()
  }
}

function deferred(): {promise: Promise<void>; resolve: () => void} {
  let resolve!: () => void
  const promise = new Promise<void>((done) => (resolve = done))
  return {promise, resolve}
}
