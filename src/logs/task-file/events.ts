/**
 * Logging v2's event stream of a task file, trusted only as far as it proves itself.
 *
 * dcos-log gives every line an id: the byte offset of the newline that ends it. So after the newline at p,
 * an event with id q and a MESSAGE of q - p - 1 bytes is exactly the file's next line, and anything else
 * is not: a line over 32 KiB cut and the next event glued to it (malformed, or a length that does not
 * match), empty lines it skipped (a gap before the id), a line it decoded (invalid UTF-8 becomes U+FFFD,
 * whose length shifts the ids), a server replaying the stream (an id at or below p). An event that fails
 * the check is repaired: the byte range it claims is read through the files API (`repair`), in order,
 * before anything after it is printed. An event that says nothing checkable (no id, or more than the
 * parser holds) loses the thread: the stream ends with why, and the caller catches up through the files
 * API and reopens it (or gives up, when that keeps happening).
 */
import type {Readable} from 'node:stream'
import {CliError} from '../../errors.js'
import {ByteEntry, type LogEntry, type StreamInfo} from '../entry.js'
import {type EventId, EventTooLong, SseParser, taskEventMessage, taskMessageBytesStart} from '../sse.js'

/** The line is the file's next one. */
export const ACCEPT = 0
/** At or before the last line checked: a repeat, dropped. */
export const OLD = 1
/** Not the file's next line: the range up to its id (`gapEnd`) is read through the files API. */
export const GAP = 2
/** No id to check against: the stream cannot be followed from here. */
export const LOST = 3
export type Verdict = typeof ACCEPT | typeof OLD | typeof GAP | typeof LOST

export class EventCheck {
  /** The end of a gap, after judge() said GAP. */
  gapEnd = -1
  /** Events accepted as they came. */
  accepted = 0

  /** `verified`: the offset of the newline that ends the last line known exact. */
  constructor(public verified: number) {}

  /** An event with id `id` and a MESSAGE of `length` bytes that may be the file's own (`faithful`). */
  judge(id: EventId | undefined, length: number, faithful: boolean): Verdict {
    if (typeof id !== 'number') return LOST
    if (id <= this.verified) return OLD
    if (faithful && id - this.verified - 1 === length) {
      this.verified = id
      this.accepted++
      return ACCEPT
    }
    this.gapEnd = id
    return GAP
  }
}

/** The file's exact lines after `check.verified` up to the newline at or before `end`, advancing it. */
export type Repair = (end: number) => AsyncIterable<LogEntry[]>

/** How a checked event stream ended: the server closed it, or why it can no longer be checked. */
export type StreamEnd = 'ended' | CliError

/**
 * The entries of an event stream, checked (see above), one batch per network chunk, an empty one first
 * (the stream is up). Events that follow a gap wait, in order, until it is repaired.
 */
export async function* checkedEvents(body: Readable, stream: StreamInfo, check: EventCheck, repair: Repair): AsyncGenerator<LogEntry[], StreamEnd> {
  let batch: LogEntry[] = []
  /** Events after a gap, held until it is repaired. */
  let waiting: Array<[EventId | undefined, Buffer, number, number]> | undefined
  let lost: CliError | undefined
  const take = (id: EventId | undefined, buf: Buffer, start: number, end: number): void => {
    if (waiting !== undefined) {
      waiting.push([id, buf, start, end])
      return
    }
    if (lost !== undefined) return
    const verdict = judgeEvent(check, stream, id, buf, start, end, batch)
    if (verdict === GAP) waiting = []
    else if (verdict === LOST) lost = uncheckable(buf, start, end)
  }
  const parser = new SseParser({onEvent: take, onComment: () => {}})
  try {
    yield []
    for await (const chunk of body as AsyncIterable<Buffer>) {
      try {
        parser.push(chunk)
      } catch (error) {
        if (error instanceof EventTooLong) return error
        throw error
      }
      for (;;) {
        if (batch.length > 0) {
          const ready = batch
          batch = []
          yield ready
        }
        if (lost !== undefined) return lost
        if (waiting === undefined) break
        const held = waiting
        waiting = undefined
        yield* repair(check.gapEnd)
        for (const event of held) take(...event)
      }
    }
  } finally {
    body.destroy()
  }
  if (parser.incomplete) throw new CliError('network', 'the log stream ended in the middle of an event', {retryable: true})
  return 'ended'
}

/** Checks one event; an accepted one goes into `batch`. */
function judgeEvent(check: EventCheck, stream: StreamInfo, id: EventId | undefined, buf: Buffer, start: number, end: number, batch: LogEntry[]): Verdict {
  // The hot path: dcos-log's own shape, a MESSAGE that is its bytes as they are.
  const from = typeof id === 'number' ? taskMessageBytesStart(buf, start, end) : -1
  if (from >= 0) {
    const verdict = check.judge(id, end - 3 - from, true)
    if (verdict === ACCEPT) batch.push(new ByteEntry(stream, id, buf, from, end - 3))
    return verdict
  }
  let message: string
  try {
    message = taskEventMessage(buf, start, end)
  } catch {
    // Malformed (a cut event with the next one glued on): its own id still says where its line ends.
    return typeof id === 'number' ? check.judge(id, -1, false) : LOST
  }
  const verdict = check.judge(id, Buffer.byteLength(message), faithfulText(message))
  if (verdict === ACCEPT) batch.push({stream, message, cursor: String(id)})
  return verdict
}

/** Why an event without a usable id cannot be checked: what is wrong with it, as the user should hear it. */
function uncheckable(buf: Buffer, start: number, end: number): CliError {
  try {
    const message = taskEventMessage(buf, start, end)
    return new CliError('protocol', `the log server sent an entry without an id (a byte offset) to check it by: ${JSON.stringify(message.slice(0, 80))}`)
  } catch (error) {
    return error instanceof CliError ? error : new CliError('protocol', 'the log server sent an entry that cannot be read')
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Text whose UTF-8 bytes can be a line of the file as it is: no newline, no U+FFFD, no lone surrogate. */
function faithfulText(message: string): boolean {
  return !message.includes('\n') && !message.includes('\ufffd') && !LONE_SURROGATE.test(message)
}
