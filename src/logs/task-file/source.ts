/**
 * A task's sandbox file as a LogSource: the steps plan.ts decides, carried out over the Mesos files API
 * (mesos-file.ts, exact) and logging v2's event stream (events.ts, checked). Every line printed is the
 * file's bytes as they are, empty lines included, with the offset of its newline as cursor, so a cursor
 * printed by one route resumes on the other.
 */
import {CliError, isCliError} from '../../errors.js'
import type {HttpClient} from '../../cluster/http.js'
import type {LogEntry, LogSource, OpenRequest, StreamInfo} from '../entry.js'
import {IDLE, idleRace, type Clock} from '../idle-race.js'
import type {LogWindow} from '../sources/window.js'
import {EventCheck, type StreamEnd, checkedEvents} from './events.js'
import {BackwardLineScan, LineAssembler} from './lines.js'
import {MesosFile, fileGone, parseOffset} from './mesos-file.js'
import {type ReadState, type Step, nextStep} from './plan.js'

/**
 * Task streams carry no keepalive and an idle task may be silent for hours, so silence proves nothing:
 * after a minute of it the stream is reopened from its cursor (cheap, nothing repeated), which also
 * catches a half-open connection within a minute.
 */
export const TASK_IDLE_MS = 60_000
/** Silence on the event stream after which the file's size is checked (then twice as long, up to QUIET_MAX_MS). */
const QUIET_MS = 2000
const QUIET_MAX_MS = 15_000
/** dcos-log polls a file about once a second: what the file grew by must have come by then. */
const GRACE_MS = 1500
const LF = 0x0a

export interface TaskFileTarget {
  stream: StreamInfo
  agentId: string
  /** The file's absolute path on the agent, as the files API names it. */
  path: string
  /** Logging v2's route to the same file, where the cluster and the file have one. */
  loggingV2Path?: string
  /** The file and task, for messages: "stdout of task web.1". */
  name: string
}

export interface TaskFileOptions extends Clock {
  /** Files-API polling interval while following without logging v2 (default 1000 ms, as dcos-log and the old CLI). */
  intervalMs?: number
  /** Silence on the event stream before the file's size is checked (default 2 s). */
  quietMs?: number
  /** How long the server then gets to send what the file grew by (default 1.5 s). */
  graceMs?: number
  /** Silence after which the event stream is reopened (default TASK_IDLE_MS). */
  idleMs?: number
  /** The most of a window held in memory (default plan.ts HOLD_BYTES). */
  holdBytes?: number
}

export function createTaskFileSource(http: HttpClient, target: TaskFileTarget, window: LogWindow, options: TaskFileOptions): LogSource {
  const cursor: CursorCheck = {verified: false}
  return {
    stream: target.stream,
    cursorOrder: 'byte-offset',
    open: (request, signal) => new TaskFileRead(http, target, window, request, options, signal, cursor).run(),
  }
}

/**
 * Whether the first cursor a source was opened with (the user's --cursor) was found at a newline of the
 * file. Shared by the source's connections: follow.ts opens the next from the same cursor until a line
 * was printed, and from then on from cursors of this file.
 */
interface CursorCheck {
  verified: boolean
}

/** One connection's worth of reading (follow.ts opens another after any failure, from the last cursor). */
class TaskFileRead {
  private readonly state: ReadState
  private readonly file: MesosFile
  private readonly lines: LineAssembler
  /** Where the assembler stands: the offset of the next byte it expects (-1 before any). */
  private linesAt = -1
  /** The file's size when an unverified cursor lay past its end (the message says so). */
  private sizeBeforeCursor: number | undefined
  private scan: BackwardLineScan | undefined
  /** The window's bytes in hand, [state.heldFrom, state.size). */
  private held: Buffer[] = []
  /** The file's size when a catch-up found no new line in it: the stream is not stuck before that. */
  private partialSeenAt = -1
  /** The last event stream could not be checked, and gave no event that could. */
  private lostBefore = false

  constructor(
    private readonly http: HttpClient,
    private readonly target: TaskFileTarget,
    window: LogWindow,
    request: OpenRequest,
    private readonly options: TaskFileOptions,
    private readonly signal: AbortSignal,
    private readonly cursor: CursorCheck,
  ) {
    this.state = {
      window,
      follow: request.follow,
      loggingV2: target.loggingV2Path !== undefined,
      after: request.after === undefined ? undefined : parseOffset(request.after),
      cursorUnverified: request.after !== undefined && !cursor.verified,
      holdBytes: options.holdBytes,
    }
    this.file = new MesosFile(http, target.agentId, target.path)
    this.lines = new LineAssembler(target.stream)
  }

