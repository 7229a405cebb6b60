/**
 * A byte-level Server-Sent Events parser for the hot path of `--follow` (one event per log line).
 *
 * Why not eventsource-parser: it works on strings, so every chunk is first decoded to UTF-8 as a whole and
 * every `data:` value becomes a string before the JSON inside it is parsed again. Here lines are found with
 * Buffer.indexOf (memchr) and an event hands its data to the decoder as a byte range of the chunk it
 * arrived in, so a task event costs at most one string (its MESSAGE), and none when its entry keeps the
 * MESSAGE as bytes (taskMessageBytesStart, task-file/events.ts). bench/sse-parser.ts measures both on
 * 380-byte task events, one core: framing alone costs the same in both (0.5 M events/s each when every
 * event goes through JSON.parse), but only bytes allow the MESSAGE fast path: 1.5 M events/s (~2.9x).
 *
 * Framing follows the WHATWG event-stream rules with these deliberate choices:
 * - lines end at LF; a CR before the LF is dropped (CRLF tolerated). dcos-log only ever sends LF, so a
 *   lone CR is not treated as a line end (it stays part of the value).
 * - `id` is per event: onEvent gets the id given in that event's own block, or undefined (dcos-log task
 *   streams send the first line of a file without one; resuming needs to know that, not the previous id).
 * - `event:` and `retry:` are ignored (dcos-log never sends them); comments are reported as keepalives.
 * - An event is dispatched only at its terminating blank line, so bytes cut off by a dropped connection
 *   never become an event: `incomplete` tells the caller the stream stopped inside one.
 * - Multi-byte UTF-8 split across chunks is safe: values are decoded only once their line is complete.
 * - An event is held up to EVENT_MAX_BYTES: a server sending an endless line gets an EventTooLong.
 */
import {isUtf8} from 'node:buffer'
import {CliError} from '../errors.js'

/**
 * An event's id. A decimal id (every dcos-log byte offset) is its number, read without making a string per
 * event; `String(id)` is its text either way.
 */
export type EventId = string | number

export interface SseHandler {
  /**
   * A complete event; its data (lines joined with LF) is buf[start, end). Pushed chunks are never written to
   * afterwards (network chunks are not), so the handler may keep the range instead of decoding it at once.
   */
  onEvent(id: EventId | undefined, buf: Buffer, start: number, end: number): void
  /** A comment line (dcos-log sends `: ping` every 15 s on journal streams). */
  onComment(): void
}

const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a
const SPACE = 0x20
const ZERO = 0x30
const NEWLINE = Buffer.from('\n')

/**
 * The most an event may hold before its end arrives (64 MiB): a server that sends an endless line would
 * otherwise take all memory. Past it, push() throws an EventTooLong.
 */
export const EVENT_MAX_BYTES = 64 * 1024 * 1024

/** A line or event of more than the parser's bound: nothing of it is held any longer. */
export class EventTooLong extends CliError {
  constructor(limit: number) {
    super('protocol', `the log server sent an event of more than ${limit} bytes`)
  }
}

export class SseParser {
  /** Bytes of a line not yet terminated, kept as separate chunks and joined once its LF arrives. */
  private carry: Buffer[] = []
  private carryBytes = 0
  private id: EventId | undefined
  private data: Buffer | undefined
  private dataStart = 0
  private dataEnd = 0
  private blockStarted = false

  constructor(
    private readonly handler: SseHandler,
    private readonly maxEventBytes = EVENT_MAX_BYTES,
  ) {}

  /** True when the bytes seen so far end inside an event (a cut connection, not a clean end). */
  get incomplete(): boolean {
    return this.blockStarted || this.carry.length > 0
  }

  /** Parses the next bytes of the stream. The chunk must not be changed afterwards: events may keep ranges of it. */
  push(chunk: Buffer): void {
    let pos = 0
    if (this.carry.length > 0) {
      const lf = chunk.indexOf(LF)
      if (lf < 0) {
        this.hold(chunk)
        return
      }
      this.carry.push(chunk.subarray(0, lf))
      const line = Buffer.concat(this.carry)
      this.carry = []
      this.carryBytes = 0
      this.line(line, 0, line.length)
      pos = lf + 1
    }
    const length = chunk.length
    while (pos < length) {
      // The blank line that ends an event: found without a search (a native call per line adds up).
      if (chunk[pos] === LF) {
        this.dispatch()
        pos++
        continue
      }
      const lf = chunk.indexOf(LF, pos)
      if (lf < 0) {
        this.hold(chunk.subarray(pos))
        return
      }
      this.line(chunk, pos, lf)
      pos = lf + 1
    }
  }

