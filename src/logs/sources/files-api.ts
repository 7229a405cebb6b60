/**
 * Task files over the Mesos agent files API (`/agent/{id}/files/read` behind Admin Router): the fallback
 * for clusters without logging v2, the only way to read nested sandbox paths (`logs/app.log`), and the
 * exact reader logging v2 borrows when the server's own window would be wrong (v2-task.ts).
 *
 * Cursor: the byte offset of a line's terminating newline, the same value the logging v2 event stream
 * uses as its id, so a cursor printed by one transport resumes on the other. A last line without newline
 * (only emitted when not following, or when the task has ended) gets the offset where its newline would
 * go. Reading "after cursor C" reads from byte C itself: at a newline that is an empty segment, dropped.
 *
 * Lines: split on LF, empty lines dropped, as dcos-log does, so every transport prints the same lines.
 * Offsets are bytes: Mesos puts the raw file bytes in a JSON string, so the body is decoded as latin1
 * (one char per byte) before JSON.parse, which gives back exactly the bytes of `data` (escapes such as
 * `\/` from Mesos <= 1.6 included) without a chunk edge inside a multi-byte character ever breaking it;
 * lines are decoded as UTF-8 only once complete.
 */
import {CliError} from '../../cluster/errors.js'
import {type HttpClient, encodePath} from '../../cluster/http.js'
import type {LogEntry, LogSource, OpenRequest, StreamInfo} from '../entry.js'
import type {LogWindow} from './window.js'

/** Mesos caps one read at 16 pages. */
export const MESOS_READ_CAP = 65536
/** Reads a backward scan keeps in flight at most (a local agent answers 64 KiB in about a millisecond). */
const SCAN_READS_IN_FLIGHT = 8
const LF = 0x0a

export interface FilesApiTarget {
  stream: StreamInfo
  agentId: string
  /** Absolute path on the agent: the sandbox directory joined with the file, e.g. `<dir>/logs/app.log`. */
  path: string
}

export interface FilesApiOptions {
  /** Poll interval while following (default 1000 ms, as dcos-log and the old CLI). */
  intervalMs?: number
  /** Injected so tests do not wait; rejects when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** One file on one agent, read in Mesos-sized windows. */
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
   * Where the last `lines` non-empty lines start, scanning backwards in 64 KiB reads (exact however long
   * the lines or how many empty lines lie between them). With `includePartial` a last line without
   * newline counts as a line; otherwise it is skipped (and a window of 0 lines starts at it, so it is
   * shown once its newline arrives).
   */
  async windowStart(lines: number, end: number, includePartial: boolean, signal: AbortSignal): Promise<number> {
    const scan = new BackwardLineScan(lines, end, includePartial)
    return scan.start ?? (await this.scanBack(scan, end, false, signal)).start
  }

