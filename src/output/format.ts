/**
 * Entry -> text, purely (no writes). One renderer per run turns each LogEntry into its output line(s),
 * newline included, for every `--output` mode:
 *
 * - task `text`: the line as the task wrote it, optionally `[label] ` and a timestamp (where the source
 *   has one) in front.
 * - journal `short`: `YYYY-MM-DD HH:MM:SS.mmm ZONE host identifier[pid]: message` (local time, or UTC
 *   with --utc); parts the entry lacks are left out, never invented (no 1970 dates).
 * - journal `cat`: the message only.
 * - `json` / `json-pretty`: one record per entry (taskRecord / journalRecord, the documented schemas),
 *   compact on one line or indented by 4 spaces.
 */
import type {ChalkInstance} from 'chalk'
import type {LogEntry, StreamInfo} from '../logs/entry.js'
import {priorityColor, streamColor} from './color.js'
import {jsonTerminalSafe, terminalSafe} from './sanitize.js'

export type OutputFormat = 'text' | 'json' | 'short' | 'cat' | 'json-pretty'
export type EntryKind = 'task' | 'component'

export interface RenderOptions {
  format: OutputFormat
  kind: EntryKind
  chalk: ChalkInstance
  /** Escape control characters and escape sequences (output is a terminal and --raw was not given). */
  terminalSafe: boolean
  /** Put `[label] ` before each text line. */
  prefix: boolean
  /** Put the entry's time before each task text line (task lines only; journal short always has it). */
  timestamps: boolean
  utc: boolean
}

export type EntryRenderer = (entry: LogEntry) => string

