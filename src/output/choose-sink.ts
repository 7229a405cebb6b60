/**
 * The one place that looks at --output, --color, --raw, --no-tui and whether stdout is a terminal, and
 * picks the sink. Ink (and React) are imported only on the interactive path (loadLiveSink):
 * loading them costs hundreds of milliseconds, and in a pipe nothing of Ink may run.
 */
import type {StreamInfo} from '../logs/entry.js'
import {createChalk, decideColorLevel, type ColorMode} from './color.js'
import {createLineFilter} from './filter.js'
import {createBatchEncoder, createEntryRenderer, type EntryKind, type OutputFormat, type RenderOptions} from './format.js'
import type {IO} from './io.js'
import {PlainSink, StatusNotices, type OutputSink} from './sinks.js'
import {StreamNames} from './stream-names.js'
import {loadLiveSink} from './ui/load-live-sink.js'

export interface OutputOptions {
  /** task logs: text | json (| json-pretty); journal logs: short | cat | json | json-pretty. */
  format: OutputFormat
  kind: EntryKind
  color: ColorMode
  /** Pass escape sequences in messages through to the terminal. */
  raw: boolean
  /** False with --no-tui: no live view even on a terminal. */
  tui: boolean
  follow: boolean
  /** `[label] ` before text lines; undefined means "when there are several streams". */
  prefix: boolean | undefined
  timestamps: boolean
  utc: boolean
  include: RegExp[]
  exclude: RegExp[]
}

export interface SinkContext {
  /** The streams known before the first event: decide the automatic prefix and seed the live footer. */
  streams?: readonly StreamInfo[]
  /**
   * Called when the user leaves the live view with q or Ctrl-C (the terminal is in raw mode there, so
   * Ctrl-C sends no SIGINT). Defaults to raising SIGINT, so it takes the same path as Ctrl-C elsewhere.
   */
  onQuit?: () => void
}

function isJson(format: OutputFormat): boolean {
  return format === 'json' || format === 'json-pretty'
}

/** ink 6 cannot redraw without erasing: in CI (as ink itself detects it) or on a dumb terminal it must not run. */
function canRedraw(env: NodeJS.ProcessEnv): boolean {
  const set = (name: string) => name in env && env[name] !== '0' && env[name] !== 'false'
  return !set('CI') && !set('CONTINUOUS_INTEGRATION') && env.TERM !== 'dumb'
}

/** The least a live view needs: narrower or lower, its footer would wrap a character a line over the screen. */
const LIVE_VIEW_MIN = {columns: 20, rows: 5}

/** Whether the terminal has room for the live view (a pty of 0x0, as some tools open, has none). */
function roomFor(io: IO): boolean {
  const {columns, rows} = io.stdout as {columns?: number; rows?: number}
  return (columns ?? 0) >= LIVE_VIEW_MIN.columns && (rows ?? 0) >= LIVE_VIEW_MIN.rows
}

/** True when createSink mounts the live view: a terminal with room for it, following, text output, --no-tui not given. */
export function wantsLiveView(options: OutputOptions, io: IO): boolean {
  return options.follow && options.tui && io.isStdoutTTY && !isJson(options.format) && canRedraw(io.env) && roomFor(io)
}

export async function createSink(options: OutputOptions, io: IO, context: SinkContext = {}): Promise<OutputSink> {
  const json = isJson(options.format)
  const chalk = createChalk(json ? 0 : decideColorLevel(options.color, io.isStdoutTTY, io.env))
  const live = wantsLiveView(options, io)
  // Short task names only where a person reads them all on one screen; a pipe keeps the ids scripts use.
  const names = new StreamNames(live)
  names.add(context.streams ?? [])
  const renderOptions: RenderOptions = {
    format: options.format,
    kind: options.kind,
    chalk,
    terminalSafe: io.isStdoutTTY && !options.raw,
    prefix: options.prefix ?? (context.streams?.length ?? 0) > 1,
    names,
    timestamps: options.timestamps,
    utc: options.utc,
  }
  const render = createEntryRenderer(renderOptions)
  const filter = createLineFilter(options.include, options.exclude)
  if (live) {
    const LiveSink = await loadLiveSink()
    return LiveSink.mount(io, render, filter, {
      streams: context.streams ?? [],
      names,
      color: chalk.level > 0,
      onQuit: context.onQuit ?? (() => process.kill(process.pid, 'SIGINT')),
    })
  }
  const notices = new StatusNotices(io, options.follow, io.isStderrTTY && !options.raw)
  return new PlainSink(io, render, filter, notices, filter === undefined ? createBatchEncoder(renderOptions, render) : undefined)
}
