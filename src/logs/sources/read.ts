/**
 * Newline-delimited bodies (dcos-log text and NDJSON) turned into batches of entries, one batch per
 * network chunk (so a busy stream costs one array per chunk, not per line). Journal event streams are
 * read by journal-events.ts, task event streams by task-file/events.ts.
 */
import {isUtf8} from 'node:buffer'
import type {Readable} from 'node:stream'
import type {LogEntry} from '../entry.js'
import {EVENT_MAX_BYTES, EventTooLong} from '../sse.js'

const LF = 0x0a

/**
 * Turns one line, `buf[start, end)` without its newline (never empty), into an entry, or undefined to
 * skip it. `utf8` says those bytes are known to be valid UTF-8, so an entry may keep them as
 * they are (a ByteEntry) instead of decoding them.
 */
export type LineDecoder = (buf: Buffer, start: number, end: number, utf8: boolean) => LogEntry | undefined

/**
 * Newline-delimited bodies (dcos-log text and NDJSON). Lines are decoded only once complete, so a
 * multi-byte character split across chunks is never broken; only a line that straddles chunks is copied
 * (the rest are ranges of the network chunk), and each chunk's complete lines are checked for valid
 * UTF-8 once. A last line without LF is still a line (dcos-log adds the missing newline itself; a body
 * cut by a dropped connection throws instead, via the HTTP client's own error). Empty lines are dropped,
 * as dcos-log drops them. A line longer than `maxLineBytes` is a protocol error, not held.
 */
export async function* readLines(body: Readable, decode: LineDecoder, maxLineBytes = EVENT_MAX_BYTES): AsyncIterable<LogEntry[]> {
  /** The start of a line that straddles chunks (never empty: only bytes after the last LF are kept). */
  let carry: Buffer[] = []
  let carried = 0
  // Copied with its newline, if it has one: its bytes are then a line as read, like the others (spansAsRead).
  const straddling = (tail: Buffer, newline: boolean): LogEntry | undefined => {
    carry.push(tail)
    const line = Buffer.concat(carry)
    carry = []
    carried = 0
    return decode(line, 0, newline ? line.length - 1 : line.length, isUtf8(line))
  }
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const batch: LogEntry[] = []
      let pos = 0
      let lf = chunk.indexOf(LF)
      if (lf >= 0 && carry.length > 0) {
        const entry = straddling(chunk.subarray(0, lf + 1), true)
        if (entry !== undefined) batch.push(entry)
        pos = lf + 1
        lf = chunk.indexOf(LF, pos)
      }
      const utf8 = lf >= 0 && isUtf8(chunk.subarray(pos, chunk.lastIndexOf(LF)))
      for (; lf >= 0; lf = chunk.indexOf(LF, pos)) {
        const entry = lf === pos ? undefined : decode(chunk, pos, lf, utf8)
        if (entry !== undefined) batch.push(entry)
        pos = lf + 1
      }
      if (pos < chunk.length) {
        carried += chunk.length - pos
        // An endless line is not held: what the server sends is not a log any more.
        if (carried > maxLineBytes) throw new EventTooLong(maxLineBytes)
        carry.push(chunk.subarray(pos))
      }
      if (batch.length > 0) yield batch
    }
  } finally {
    body.destroy()
  }
  if (carry.length > 0) {
    const entry = straddling(Buffer.alloc(0), false)
    if (entry !== undefined) yield [entry]
  }
}
