/**
 * Body readers shared by the sources: event streams and newline-delimited bodies, both turned into
 * batches of entries, one batch per network chunk (so a busy stream costs one array per chunk, not per
 * line). An empty batch means "the connection is alive": sources yield one as soon as the response
 * headers arrive and one for every keepalive comment, which is how follow.ts tells live from stalled.
 */
import type {Readable} from 'node:stream'
import {CliError} from '../../cluster/errors.js'
import type {LogEntry} from '../entry.js'
import {type EventId, SseParser} from '../sse.js'

/** Turns one event into an entry (or undefined to skip it); may throw a 'protocol' CliError. */
export type EventDecoder = (id: EventId | undefined, buf: Buffer, start: number, end: number) => LogEntry | undefined

export async function* readEventStream(body: Readable, decode: EventDecoder): AsyncIterable<LogEntry[]> {
  let batch: LogEntry[] = []
  let keepalive = false
  const parser = new SseParser({
    onEvent(id, buf, start, end) {
      const entry = decode(id, buf, start, end)
      if (entry !== undefined) batch.push(entry)
    },
    onComment() {
      keepalive = true
    },
  })
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      parser.push(chunk)
      if (batch.length > 0 || keepalive) {
        const ready = batch
        batch = []
        keepalive = false
        yield ready
      }
    }
  } finally {
    body.destroy()
  }
  if (parser.incomplete) throw cutStream()
}

const LF = 0x0a

/**
 * Newline-delimited bodies (dcos-log text and NDJSON). Lines are decoded only once complete, so a
 * multi-byte character split across chunks is never broken. A last line without LF is still a line
 * (dcos-log adds the missing newline itself; a body cut by a dropped connection throws instead, via the
 * HTTP client's own error).
 */
export async function* readLines(body: Readable, toEntry: (line: string) => LogEntry | undefined): AsyncIterable<LogEntry[]> {
  let carry: Buffer | undefined
  try {
    for await (const received of body as AsyncIterable<Buffer>) {
      const chunk: Buffer = carry === undefined ? received : Buffer.concat([carry, received])
      carry = undefined
      const batch: LogEntry[] = []
      let pos = 0
      for (let lf = chunk.indexOf(LF); lf >= 0; lf = chunk.indexOf(LF, pos)) {
        const entry = toEntry(chunk.toString('utf8', pos, lf))
        if (entry !== undefined) batch.push(entry)
        pos = lf + 1
      }
      if (pos < chunk.length) carry = chunk.subarray(pos)
      if (batch.length > 0) yield batch
    }
  } finally {
    body.destroy()
  }
  if (carry !== undefined) {
    const entry = toEntry(carry.toString('utf8'))
    if (entry !== undefined) yield [entry]
  }
}

function cutStream(): CliError {
  return new CliError('network', 'the log stream ended in the middle of an event', {retryable: true})
}