  async *run(): AsyncGenerator<LogEntry[]> {
    for (let step = nextStep(this.state); step.kind !== 'done'; step = nextStep(this.state)) yield* this.carryOut(step)
  }

  private carryOut(step: Exclude<Step, {kind: 'done'}>): AsyncIterable<LogEntry[]> {
    switch (step.kind) {
      case 'measure':
        return this.measure()
      case 'read-tail':
        return this.readTail(step.from, step.to)
      case 'scan-back':
        return this.scanBack(step.to, step.keepBytes)
      case 'print-held':
        return this.printHeld(step.from, step.finish)
      case 'read-forward':
        return this.readForward(step.from, step.to, step.finish)
      case 'stream-v2':
        return this.streamV2(step.after)
      case 'check-cursor':
        return this.checkCursor(step.after)
      case 'catch-up':
        return this.catchUp(step.after, step.finish)
      case 'finish-rotated':
        return this.finishRotated(step.after)
      case 'poll':
        return this.poll(step.after)
    }
  }

  /** The size every window is taken from. A followed file that does not exist yet is waited for. */
  private async *measure(): AsyncIterable<LogEntry[]> {
    let size = await this.file.size(this.signal)
    while (size === undefined) {
      if (!this.state.follow) throw this.missing()
      yield []
      await this.options.sleep(this.options.intervalMs ?? 1000, this.signal)
      size = await this.file.size(this.signal)
    }
    this.state.size = size
    yield []
  }

  private async *readTail(from: number, to: number): AsyncIterable<LogEntry[]> {
    const {window, follow} = this.state
    const bytes = from === to ? Buffer.alloc(0) : await this.file.read(from, to - from, this.signal)
    if (bytes === undefined) throw this.missing()
    // Read at `to` or before: a file that shrank since it was measured ends the window early.
    const scan = new BackwardLineScan(window.kind === 'tail' ? window.lines : 0, from + bytes.length, !follow)
    this.scan = scan
    this.held = [bytes]
    this.state.heldFrom = from
    this.state.size = from + bytes.length
    this.state.start = scan.feed(bytes, from) ?? (from === 0 ? scan.atFileStart() : undefined)
  }

  private async *scanBack(to: number, keepBytes: number): AsyncIterable<LogEntry[]> {
    const scan = this.scan as BackwardLineScan
    const {start, held, heldFrom} = await this.file.scanBack(scan, to, keepBytes, this.signal)
    if (heldFrom < to) {
      this.held = [...held, ...this.held]
      this.state.heldFrom = heldFrom
    }
    this.state.start = start
  }

  private async *printHeld(from: number, finish: boolean): AsyncIterable<LogEntry[]> {
    this.linesFrom(from)
    let offset = this.state.heldFrom as number
    for (const bytes of this.held) {
      const end = offset + bytes.length
      if (end > from) yield this.lines.push(from > offset ? bytes.subarray(from - offset) : bytes)
      offset = end
    }
    this.held = []
    yield* this.windowPrinted(offset, finish)
  }

  /** Files-API reads of [from, to); the window's end when `to` is its size, else the part before the bytes in hand. */
  private async *readForward(from: number, to: number, finish: boolean): AsyncIterable<LogEntry[]> {
    this.linesFrom(from)
    let end = from
    for await (const bytes of this.file.readForward(from, to, this.signal)) {
      end += bytes.length
      this.linesAt = end
      yield this.lines.push(bytes)
    }
    if (to === this.state.size || end < to) yield* this.windowPrinted(end, finish)
    else this.state.start = to
  }

  /** The window is printed up to `end`: its last line too if it is finished, else that one comes when complete. */
  private *windowPrinted(end: number, finish: boolean): Iterable<LogEntry[]> {
    this.linesAt = end
    if (finish) yield this.lines.finish()
    this.state.printedTo = finish ? end : this.lines.lastNewline + 1
    this.state.start = undefined
  }

