/**
 * The plain sink (text and NDJSON alike: only the renderer differs) and the pieces every sink shares:
 * resume points for the "Resume with" line, and stderr notices for stream state changes.
 *
 * Each batch of entries becomes one stdout.write; when write() returns false the returned promise waits
 * for 'drain', so a slow reader slows the sources instead of filling memory. Nothing is kept after it
 * is written.
 */
import type {Writable} from 'node:stream'
import type {LogEntry, LogEvent, Sink, StreamInfo, StreamState, StreamStatus} from '../logs/entry.js'
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
 * The lines to print on stderr after an interrupted follow, e.g. `Resume with: --cursor 12345`; one line
 * per stream, naming it, when there are several. Empty when no cursor was seen.
 */
export function formatResumeHint(points: readonly ResumePoint[]): string {
  if (points.length === 1) return `Resume with: --cursor ${shellWord(points[0].cursor)}\n`
  return points
    .map((point) => `Resume ${terminalSafe(point.stream.label)} with: --cursor ${shellWord(point.cursor)}\n`)
    .join('')
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
      return undefined
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
    if (line !== undefined) this.io.stderr.write(`${this.safe ? terminalSafe(line) : line}\n`)
  }
}

/** Renders a batch to one string, skipping lines the filter rejects. */
export function renderBatch(entries: readonly LogEntry[], render: EntryRenderer, filter: LineFilter | undefined): string {
  let chunk = ''
  for (const entry of entries) if (filter === undefined || filter(entry.message)) chunk += render(entry)
  return chunk
}

/** Text or NDJSON to stdout (one write per batch), notices to stderr. */
export class PlainSink implements OutputSink {
  private readonly resume = new ResumeTracker()

  /** @param encode when given (no filter), batches are written as the bytes it makes instead of rendered text. */
  constructor(
    private readonly io: IO,
    private readonly render: EntryRenderer,
    private readonly filter: LineFilter | undefined,
    private readonly notices: StatusNotices,
    private readonly encode?: BatchEncoder,
  ) {}

  write(event: LogEvent): void | Promise<void> {
    if (event.type === 'status') {
      this.resume.noteStatus(event.status)
      this.notices.write(event.status)
      return
    }
    this.resume.noteEntries(event.entries)
    if (this.io.closed.aborted) return
    const chunk = this.encode === undefined ? renderBatch(event.entries, this.render, this.filter) : this.encode(event.entries)
    if (chunk.length > 0 && !this.io.stdout.write(chunk)) return whenDrained(this.io.stdout, this.io.closed)
  }

  async close(): Promise<void> {
    if ((this.io.stdout as Writable).writableNeedDrain) await whenDrained(this.io.stdout, this.io.closed)
  }

  resumePoints(): ResumePoint[] {
    return this.resume.points()
  }
}
