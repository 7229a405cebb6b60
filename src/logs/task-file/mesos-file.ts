/**
 * One sandbox file over the Mesos agent files API (`/agent/{id}/files/read` behind Admin Router): every
 * byte exactly as the file holds it, in reads of at most 64 KiB. It is the ground truth task files are
 * read from; logging v2 is only a fast path checked against it (events.ts).
 *
 * Mesos puts the raw bytes in a JSON string, so the body is decoded as latin1 (one char per byte) before
 * JSON.parse, which gives back exactly the bytes of `data` (escapes such as `\/` from Mesos <= 1.6
 * included) without a chunk edge inside a multi-byte character ever breaking it.
 */
import {CliError} from '../../errors.js'
import type {HttpClient} from '../../cluster/http.js'
import {encodePath} from '../../cluster/url.js'
import type {BackwardLineScan} from './lines.js'

/** Mesos caps one read at 16 pages. */
export const MESOS_READ_CAP = 65536
/**
 * The largest answer to one read that is taken: 64 KiB of data, each byte at most a six-character JSON
 * escape, and room for the rest. A longer one is not from Mesos, and is not held.
 */
const ANSWER_MAX_BYTES = 6 * MESOS_READ_CAP + 4096
/** Reads kept in flight at most (a local agent answers 64 KiB in about a millisecond; a distant one in a round trip). */
const READS_IN_FLIGHT = 8

export class MesosFile {
  constructor(
    private readonly http: HttpClient,
    readonly agentId: string,
    readonly path: string,
  ) {}

  /** Size in bytes, or undefined when the file does not exist (yet). */
  async size(signal: AbortSignal): Promise<number | undefined> {
    const answer = await this.request({offset: -1}, signal)
    return answer?.offset
  }

  /** Up to `length` (<= 64 KiB) raw bytes from `offset`; empty at or past the end; undefined when missing. */
  async read(offset: number, length: number, signal: AbortSignal): Promise<Buffer | undefined> {
    const answer = await this.request({offset, length}, signal)
    return answer?.data
  }

  /**
   * The bytes [from, to) in order, as they arrive, several reads in flight. Ends early where the file
   * ends before `to` (it was truncated); throws when it is gone.
   */
  async *readForward(from: number, to: number, signal: AbortSignal): AsyncIterable<Buffer> {
    const reads = new AbortController()
    const stop = () => reads.abort(signal.reason)
    signal.addEventListener('abort', stop, {once: true})
    const inFlight: Array<{length: number; bytes: Promise<Buffer | undefined>}> = []
    let requested = from
    try {
      for (;;) {
        while (inFlight.length < READS_IN_FLIGHT && requested < to) {
          const length = Math.min(MESOS_READ_CAP, to - requested)
          const bytes = this.read(requested, length, reads.signal)
          // Awaited in order below; one that fails while an earlier one is awaited must not go unhandled.
          bytes.catch(() => {})
          inFlight.push({length, bytes})
          requested += length
        }
        const next = inFlight.shift()
        if (next === undefined) return
        const bytes = await next.bytes
        if (bytes === undefined) throw fileGone(this.path)
        if (bytes.length > 0) yield bytes
        if (bytes.length < next.length) return
      }
    } finally {
      signal.removeEventListener('abort', stop)
      reads.abort()
    }
  }