  /**
   * The event stream after the newline at `after`, checked event by event (events.ts). Ends when the server
   * ends it (follow.ts reconnects, with its backoff), when it stalls while the file grew (a line of 64 KiB
   * or more, or a cut event with nothing after it: the files API catches up), or when it can no longer be
   * checked; a repair that finds the file replaced hands over to the rotation step.
   */
  private async *streamV2(after: number): AsyncIterable<LogEntry[]> {
    const stop = new AbortController()
    const abort = () => stop.abort(this.signal.reason)
    this.signal.addEventListener('abort', abort, {once: true})
    const check = new EventCheck(after)
    /** A read of the stream still in flight when this step ends (it fails once the stream is aborted). */
    let pending: Promise<IteratorResult<LogEntry[], StreamEnd>> | undefined
    try {
      let opened
      try {
        opened = await this.http.stream(this.target.loggingV2Path as string, {
          headers: {Accept: 'text/event-stream', 'Last-Event-ID': String(after)},
          signal: stop.signal,
          mode: 'stream',
          idleMs: this.options.idleMs ?? TASK_IDLE_MS,
          purpose: `reading ${this.target.name}`,
        })
      } catch (error) {
        // A stream after a cursor sets dcos-log no setup read to fail (a missing file is an endless empty
        // stream): a 404 is the route's, and this cluster has no logging v2.
        if (!isCliError(error) || error.kind !== 'not-found') throw error
        this.state.loggingV2 = false
        return
      }
      const events = checkedEvents(opened.body, this.target.stream, check, (end) => this.repair(check, end))[Symbol.asyncIterator]()
      let quietMs = this.options.quietMs ?? QUIET_MS
      /** The size the file had when the stream fell silent: the server gets graceMs to send up to it. */
      let suspect: number | undefined
      const nextOrQuiet = idleRace(() => (suspect === undefined ? quietMs : (this.options.graceMs ?? GRACE_MS)), stop.signal, this.options)
      for (;;) {
        pending ??= events.next()
        const result = await nextOrQuiet(pending)
        if (result === IDLE) {
          if (suspect !== undefined) {
            this.state.behind = true
            return
          }
          const size = await this.file.size(this.signal)
          if (size !== undefined && size < check.verified + 1) {
            this.state.replaced = true
            return
          }
          if (size === undefined || size === check.verified + 1 || size === this.partialSeenAt) quietMs = Math.min(2 * quietMs, QUIET_MAX_MS)
          else suspect = size
          continue
        }
        pending = undefined
        if (result.done) {
          if (result.value === 'ended') this.state.ended = true
          // Two streams in a row that could not be checked, no event taken from either: the server's fault.
          else if (this.lostBefore && check.accepted === 0) throw result.value
          else {
            this.lostBefore = check.accepted === 0
            this.state.behind = true
          }
          return
        }
        this.state.printedTo = check.verified + 1
        if (check.accepted > 0) this.lostBefore = false
        if (result.value.length === 0) continue
        quietMs = this.options.quietMs ?? QUIET_MS
        suspect = undefined
        yield result.value
      }
    } catch (error) {
      if (!(error instanceof FileReplaced)) throw error
      this.state.replaced = true
    } finally {
      this.signal.removeEventListener('abort', abort)
      stop.abort()
      pending?.catch(() => {})
    }
  }

  /** The file's exact lines after the newline at check.verified, up to the newline at or before `end`. */
  private async *repair(check: EventCheck, end: number): AsyncIterable<LogEntry[]> {
    yield* this.readChecked(check.verified, end + 1)
    check.verified = this.lines.lastNewline
    this.state.printedTo = check.verified + 1
  }

  /**
   * The file's lines from the newline at `after` (-1: the file's start) to `to`, that newline checked first:
   * any other byte there means the file is no longer the one printing stands in (FileReplaced).
   */
  private async *readChecked(after: number, to: number): AsyncIterable<LogEntry[]> {
    this.linesFrom(after + 1)
    let first = after >= 0
    let end = after + 1
    for await (let bytes of this.file.readForward(Math.max(after, 0), to, this.signal)) {
      if (first) {
        if (bytes[0] !== LF) throw new FileReplaced()
        this.cursorFound()
        bytes = bytes.subarray(1)
        first = false
      }
      end += bytes.length
      this.linesAt = end
      yield this.lines.push(bytes)
    }
    if (first) throw new FileReplaced()
  }

  private async *checkCursor(after: number): AsyncIterable<LogEntry[]> {
    this.state.cursorProbed = true
    const bytes = await this.file.read(after, 1, this.signal)
    if (bytes?.[0] === LF) this.cursorFound()
  }