  /** Forgets a partial event (call between connections). */
  reset(): void {
    this.carry = []
    this.carryBytes = 0
    this.id = undefined
    this.data = undefined
    this.blockStarted = false
  }

  /** Keeps the start of a line until its end arrives, within the bound (with the event's data so far). */
  private hold(piece: Buffer): void {
    this.carryBytes += piece.length
    if (this.carryBytes + (this.data === undefined ? 0 : this.dataEnd - this.dataStart) > this.maxEventBytes) {
      this.reset()
      throw new EventTooLong(this.maxEventBytes)
    }
    this.carry.push(piece)
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === CR) end--
    if (start === end) return this.dispatch()
    const first = buf[start]
    if (first === COLON) return this.handler.onComment()
    this.blockStarted = true
    // The two fields dcos-log sends, recognised by their bytes; anything else takes the general path.
    if (first === 0x64 && buf[start + 4] === COLON && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61) {
      return this.addData(buf, valueStart(buf, start + 5, end), end)
    }
    if (first === 0x69 && buf[start + 1] === 0x64 && buf[start + 2] === COLON) {
      this.id = eventId(buf, valueStart(buf, start + 3, end), end)
      return
    }
    let colon = buf.indexOf(COLON, start)
    if (colon < 0 || colon > end) colon = end
    const name = buf.toString('latin1', start, colon)
    const value = colon === end ? end : valueStart(buf, colon + 1, end)
    if (name === 'data') this.addData(buf, value, end)
    else if (name === 'id') this.id = eventId(buf, value, end)
  }

  private addData(buf: Buffer, start: number, end: number): void {
    if (this.data === undefined) {
      this.data = buf
      this.dataStart = start
      this.dataEnd = end
      return
    }
    // Several data lines in one event: rare, so joining them may copy.
    if (this.dataEnd - this.dataStart + end - start > this.maxEventBytes) {
      this.reset()
      throw new EventTooLong(this.maxEventBytes)
    }
    const joined = Buffer.concat([this.data.subarray(this.dataStart, this.dataEnd), NEWLINE, buf.subarray(start, end)])
    this.data = joined
    this.dataStart = 0
    this.dataEnd = joined.length
  }

  private dispatch(): void {
    const data = this.data
    this.blockStarted = false
    if (data === undefined) return
    const id = this.id
    this.data = undefined
    this.id = undefined
    this.handler.onEvent(id, data, this.dataStart, this.dataEnd)
  }
}

/**
 * An id: decimal ids without a leading zero (whose text String() gives back exactly) as their number,
 * anything else as its text.
 */
function eventId(buf: Buffer, start: number, end: number): EventId {
  const length = end - start
  if (length > 0 && length <= 15 && (buf[start] !== ZERO || length === 1)) {
    let value = 0
    let at = start
    for (; at < end; at++) {
      const digit = buf[at] - ZERO
      if (digit < 0 || digit > 9) break
      value = value * 10 + digit
    }
    if (at === end) return value
  }
  return buf.toString('utf8', start, end)
}

function valueStart(buf: Buffer, start: number, end: number): number {
  return start < end && buf[start] === SPACE ? start + 1 : start
}

const TASK_PREFIX = Buffer.from('{"fields":{')
const MESSAGE_KEY = Buffer.from('"MESSAGE":"')
const QUOTE = 0x22
const BACKSLASH = 0x5c
const CLOSE_BRACE = 0x7d

/**
 * Where MESSAGE's bytes start in a dcos-log task event `{"fields":{...sorted keys...,"MESSAGE":"<line>"}}`
 * (they end at `end - 3`), or -1 when the fast path does not apply. It applies only when the bytes have
 * exactly that shape and the value has no escapes and no quote: inside a JSON string every quote is
 * escaped, so without a quote in the value the last quote before the closing `"}}` ends the key, and a
 * value without `\` and `"` is its own literal text. Anything else (escapes such as Go's \u003c, other
 * shapes) must go through JSON.parse.
 */
function fastMessageStart(buf: Buffer, start: number, end: number): number {
  const valueEnd = end - 3
  if (valueEnd - start <= TASK_PREFIX.length + MESSAGE_KEY.length || buf[end - 1] !== CLOSE_BRACE || buf[end - 2] !== CLOSE_BRACE || buf[valueEnd] !== QUOTE) return -1
  // Byte by byte: cheaper than Buffer.compare with offsets for these few bytes.
  for (let i = 0; i < TASK_PREFIX.length; i++) if (buf[start + i] !== TASK_PREFIX[i]) return -1
  const keyEnd = buf.lastIndexOf(QUOTE, valueEnd - 1) + 1
  const key = keyEnd - MESSAGE_KEY.length
  if (key <= start) return -1
  for (let i = 0; i < MESSAGE_KEY.length; i++) if (buf[key + i] !== MESSAGE_KEY[i]) return -1
  return chunkFacts.backslashIn(buf, keyEnd, valueEnd) ? -1 : keyEnd
}