  /**
   * Feeds `scan` the file's bytes before `end`, read backwards, until it finds its start (0 when the file's
   * start comes first). Keeps the bytes from that start to `end` while they stay within `keepBytes`
   * (`held` then starts where the kept bytes do). Several reads are in flight at once (one per round trip
   * would make a 10 MB window ~150 round trips), as many as the lines still missing probably need, at
   * most READS_IN_FLIGHT; the ones not needed are aborted.
   */
  async scanBack(scan: BackwardLineScan, end: number, keepBytes: number, signal: AbortSignal): Promise<{start: number; held: Buffer[]; heldFrom: number}> {
    const reads = new AbortController()
    const stop = () => reads.abort(signal.reason)
    signal.addEventListener('abort', stop, {once: true})
    const inFlight: Array<{from: number; bytes: Promise<Buffer | undefined>}> = []
    const held: Buffer[] = []
    let heldFrom = end
    let requestedFrom = end
    try {
      for (let pos = end, scanned = 0; pos > 0; pos = inFlight.shift()!.from, scanned++) {
        // The reads the lines still missing probably take, at the density of the lines found so far.
        const wanted = scan.counted === 0 ? 2 ** scanned : Math.ceil(((scan.lines - scan.counted) * (scan.end - pos)) / scan.counted / MESOS_READ_CAP)
        while (inFlight.length < Math.min(Math.max(wanted, 1), READS_IN_FLIGHT) && requestedFrom > 0) {
          const from = Math.max(0, requestedFrom - MESOS_READ_CAP)
          const bytes = this.read(from, requestedFrom - from, reads.signal)
          bytes.catch(() => {})
          inFlight.push({from, bytes})
          requestedFrom = from
        }
        const {from} = inFlight[0]
        const bytes = await inFlight[0].bytes
        if (bytes === undefined) throw fileGone(this.path)
        const start = scan.feed(bytes, from, pos - from)
        const keepFrom = start ?? from
        if (heldFrom === pos && end - keepFrom <= keepBytes) {
          held.push(bytes.subarray(keepFrom - from, pos - from))
          heldFrom = keepFrom
        }
        if (start !== undefined) return {start, held: held.reverse(), heldFrom}
      }
      return {start: scan.atFileStart(), held: held.reverse(), heldFrom}
    } finally {
      signal.removeEventListener('abort', stop)
      reads.abort()
    }
  }

  private async request(query: {offset: number; length?: number}, signal: AbortSignal) {
    const {response, body} = await this.http.stream(encodePath('agent', this.agentId, 'files', 'read'), {
      query: {path: this.path, ...query},
      signal,
      allowStatuses: [404],
      purpose: `reading ${this.path} on agent ${this.agentId}`,
      expectJson: true,
    })
    const parts: Buffer[] = []
    let size = 0
    for await (const part of body as AsyncIterable<Buffer>) {
      size += part.length
      if (size > ANSWER_MAX_BYTES) {
        body.destroy()
        throw new CliError('protocol', `the agent's files API answered more than ${ANSWER_MAX_BYTES} bytes for one read of ${this.path}`)
      }
      parts.push(part)
    }
    if (response.status === 404) return undefined
    return decodeReadAnswer(Buffer.concat(parts), this.path)
  }
}

/** `{"data": "...", "offset": n}` with `data` as the file's raw bytes. */
export function decodeReadAnswer(body: Buffer, path: string): {data: Buffer; offset: number} {
  let answer: {data?: unknown; offset?: unknown}
  try {
    answer = JSON.parse(body.toString('latin1')) as typeof answer
  } catch {
    throw new CliError('protocol', `the agent's files API answered something that is not JSON for ${path}`)
  }
  if (typeof answer?.data !== 'string' || typeof answer.offset !== 'number') {
    throw new CliError('protocol', `the agent's files API answer for ${path} has no data and offset`)
  }
  // A \uXXXX escape above 0xff cannot be a raw byte: that server escaped text, not bytes.
  const data = /[^\x00-\xff]/.test(answer.data) ? Buffer.from(answer.data, 'utf8') : Buffer.from(answer.data, 'latin1')
  return {data, offset: answer.offset}
}

export function parseOffset(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor)) {
    throw new CliError('usage', `"${cursor}" is not a task log cursor (a byte offset, as printed when a follow stops)`)
  }
  return Number(cursor)
}

export function fileGone(path: string): CliError {
  return new CliError('not-found', `${path} does not exist in the sandbox (yet)`)
}
