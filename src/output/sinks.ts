/**
 * The plain sink (text and NDJSON alike: only the renderer differs) and the pieces every sink shares:
 * resume points for the "Resume with" line, and stderr notices for stream state changes.
 *
 * Each batch of entries becomes one chunk of output, and the chunks of one turn of the event loop go out
 * together (TurnWriter). When stdout holds more than it can take, the returned promise waits for 'drain',
 * so a slow reader slows the sources instead of filling memory. Nothing is kept after it is written.
 */
import type {Writable} from 'node:stream'
import type {LogEntry, Sink, SinkEvent, StreamInfo, StreamState, StreamStatus} from '../logs/entry.js'
import type {BatchEncoder, EntryRenderer} from './format.js'
import type {LineFilter} from './filter.js'
import {whenDrained, type IO} from './io.js'
import {terminalSafe} from './sanitize.js'

export interface ResumePoint {
  stream: StreamInfo
  cursor: string
}

/** What every sink returned by createSink offers beyond Sink. */
export interface OutputSink extends Sink {
  /** The last cursor seen per stream (shown or filtered out), for formatResumeHint after Ctrl-C. */
  resumePoints(): ResumePoint[]
}

/** Remembers the last cursor per stream. */
export class ResumeTracker {
  private readonly cursors = new Map<StreamInfo, string>()

  /** A batch is of one stream (follow passes them on per stream): its last cursor is the one to keep. */
  noteEntries(entries: readonly LogEntry[]): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      const {cursor} = entries[i]
      if (cursor !== undefined) return void this.cursors.set(entries[i].stream, cursor)
    }
  }

  noteStatus(status: StreamStatus): void {
    if (status.cursor !== undefined) this.cursors.set(status.stream, status.cursor)
  }

  points(): ResumePoint[] {
    return [...this.cursors].map(([stream, cursor]) => ({stream, cursor}))
  }
}