/**
 * What the fast path asks of every event in a network chunk, found with one scan of the chunk instead of one
 * per event: where its backslashes are, and whether it is valid UTF-8. Kept for the last chunk seen only
 * (a chunk's events are decoded together, in order).
 */
class ChunkFacts {
  private buf: Buffer | undefined
  /** The first backslash at or after searchedFrom (buf.length when there is none). */
  private backslash = 0
  private searchedFrom = 0
  private utf8: boolean | undefined
  /** The first U+FFFD in the chunk (buf.length when there is none). */
  private replacement: number | undefined

  backslashIn(buf: Buffer, from: number, to: number): boolean {
    if (buf !== this.buf) this.see(buf)
    if (from < this.searchedFrom || this.backslash < from) {
      const found = buf.indexOf(BACKSLASH, from)
      this.backslash = found < 0 ? buf.length : found
      this.searchedFrom = from
    }
    return this.backslash < to
  }

  /** Whether buf[from, to) is valid UTF-8 (so decoding it and copying it give the same text). */
  isUtf8(buf: Buffer, from: number, to: number): boolean {
    if (buf !== this.buf) this.see(buf)
    // A whole chunk fails when its ends cut a character; then each range is checked on its own.
    this.utf8 ??= isUtf8(buf)
    return this.utf8 || isUtf8(buf.subarray(from, to))
  }

  /** Whether buf[from, to) holds U+FFFD: what dcos-log put where the file's bytes were not UTF-8. */
  replacementIn(buf: Buffer, from: number, to: number): boolean {
    if (buf !== this.buf) this.see(buf)
    if (this.replacement === undefined) {
      const found = buf.indexOf(REPLACEMENT)
      this.replacement = found < 0 ? buf.length : found
    }
    return this.replacement < to && buf.subarray(from, to).includes(REPLACEMENT)
  }

  private see(buf: Buffer): void {
    this.buf = buf
    this.searchedFrom = buf.length + 1
    this.utf8 = undefined
    this.replacement = undefined
  }
}
const chunkFacts = new ChunkFacts()
const REPLACEMENT = Buffer.from('\ufffd')

/** MESSAGE of a dcos-log task event (see fastMessageStart), through JSON.parse unless the fast path applies. */
export function taskEventMessage(buf: Buffer, start: number, end: number): string {
  const from = fastMessageStart(buf, start, end)
  return from < 0 ? parsedTaskMessage(buf, start, end) : buf.toString('utf8', from, end - 3)
}

/**
 * Where a dcos-log task event's MESSAGE lies as the file's own bytes: buf[from, end - 3) when the event has
 * exactly dcos-log's shape and the value needs no decoding (see fastMessageStart), and those bytes can be
 * the file's (valid UTF-8 without U+FFFD, which dcos-log puts where the file's bytes were not UTF-8).
 * -1 when the fast path does not apply: the caller decodes the event (taskEventMessage).
 */
export function taskMessageBytesStart(buf: Buffer, start: number, end: number): number {
  const from = fastMessageStart(buf, start, end)
  return from >= 0 && chunkFacts.isUtf8(buf, from, end - 3) && !chunkFacts.replacementIn(buf, from, end - 3) ? from : -1
}

function parsedTaskMessage(buf: Buffer, start: number, end: number): string {
  const message = (parseEventJson(buf, start, end).fields as Record<string, unknown> | undefined)?.MESSAGE
  if (typeof message !== 'string') throw badEvent(buf.toString('utf8', start, end), 'without a fields.MESSAGE string')
  return message
}

/**
 * Parses event data as a JSON object. Data that is not JSON is a non-retryable 'protocol' error: framing
 * guarantees the event was received whole (a cut connection leaves an incomplete event, never a broken
 * one), so it is what the server sent, and reconnecting from the same cursor would fetch it again.
 */
export function parseEventJson(buf: Buffer, start: number, end: number): Record<string, unknown> {
  return parseJsonObject(buf.toString('utf8', start, end))
}

/** One JSON object (an event's data, or one NDJSON line); anything else is a 'protocol' CliError. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw badEvent(text, 'not JSON')
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badEvent(text, 'not a JSON object')
  return value as Record<string, unknown>
}

function badEvent(text: string, why: string): CliError {
  return new CliError('protocol', `the log server sent an entry that is ${why}: ${JSON.stringify(text.slice(0, 80))}`)
}