  /**
   * Feeds `scan` the file's bytes before `end`, read backwards, until it finds its start (0 when the file's
   * start comes first); with `keep`, also resolves to the bytes from that start to `end`. Several reads are
   * in flight at once (one per round trip would make a 10 MB window ~150 round trips), as many as the lines
   * still missing probably need, at most SCAN_READS_IN_FLIGHT; the ones not needed are aborted.
   */
  async scanBack(scan: BackwardLineScan, end: number, keep: boolean, signal: AbortSignal): Promise<{start: number; bytes: Buffer[]}> {
    const reads = new AbortController()
    const stop = () => reads.abort(signal.reason)
    signal.addEventListener('abort', stop, {once: true})
    const inFlight: Array<{from: number; bytes: Promise<Buffer | undefined>}> = []
    const kept: Buffer[] = []
    const counted = scan.counted
    let requestedFrom = end
    try {
      for (let pos = end, scanned = 0; pos > 0; pos = inFlight.shift()!.from, scanned++) {
        const found = scan.counted - counted
        const wanted = found === 0 ? 2 ** scanned : Math.ceil(((scan.lines - scan.counted) * scanned) / found)
        while (inFlight.length < Math.min(Math.max(wanted, 1), SCAN_READS_IN_FLIGHT) && requestedFrom > 0) {
          const from = Math.max(0, requestedFrom - MESOS_READ_CAP)
          const bytes = this.read(from, requestedFrom - from, reads.signal)
          // Awaited in order below; one that fails while an earlier one is awaited must not go unhandled.
          bytes.catch(() => {})
          inFlight.push({from, bytes})
          requestedFrom = from
        }
        const {from} = inFlight[0]
        const bytes = await inFlight[0].bytes
        if (bytes === undefined) throw fileGone(this.path)
        const start = scan.feed(bytes, from, pos - from)
        if (keep) kept.push(bytes.subarray(start === undefined ? 0 : start - from, pos - from))
        if (start !== undefined) return {start, bytes: kept.reverse()}
      }
      return {start: 0, bytes: kept.reverse()}
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
    })
    const parts: Buffer[] = []
    for await (const part of body as AsyncIterable<Buffer>) parts.push(part)
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

export function createFilesApiSource(http: HttpClient, target: FilesApiTarget, window: LogWindow, options: FilesApiOptions): LogSource {
  const file = new MesosFile(http, target.agentId, target.path)
  const rotated = new MesosFile(http, target.agentId, `${target.path}.1`)
  const intervalMs = options.intervalMs ?? 1000
  return {
    stream: target.stream,
    cursorOrder: 'byte-offset',
    async *open(request: OpenRequest, signal: AbortSignal): AsyncIterable<LogEntry[]> {
      const lines = new LineAssembler(target.stream)
      let next: number
      if (request.after !== undefined) {
        next = parseOffset(request.after)
        lines.restart(next)
        if (request.follow && (await replacedSince(file, next, signal))) {
          yield* finishRotated(rotated, next, lines, signal)
          next = 0
        }
      } else {
        let size = await file.size(signal)
        if (size === undefined && !request.follow) throw fileGone(target.path)
        while (size === undefined) {
          await options.sleep(intervalMs, signal)
          size = await file.size(signal)
          yield []
        }
        next = window.kind === 'all' ? 0 : await file.windowStart(window.lines, size, !request.follow, signal)
        lines.restart(next)
      }
      yield []
      for (;;) {
        const bytes = await file.read(next, MESOS_READ_CAP, signal)
        if (bytes === undefined && !request.follow) throw fileGone(target.path)
        if (bytes !== undefined && bytes.length > 0) {
          next += bytes.length
          yield lines.push(bytes)
          continue
        }
        if (!request.follow) {
          yield lines.finish()
          return
        }
        // Caught up. Rotation (logrotate renames stdout to stdout.1 and starts a new stdout) shows as a
        // file smaller than our position: finish the old file's tail from stdout.1, then start at 0.
        const size = bytes === undefined ? undefined : await file.size(signal)
        if (size !== undefined && size < next) {
          yield* finishRotated(rotated, next, lines, signal)
          next = 0
          continue
        }
        yield []
        await options.sleep(intervalMs, signal)
      }
    },
  }
}

/**
 * Whether the file at `path` is no longer the one a cursor was taken in: a cursor is the offset of a
 * line's newline, so any other byte there (or a file now shorter than that) means logrotate replaced it.
 * A file that does not exist (yet) has not been replaced.
 */
export async function replacedSince(file: MesosFile, cursor: number, signal: AbortSignal): Promise<boolean> {
  const byte = await file.read(cursor, 1, signal)
  return byte !== undefined && !(byte.length === 1 && byte[0] === LF)
}

/**
 * After logrotate renamed the file to `<file>.1` and started a new one: the old file's lines from `from`
 * (read from `<file>.1` by an assembler positioned there), then the assembler is set to the new file's start, its first line marked
 * `restarted` so a resume does not take its small offset for an old one.
 */
export async function* finishRotated(rotated: MesosFile, from: number, lines: LineAssembler, signal: AbortSignal): AsyncIterable<LogEntry[]> {
  for (let next = from; ; ) {
    const tail = await rotated.read(next, MESOS_READ_CAP, signal)
    if (tail === undefined || tail.length === 0) break
    next += tail.length
    yield lines.push(tail)
  }
  yield lines.finish()
  lines.restart(0, true)
}

/**
 * Counts non-empty lines backwards from a file's end, fed with the bytes before everything fed so far,
 * to find where the last `lines` of them start. With `includePartial` a last line without newline counts
 * as a line; otherwise it is skipped (and a window of 0 lines starts at it).
 */
export class BackwardLineScan {
  /** Where the window starts, once found. */
  start: number | undefined
  /** Non-empty lines counted so far. */
  counted = 0
  private lineEnd: number
  private inPartial: boolean

  constructor(
    readonly lines: number,
    end: number,
    includePartial: boolean,
  ) {
    this.lineEnd = end
    this.inPartial = !includePartial
    if (lines === 0 && includePartial) this.start = end
  }

