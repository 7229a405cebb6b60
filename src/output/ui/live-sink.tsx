/**
 * The live view: log lines scroll above a footer (LiveView) that shows every stream's state. Only for a
 * terminal, and only loaded through createSink's dynamic import.
 *
 * Lines never go through React state or <Static> (far too slow, and its history grows without bound):
 * they are rendered to text, gathered, and written at most ~30 times a second through Ink's stdout
 * writer (useStdout().write), which erases the footer, writes the lines and redraws the footer. The
 * footer itself is re-rendered four times a second from counters updated per batch, and at once when the
 * terminal is resized. Streams are named as their lines' prefixes name them (StreamNames: short task ids).
 * When stderr is not the terminal, it gets the status lines a plain follow prints, in full.
 */
import React from 'react'
import {render as mountInk, useInput, useStdout, type Instance} from 'ink'
import type {SinkEvent, StreamInfo} from '../../logs/entry.js'
import type {EntryRenderer} from '../format.js'
import type {LineFilter} from '../filter.js'
import {whenDrained, type IO} from '../io.js'
import {terminalSafe} from '../sanitize.js'
import {renderBatch, ResumeTracker, StatusNotices, type OutputSink, type ResumePoint} from '../sinks.js'
import type {StreamNames} from '../stream-names.js'
import {LiveView, noticeLine, type StreamView} from './LiveView.js'

/** Lines are flushed this often (about 30 fps)... */
const LINE_FLUSH_MS = 33
/** ...or at once when this much text is waiting, so a burst never piles up in memory. */
const LINE_FLUSH_CHARS = 256 * 1024
const FOOTER_REFRESH_MS = 250
/** Lines per second are measured over windows of at least this long. */
const RATE_WINDOW_MS = 1000
/** Blanks the cursor's row and puts the cursor at its start; ERASE_ROW_UP then moves it a row up. */
const ERASE_ROW = '\x1b[2K\x1b[G'
const ERASE_ROW_UP = `${ERASE_ROW}\x1b[1A`

export interface LiveSinkOptions {
  streams: readonly StreamInfo[]
  /** The names and colours the lines' prefixes have (the renderer's). */
  names: StreamNames
  color: boolean
  onQuit: () => void
}

/** Where Ink's stdout writer is handed out of the component tree (set on the first, synchronous render). */
interface WriterSlot {
  write?: (data: string) => void
}

interface LiveAppProps {
  views: readonly StreamView[]
  now: number
  color: boolean
  rows: number
  onLayout: (lineWidths: number[]) => void
  writer: WriterSlot
  /** Listen for q and Ctrl-C: only when stdin is a terminal that can be put in raw mode. */
  keys: boolean
  onQuit: () => void
}

function LiveApp({views, now, color, rows, onLayout, writer, keys, onQuit}: LiveAppProps) {
  writer.write = useStdout().write
  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) onQuit()
    },
    {isActive: keys},
  )
  return <LiveView streams={views} now={now} color={color} rows={rows} onLayout={onLayout} />
}

/** What the footer shows of a stream but its name, which may change (StreamNames). */
type StreamCounters = Omit<StreamView, 'label' | 'color'>

interface TrackedStream {
  stream: StreamInfo
  view: StreamCounters
  lines: number
  windowLines: number
  windowStart: number
}

export class LiveSink implements OutputSink {
  private readonly tracked = new Map<string, TrackedStream>()
  private readonly resume = new ResumeTracker()
  private readonly writer: WriterSlot = {}
  private pending = ''
  private flushTimer: NodeJS.Timeout | undefined
  private readonly footerTimer: NodeJS.Timeout
  private readonly instance: Instance
  /** The footer's lines as last laid out: how wide each is. */
  private lineWidths: number[] = []
  /** Status lines in full, where stderr is not the terminal this view draws on. */
  private readonly notices: StatusNotices | undefined
  private quitting = false

  private constructor(
    private readonly io: IO,
    private readonly render: EntryRenderer,
    private readonly filter: LineFilter | undefined,
    private readonly options: LiveSinkOptions,
  ) {
    for (const stream of options.streams) this.track(stream)
    this.notices = io.isStderrTTY ? undefined : new StatusNotices(io, true, false)
    this.instance = mountInk(this.app(), {
      stdout: io.stdout as NodeJS.WriteStream,
      stderr: io.stderr as NodeJS.WriteStream,
      ...(io.stdin ? {stdin: io.stdin as NodeJS.ReadStream} : {}),
      exitOnCtrlC: false,
      patchConsole: false,
    })
    // Before Ink's own listener, which redraws the footer.
    io.stdout.prependListener('resize', this.resized)
    this.footerTimer = setInterval(() => this.refresh(), FOOTER_REFRESH_MS)
    this.footerTimer.unref()
  }

  static mount(io: IO, render: EntryRenderer, filter: LineFilter | undefined, options: LiveSinkOptions): LiveSink {
    return new LiveSink(io, render, filter, options)
  }