  /** The files API takes over from the newline at `after` to the file's size (a stalled stream, a resume). */
  private async *catchUp(after: number, finish: boolean): AsyncIterable<LogEntry[]> {
    const size = await this.file.size(this.signal)
    if (size === undefined) {
      if (finish) throw this.missing()
      // Between logrotate's rename and the new file: the next step looks again.
      yield []
      await this.options.sleep(this.options.intervalMs ?? 1000, this.signal)
      return
    }
    if (size < after + 1) {
      if (this.state.cursorUnverified) this.sizeBeforeCursor = size
      this.state.replaced = true
      return
    }
    try {
      yield* this.readChecked(after, size)
    } catch (error) {
      if (!(error instanceof FileReplaced)) throw error
      this.state.replaced = true
      return
    }
    if (this.lines.lastNewline === after) this.partialSeenAt = size
    this.state.behind = false
    yield* this.windowPrinted(size, finish)
  }

  /**
   * After logrotate renamed the file to `<file>.1` and started a new one: the old file's rest from
   * `<file>.1` (if that is still the file printing stood in), then the new file from its start, its first
   * line marked `restarted` so a resume does not take its small offset for an old one.
   */
  private async *finishRotated(after: number): AsyncIterable<LogEntry[]> {
    const rotated = new MesosFile(this.http, this.target.agentId, `${this.target.path}.1`)
    const size = await rotated.size(this.signal)
    if (size !== undefined && size >= after + 1) {
      try {
        this.linesFrom(after + 1)
        let first = after >= 0
        for await (let bytes of rotated.readForward(Math.max(after, 0), size, this.signal)) {
          if (first) {
            if (bytes[0] !== LF) throw new FileReplaced()
            this.cursorFound()
            bytes = bytes.subarray(1)
            first = false
          }
          yield this.lines.push(bytes)
        }
        yield this.lines.finish()
      } catch (error) {
        if (!(error instanceof FileReplaced)) throw error
      }
    }
    // Neither the file nor the one rotated before it has the user's cursor at a newline.
    if (this.state.cursorUnverified) throw this.cursorNotFound(after)
    this.lines.restart(0, true)
    this.linesAt = 0
    Object.assign(this.state, {replaced: false, behind: true, printedTo: 0})
  }

  /**
   * Files-API polling from the newline at `after`: the only way to follow without logging v2, and the way
   * until the file has a newline to stream after. Each poll is a catch-up (the newline checked), so a file
   * replaced in between is seen whatever its size.
   */
  private async *poll(after: number): AsyncIterable<LogEntry[]> {
    const intervalMs = this.options.intervalMs ?? 1000
    // Waiting for the first newline before logging v2 takes over: a task that just started (one that joins a
    // follow) writes within moments, so look again soon, then back off to the usual pace.
    let waitMs = this.state.loggingV2 ? Math.min(100, intervalMs) : intervalMs
    for (let at = after; ; at = (this.state.printedTo ?? at + 1) - 1) {
      yield* this.catchUp(at, false)
      if (this.state.replaced || (this.state.loggingV2 && (this.state.printedTo ?? 0) > 0)) return
      yield []
      await this.options.sleep(waitMs, this.signal)
      waitMs = Math.min(waitMs * 2, intervalMs)
    }
  }

  /** Positions the assembler at `offset`, unless it already stands there (a line started before is kept). */
  private linesFrom(offset: number): void {
    if (this.linesAt === offset) return
    this.lines.restart(offset)
    this.linesAt = offset
  }

  private missing(): CliError {
    return fileGone(this.target.path)
  }

  private cursorFound(): void {
    this.cursor.verified = true
    this.state.cursorUnverified = false
  }

  private cursorNotFound(after: number): CliError {
    const hint = 'resume with the cursor printed for this task and file, or read from the start with --lines all'
    if (this.sizeBeforeCursor !== undefined) {
      return new CliError('usage', `--cursor ${after} is past the end of ${this.target.name} (${this.sizeBeforeCursor} bytes)`, {hint})
    }
    return new CliError('usage', `--cursor ${after} is not where a line of ${this.target.name} ends: it is from another file, or the file was rotated since`, {hint})
  }
}

/** The byte where a newline stood is something else now: the file was replaced (logrotate). */
class FileReplaced extends Error {}