  /** Scans `bytes` (the file's bytes from offset `from`, up to `length` of them); returns the start once found. */
  feed(bytes: Buffer, from: number, length = bytes.length): number | undefined {
    const last = Math.min(length, bytes.length) - 1
    for (let i = last >= 0 ? bytes.lastIndexOf(LF, last) : -1; i >= 0 && this.start === undefined; i = i > 0 ? bytes.lastIndexOf(LF, i - 1) : -1) {
      const lf = from + i
      if (this.inPartial) {
        this.inPartial = false
        if (this.lines === 0) this.start = lf + 1
      } else if (this.lineEnd > lf + 1 && ++this.counted === this.lines) {
        this.start = lf + 1
      }
      this.lineEnd = lf
    }
    return this.start
  }

  /**
   * Moves the bytes fed so far `by` bytes later: they were fed at provisional offsets (an answer whose
   * place in the file is known only once the bytes before it are read).
   */
  rebase(by: number): void {
    this.lineEnd += by
  }
}

/**
 * A text answer's chunks with their newlines counted as they arrive (while the read waits on the
 * network), so that once it ends, where its last N lines start is found by walking the counts back
 * instead of scanning every byte again (BackwardLineScan over 10 MB: ~20 ms, its code cold). The counts
 * say lines only where no line is empty, as dcos-log sends them: `plain` is false otherwise.
 */
export class NewlineCount {
  readonly chunks: Buffer[] = []
  private readonly counts: number[] = []
  plain = true
  private size = 0
  /** Offset of the last newline; -1 at first, so that an answer starting with one is not plain. */
  private lastLf = -1

  push(chunk: Buffer): void {
    let count = 0
    for (let lf = chunk.indexOf(LF); lf >= 0; lf = chunk.indexOf(LF, lf + 1)) {
      if (this.size + lf <= this.lastLf + 1) this.plain = false
      this.lastLf = this.size + lf
      count++
    }
    this.chunks.push(chunk)
    this.counts.push(count)
    this.size += chunk.length
  }

  /**
   * The last `lines` lines (a last one without newline counts), starting after a newline, as chunks; or
   * undefined when fewer follow the first newline. Only for a `plain` answer.
   */
  lastLines(lines: number): Buffer[] | undefined {
    let after = this.size > 0 && this.lastLf !== this.size - 1 ? 1 : 0
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      // The newline before the window is the (lines - after + 1)-th from this chunk's end, if it has that many.
      const fromEnd = lines - after + 1
      if (fromEnd <= this.counts[i]) {
        const chunk = this.chunks[i]
        let lf = chunk.length
        for (let k = 0; k < fromEnd; k++) lf = chunk.lastIndexOf(LF, lf - 1)
        return [chunk.subarray(lf + 1), ...this.chunks.slice(i + 1)]
      }
      after += this.counts[i]
    }
    return undefined
  }
}

/** Cuts raw bytes into non-empty lines with byte-offset cursors, keeping an unterminated tail. */
export class LineAssembler {
  private partial: Buffer[] = []
  /** Absolute offset of the first byte not yet consumed. */
  private offset = 0
  /** Mark the next line as the first of a new (rotated-in) file. */
  private newFile = false

  constructor(private readonly stream: StreamInfo) {}

  restart(offset: number, newFile = false): void {
    this.partial = []
    this.offset = offset
    this.newFile = newFile
  }

  push(bytes: Buffer): LogEntry[] {
    const batch: LogEntry[] = []
    let pos = 0
    for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, pos)) {
      let message: string
      if (this.partial.length > 0) {
        this.partial.push(bytes.subarray(pos, lf))
        message = Buffer.concat(this.partial).toString('utf8')
        this.partial = []
      } else {
        message = bytes.toString('utf8', pos, lf)
      }
      if (message.length > 0) {
        const entry: LogEntry = {stream: this.stream, message, cursor: String(this.offset + lf)}
        if (this.newFile) {
          entry.restarted = true
          this.newFile = false
        }
        batch.push(entry)
      }
      pos = lf + 1
    }
    if (pos < bytes.length) this.partial.push(bytes.subarray(pos))
    this.offset += bytes.length
    return batch
  }

  /** The unterminated last line, if any, as a line of its own (end of a finished file). */
  finish(): LogEntry[] {
    if (this.partial.length === 0) return []
    const message = Buffer.concat(this.partial).toString('utf8')
    this.partial = []
    return message.length > 0 ? [{stream: this.stream, message, cursor: String(this.offset)}] : []
  }
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