/** Quotes a value for a POSIX shell only when it needs it (journal cursors hold `;`). */
function shellWord(value: string): string {
  return /^[\w.,:=+/@%-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`
}

/**
 * How to run a command again from where it stopped: its words as the user typed them, less where it
 * started (--lines, --cursor, ...), to which the cursors are added.
 */
export interface ResumeCommand {
  words: readonly string[]
  /**
   * Each cursor names its stream (`--cursor web.1=4821`, task log): it resumes every stream, however
   * many match when it runs again. Otherwise there is one stream and the cursor is given bare.
   */
  labelled: boolean
}

/**
 * The line to print on stderr after an interrupted read: one command that resumes every stream exactly,
 * e.g. `Resume with: dcos-ts task log web --follow --cursor web.1=4821 --cursor web.2=977`. Each word is
 * quoted for a POSIX shell where it needs it, so the line can be copied as it is and split by a script.
 * Empty when no cursor was seen.
 */
export function formatResumeHint(points: readonly ResumePoint[], command: ResumeCommand): string {
  if (points.length === 0) return ''
  const cursors = points.flatMap((point) => ['--cursor', command.labelled ? `${point.stream.label}=${point.cursor}` : point.cursor])
  return `Resume with: ${terminalSafe([...command.words, ...cursors].map(shellWord).join(' '))}\n`
}

/**
 * The stderr line for a state change worth telling, or undefined. Initial connects and plain "live" are
 * silent; a return to live after reconnecting is told, and so is the end of a stream while following
 * (when not following every stream ends, which is no news).
 */
export function describeStatus(status: StreamStatus, previous: StreamState | undefined, follow: boolean): string | undefined {
  const {label} = status.stream
  const detail = status.detail
  switch (status.state) {
    case 'reconnecting':
      return `reconnecting to ${label}${status.attempt ? ` (attempt ${status.attempt})` : ''}${detail ? `: ${detail}` : ''}`
    case 'live':
      return previous === 'reconnecting' ? `reconnected to ${label}` : undefined
    case 'ended':
      // Ctrl-C ends every stream: the resume hint that follows says all there is to say.
      return follow && detail !== 'interrupted' ? `${label} ended${detail ? ` (${detail})` : ''}` : undefined
    case 'failed':
      return `${label} failed${detail ? `: ${detail}` : ''}`
    case 'connecting':
      // A stream that joins a follow later says why (a task that started).
      return detail === undefined ? undefined : `following ${label} (${detail})`
  }
}

/** Writes describeStatus lines to stderr, escaped when stderr is a terminal. */
export class StatusNotices {
  private readonly states = new Map<string, StreamState>()

  constructor(
    private readonly io: IO,
    private readonly follow: boolean,
    private readonly safe: boolean,
  ) {}

  write(status: StreamStatus): void {
    const line = describeStatus(status, this.states.get(status.stream.id), this.follow)
    this.states.set(status.stream.id, status.state)
    if (line !== undefined) this.line(line)
  }

  line(text: string): void {
    this.io.stderr.write(`${this.safe ? terminalSafe(text) : text}\n`)
  }
}

/** Renders a batch to one string, skipping lines the filter rejects. */
export function renderBatch(entries: readonly LogEntry[], render: EntryRenderer, filter: LineFilter | undefined): string {
  let chunk = ''
  for (const entry of entries) if (filter === undefined || filter(entry.message)) chunk += render(entry)
  return chunk
}

/** Held by TurnWriter before it writes: four pipe buffers' worth. */
export const COALESCE_BYTES = 256 * 1024

/**
 * Output flushed once per turn of the event loop, or once it holds COALESCE_BYTES: the batches of every
 * network chunk read in that turn reach the reader in one write (cork/uncork: one writev, no copy). A
 * write to a pipe costs a wakeup of the reader, and a batch per chunk meant ~16 KB writes, a fifth of a
 * full-speed follow's CPU (docs/performance.md, Follow throughput). A line waits at most for the rest of the
 * turn it arrived in.
 */
export class TurnWriter {
  private flushing: NodeJS.Immediate | undefined

  constructor(
    private readonly out: Writable,
    private readonly closed: AbortSignal,
  ) {}

  write(chunk: string | Buffer | readonly Buffer[]): void | Promise<void> {
    if (this.flushing === undefined) {
      this.out.cork()
      this.flushing = setImmediate(() => this.flush())
    }
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) this.out.write(chunk)
    else for (const part of chunk) this.out.write(part)
    if (this.out.writableLength < COALESCE_BYTES) return
    this.flush()
    if (this.out.writableNeedDrain) return whenDrained(this.out, this.closed)
  }

  /** Writes what is held now (before a notice on stderr, which may be the same terminal, and at the end). */
  flush(): void {
    if (this.flushing === undefined) return
    clearImmediate(this.flushing)
    this.flushing = undefined
    this.out.uncork()
  }

  async close(): Promise<void> {
    this.flush()
    if (this.out.writableNeedDrain) await whenDrained(this.out, this.closed)
  }
}

/** Text or NDJSON to stdout (one chunk per batch, one write per turn), notices to stderr. */
export class PlainSink implements OutputSink {
  private readonly resume = new ResumeTracker()
  private readonly out: TurnWriter

  /** @param encode when given (no filter), batches are written as the bytes it makes instead of rendered text. */
  constructor(
    private readonly io: IO,
    private readonly render: EntryRenderer,
    private readonly filter: LineFilter | undefined,
    private readonly notices: StatusNotices,
    private readonly encode?: BatchEncoder,
  ) {
    this.out = new TurnWriter(io.stdout as Writable, io.closed)
  }

  write(event: SinkEvent): void | Promise<void> {
    if (event.type === 'status') {
      this.resume.noteStatus(event.status)
      this.out.flush()
      this.notices.write(event.status)
      return
    }
    if (event.type === 'notice') {
      this.out.flush()
      this.notices.line(event.text)
      return
    }
    this.resume.noteEntries(event.entries)
    if (this.io.closed.aborted) return
    const chunk = this.encode === undefined ? renderBatch(event.entries, this.render, this.filter) : this.encode(event.entries)
    if (chunk.length > 0) return this.out.write(chunk)
  }

  close(): Promise<void> {
    return this.out.close()
  }

  resumePoints(): ResumePoint[] {
    return this.resume.points()
  }
}
