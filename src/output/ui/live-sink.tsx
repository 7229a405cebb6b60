/**
 * The live view: log lines scroll above a footer (LiveView) that shows every stream's state. Only for a
 * terminal, and only loaded through createSink's dynamic import.
 *
 * Lines never go through React state or <Static> (far too slow, and its history grows without bound):
 * they are rendered to text, gathered, and written at most ~30 times a second through Ink's stdout
 * writer (useStdout().write), which erases the footer, writes the lines and redraws the footer. The
 * footer itself is re-rendered four times a second from counters updated per batch.
 */
import React from 'react'
import {render as mountInk, useInput, useStdout, type Instance} from 'ink'
import type {SinkEvent, StreamInfo} from '../../logs/entry.js'
import type {EntryRenderer} from '../format.js'
import type {LineFilter} from '../filter.js'
import {whenDrained, type IO} from '../io.js'
import {terminalSafe} from '../sanitize.js'
import {renderBatch, ResumeTracker, type OutputSink, type ResumePoint} from '../sinks.js'
import {LiveView, type StreamView} from './LiveView.js'

/** Lines are flushed this often (about 30 fps)... */
const LINE_FLUSH_MS = 33
/** ...or at once when this much text is waiting, so a burst never piles up in memory. */
const LINE_FLUSH_CHARS = 256 * 1024
const FOOTER_REFRESH_MS = 250
/** Lines per second are measured over windows of at least this long. */
const RATE_WINDOW_MS = 1000

export interface LiveSinkOptions {
  streams: readonly StreamInfo[]
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
  writer: WriterSlot
  /** Listen for q and Ctrl-C: only when stdin is a terminal that can be put in raw mode. */
  keys: boolean
  onQuit: () => void
}

function LiveApp({views, now, color, writer, keys, onQuit}: LiveAppProps) {
  writer.write = useStdout().write
  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) onQuit()
    },
    {isActive: keys},
  )
  return <LiveView streams={views} now={now} color={color} />
}

interface TrackedStream {
  view: StreamView
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
  private quitting = false

  private constructor(
    private readonly io: IO,
    private readonly render: EntryRenderer,
    private readonly filter: LineFilter | undefined,
    private readonly options: LiveSinkOptions,
  ) {
    for (const stream of options.streams) this.track(stream)
    this.instance = mountInk(this.app(), {
      stdout: io.stdout as NodeJS.WriteStream,
      stderr: io.stderr as NodeJS.WriteStream,
      ...(io.stdin ? {stdin: io.stdin as NodeJS.ReadStream} : {}),
      exitOnCtrlC: false,
      patchConsole: false,
    })
    this.footerTimer = setInterval(() => this.refresh(), FOOTER_REFRESH_MS)
    this.footerTimer.unref()
  }

  static mount(io: IO, render: EntryRenderer, filter: LineFilter | undefined, options: LiveSinkOptions): LiveSink {
    return new LiveSink(io, render, filter, options)
  }

  write(event: SinkEvent): void | Promise<void> {
    if (event.type === 'notice') return this.queue(`${terminalSafe(event.text)}\n`)
    if (event.type === 'status') {
      const {status} = event
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
      tracked = {
        view: {id: stream.id, label: terminalSafe(stream.label), state: 'connecting', linesPerSecond: 0},
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

  private app(): React.ReactElement {
    return (
      <LiveApp
        views={[...this.tracked.values()].map((tracked) => tracked.view)}
        now={Date.now()}
        color={this.options.color}
        writer={this.writer}
        keys={this.io.isStdinTTY && this.io.stdin !== undefined}
        onQuit={this.quit}
      />
    )
  }

  /** Leaving is asked for once, however often q is pressed while the streams wind down. */
  private readonly quit = (): void => {
    if (this.quitting) return
    this.quitting = true
    this.options.onQuit()
  }
}