  write(event: SinkEvent): void | Promise<void> {
    if (event.type === 'notice') {
      this.notices?.line(event.text)
      return this.queue(`${noticeLine(terminalSafe(event.text), this.size().columns)}\n`)
    }
    if (event.type === 'status') {
      const {status} = event
      this.notices?.write(status)
      this.resume.noteStatus(status)
      const {view} = this.track(status.stream)
      view.state = status.state
      view.attempt = status.attempt
      view.detail = status.detail === undefined ? undefined : terminalSafe(status.detail)
      return
    }
    const {entries} = event
    this.resume.noteEntries(entries)
    const now = Date.now()
    let stream: StreamInfo | undefined
    let tracked: TrackedStream | undefined
    for (const entry of entries) {
      if (entry.stream !== stream) {
        stream = entry.stream
        tracked = this.track(stream)
        tracked.view.lastLineAt = now
      }
      tracked!.lines++
    }
    return this.queue(renderBatch(entries, this.render, this.filter))
  }

  /** Text for the scrolling part, written with the next flush (at once when much is waiting). */
  private queue(text: string): void | Promise<void> {
    if (this.io.closed.aborted) return
    this.pending += text
    if (this.pending.length >= LINE_FLUSH_CHARS) {
      this.flushLines()
      if ((this.io.stdout as {writableNeedDrain?: boolean}).writableNeedDrain) {
        return whenDrained(this.io.stdout, this.io.closed)
      }
    } else if (this.pending !== '' && this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flushLines(), LINE_FLUSH_MS)
    }
  }

  /** Writes the last lines, draws the final footer and unmounts, which restores the cursor and stdin. */
  async close(): Promise<void> {
    clearInterval(this.footerTimer)
    this.io.stdout.off('resize', this.resized)
    this.flushLines()
    this.refresh()
    this.instance.unmount()
    await this.instance.waitUntilExit()
  }

  resumePoints(): ResumePoint[] {
    return this.resume.points()
  }

  private track(stream: StreamInfo): TrackedStream {
    let tracked = this.tracked.get(stream.id)
    if (tracked === undefined) {
      // Named at once: a stream that joins may lengthen the names of the lines that follow.
      this.options.names.add([stream])
      tracked = {
        stream,
        view: {id: stream.id, state: 'connecting', linesPerSecond: 0},
        lines: 0,
        windowLines: 0,
        windowStart: Date.now(),
      }
      this.tracked.set(stream.id, tracked)
    }
    return tracked
  }

  private flushLines(): void {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    if (this.pending === '' || this.io.closed.aborted) return
    this.writer.write?.(this.pending)
    this.pending = ''
  }

  private refresh(): void {
    const now = Date.now()
    for (const tracked of this.tracked.values()) {
      const elapsed = now - tracked.windowStart
      if (elapsed < RATE_WINDOW_MS) continue
      tracked.view.linesPerSecond = ((tracked.lines - tracked.windowLines) * 1000) / elapsed
      tracked.windowLines = tracked.lines
      tracked.windowStart = now
    }
    if (!this.io.closed.aborted) this.instance.rerender(this.app())
  }

  /** The terminal's size now (a resize changes it). */
  private size(): {columns: number; rows: number} {
    const {columns, rows} = this.io.stdout as {columns?: number; rows?: number}
    // A terminal always has rows (createSink checked); the default is only for a stream that says none.
    return {columns: columns || this.io.columns, rows: rows || 24}
  }

  private app(): React.ReactElement {
    const {names} = this.options
    return (
      <LiveApp
        views={[...this.tracked.values()].map(({stream, view}) => ({...view, label: terminalSafe(names.label(stream)), color: names.color(stream)}))}
        now={Date.now()}
        color={this.options.color}
        rows={this.size().rows}
        onLayout={this.laidOut}
        writer={this.writer}
        keys={this.io.isStdinTTY && this.io.stdin !== undefined}
        onQuit={this.quit}
      />
    )
  }

  private readonly laidOut = (lineWidths: number[]): void => {
    this.lineWidths = lineWidths
  }

  /**
   * A terminal made narrower rewraps the footer's lines that no longer fit into more rows than Ink then
   * erases (as many as it wrote), and the rows above those would stay behind in the scrollback. So the
   * footer is erased here as rewrapped, and the cursor put as many rows below its top as Ink will erase
   * upwards, on blank rows. This assumes the terminal rewraps on resize, as most do (tmux, VTE, iTerm2,
   * kitty, Alacritty, Windows Terminal); one that cuts the lines instead (xterm) loses as many log lines
   * above the footer from the screen.
   */
  private readonly resized = (): void => {
    const {columns} = this.size()
    const written = this.lineWidths.length
    const rewrapped = this.lineWidths.reduce((rows, width) => rows + Math.max(1, Math.ceil(width / columns)), 0)
    // Ink's frame ends with a line end: the cursor is on the row below the footer.
    if (rewrapped > written) this.io.stdout.write(`${ERASE_ROW_UP.repeat(rewrapped)}${ERASE_ROW}\x1b[${written}B`)
    this.refresh()
  }

  /** Leaving is asked for once, however often q is pressed while the streams wind down. */
  private readonly quit = (): void => {
    if (this.quitting) return
    this.quitting = true
    this.options.onQuit()
  }
}