/** Realtime values a Date can represent; anything else (a corrupt journal field) shows no time at all. */
function hasTime(realtime: number | undefined): realtime is number {
  return realtime !== undefined && Number.isFinite(realtime) && Math.abs(realtime) <= 8.64e18
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

/** RFC 3339 in UTC with the journal's microsecond precision: 2019-02-18T18:41:07.123456Z. */
export function formatRfc3339(realtime: number): string {
  const micros = Math.floor(realtime)
  const millis = Math.floor(micros / 1000)
  return `${new Date(millis).toISOString().slice(0, 23)}${pad(micros - millis * 1000, 3)}Z`
}

/** The local zone's short name at a given instant ("UTC", "EST", "GMT+1"), as Intl spells it for en-US. */
function zoneName(zones: Intl.DateTimeFormat, date: Date): string {
  return zones.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? 'UTC'
}

/**
 * `YYYY-MM-DD HH:MM:SS.mmm ZONE` from journal microseconds. The date, time and zone are computed once per
 * second and reused, so a burst of entries costs one string join each.
 */
export function createStampFormatter(utc: boolean): (realtime: number) => string {
  let cachedSecond = Number.NaN
  let cachedText = ''
  let cachedZone = ''
  let zones: Intl.DateTimeFormat | undefined
  return (realtime) => {
    const millis = Math.floor(realtime / 1000)
    const second = Math.floor(millis / 1000)
    if (second !== cachedSecond) {
      const date = new Date(second * 1000)
      cachedSecond = second
      if (utc) {
        cachedText = date.toISOString().slice(0, 19).replace('T', ' ')
        cachedZone = 'UTC'
      } else {
        cachedText =
          `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
          `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
        zones ??= new Intl.DateTimeFormat('en-US', {timeZoneName: 'short'})
        cachedZone = zoneName(zones, date)
      }
    }
    return `${cachedText}.${pad(millis - second * 1000, 3)} ${cachedZone}`
  }
}

/** The `--output json` record of a task line (schema documented in the README). */
export interface TaskRecord {
  task: string | null
  file: string | null
  agent: string | null
  /** Resume point: byte offset after this line; null when the source gave none (a plain range read). */
  cursor: string | null
  /** RFC 3339; only when the source has a time (logging v2 task files have none). */
  time?: string
  message: string
}

export function taskRecord(entry: LogEntry): TaskRecord {
  const {stream} = entry
  return {
    task: stream.task ?? null,
    file: stream.file ?? null,
    agent: stream.agent ?? null,
    cursor: entry.cursor ?? null,
    // Undefined is left out by JSON.stringify; message comes last, as it is the long part.
    time: hasTime(entry.realtime) ? formatRfc3339(entry.realtime) : undefined,
    message: entry.message,
  }
}

/**
 * The `--output json` record of a journal entry: the journal's own field names and string values, as
 * `journalctl -o json` prints them (__CURSOR, __REALTIME_TIMESTAMP, __MONOTONIC_TIMESTAMP, then the
 * fields), plus `time`, the realtime stamp in RFC 3339 (journal field names are upper case, so it can
 * never clash).
 */
export function journalRecord(entry: LogEntry): Record<string, string> {
  const record: Record<string, string> = {}
  if (entry.cursor !== undefined) record.__CURSOR = entry.cursor
  if (entry.realtime !== undefined) record.__REALTIME_TIMESTAMP = String(entry.realtime)
  if (entry.monotonic !== undefined) record.__MONOTONIC_TIMESTAMP = String(entry.monotonic)
  Object.assign(record, entry.fields)
  record.MESSAGE = entry.message
  if (hasTime(entry.realtime)) record.time = formatRfc3339(entry.realtime)
  return record
}

function createJsonRenderer(options: RenderOptions): EntryRenderer {
  const toRecord = options.kind === 'task' ? taskRecord : journalRecord
  const indent = options.format === 'json-pretty' ? 4 : undefined
  return (entry) => `${jsonTerminalSafe(JSON.stringify(toRecord(entry), null, indent))}\n`
}

/** `[label] ` in the stream's colour, built once per stream. */
function createPrefixer(options: RenderOptions): (stream: StreamInfo) => string {
  if (!options.prefix) return () => ''
  const prefixes = new Map<StreamInfo, string>()
  return (stream) => {
    let prefix = prefixes.get(stream)
    if (prefix === undefined) {
      const label = options.terminalSafe ? terminalSafe(stream.label) : stream.label
      prefix = `${streamColor(options.chalk, stream.id)(`[${label}]`)} `
      prefixes.set(stream, prefix)
    }
    return prefix
  }
}

/** Joins two header parts with one space, leaving out whichever is empty. */
function spaced(left: string, right: string | undefined): string {
  if (!right) return left
  return left ? `${left} ${right}` : right
}

function createTextRenderer(options: RenderOptions): EntryRenderer {
  const {chalk, kind} = options
  const safe = options.terminalSafe ? (text: string) => terminalSafe(text, chalk) : (text: string) => text
  const prefixOf = createPrefixer(options)
  const stamp = createStampFormatter(options.utc)

  if (kind === 'task') {
    const timestamps = options.timestamps
    return (entry) => {
      const time = timestamps && hasTime(entry.realtime) ? `${stamp(entry.realtime)} ` : ''
      return `${prefixOf(entry.stream)}${time}${safe(entry.message)}\n`
    }
  }

  const short = options.format !== 'cat'
  return (entry) => {
    const fields = entry.fields
    const colour = chalk.level > 0 ? priorityColor(chalk, fields?.PRIORITY) : undefined
    const message = colour ? colour(safe(entry.message)) : safe(entry.message)
    if (!short) return `${prefixOf(entry.stream)}${message}\n`
    const identifier = fields?.SYSLOG_IDENTIFIER || fields?._COMM || ''
    const pid = fields?._PID || fields?.SYSLOG_PID
    const process = pid ? `${identifier}[${pid}]` : identifier
    const header = spaced(spaced(hasTime(entry.realtime) ? stamp(entry.realtime) : '', fields?._HOSTNAME), process)
    return `${prefixOf(entry.stream)}${header ? `${safe(header)}: ` : ''}${message}\n`
  }
}

/**
 * The renderer for a format and kind. Task logs read `short` and `cat` as `text` and journal logs read
 * `text` as `short`, so a flag shared by commands (service log can be either) never fails.
 */
export function createEntryRenderer(options: RenderOptions): EntryRenderer {
  if (options.format === 'json' || options.format === 'json-pretty') return createJsonRenderer(options)
  return createTextRenderer(options)
}
