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
import {ByteEntry, type LogEntry, type StreamInfo} from '../logs/entry.js'
import {priorityColor} from './color.js'
import {jsonTerminalSafe, terminalSafe} from './sanitize.js'
import type {StreamNames} from './stream-names.js'

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
  /** Each stream's label and colour, shared with whatever else names streams (the live view's footer). */
  names: StreamNames
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
  if (options.kind === 'task' && options.format === 'json') return createTaskJsonRenderer()
  const toRecord = options.kind === 'task' ? taskRecord : journalRecord
  const indent = options.format === 'json-pretty' ? 4 : undefined
  return (entry) => `${jsonTerminalSafe(JSON.stringify(toRecord(entry), null, indent))}\n`
}

/**
 * `--output json` of task lines: the text of JSON.stringify(taskRecord(entry)), written from a head built once
 * per stream (task, file, agent) instead of a record object per line. jsonTerminalSafe changes single
 * characters, so applying it to the parts gives what applying it to the whole line gives.
 */
function createTaskJsonRenderer(): EntryRenderer {
  const heads = new Map<StreamInfo, string>()
  const headOf = (stream: StreamInfo): string => {
    let head = heads.get(stream)
    if (head === undefined) {
      head = taskRecordHead(stream)
      heads.set(stream, head)
    }
    return head
  }
  return (entry) => {
    const time = hasTime(entry.realtime) ? `,"time":"${formatRfc3339(entry.realtime)}"` : ''
    return `${headOf(entry.stream)}${jsonTerminalSafe(`${JSON.stringify(entry.cursor ?? null)}${time},"message":${JSON.stringify(entry.message)}`)}}\n`
  }
}

/** A task line's JSON record (taskRecord's text) up to the value of its cursor: the same for every line of a stream. */
function taskRecordHead(stream: StreamInfo): string {
  const value = (text: string | undefined) => JSON.stringify(text ?? null)
  return jsonTerminalSafe(`{"task":${value(stream.task)},"file":${value(stream.file)},"agent":${value(stream.agent)},"cursor":`)
}

/** `[label] ` in the stream's colour, built once per stream (again after names change: a task joined). */
function createPrefixer(options: RenderOptions): (stream: StreamInfo) => string {
  if (!options.prefix) return () => ''
  const {names, chalk} = options
  const prefixes = new Map<StreamInfo, string>()
  let changes = names.changes
  return (stream) => {
    if (names.changes !== changes) {
      changes = names.changes
      prefixes.clear()
    }
    let prefix = prefixes.get(stream)
    if (prefix === undefined) {
      const label = names.label(stream)
      prefix = `${chalk[names.color(stream)](`[${options.terminalSafe ? terminalSafe(label) : label}]`)} `
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

function isJson(format: OutputFormat): boolean {
  return format === 'json' || format === 'json-pretty'
}

/**
 * The renderer for a format and kind. Task logs read `short` and `cat` as `text` and journal logs read
 * `text` as `short`, so a flag shared by commands (service log can be either) never fails.
 */
export function createEntryRenderer(options: RenderOptions): EntryRenderer {
  if (isJson(options.format)) return createJsonRenderer(options)
  return createTextRenderer(options)
}

/** A batch as the bytes to write, for output modes that copy a ByteEntry's message instead of decoding it. */
/** A batch's bytes: one buffer, or spans of the chunks its lines were read in (written as they are). */
export type BatchEncoder = (entries: readonly LogEntry[]) => Buffer | Buffer[]

/**
 * The encoder for these options (to use when no filter applies), or undefined where lines are rendered as text
 * only: prefixes, terminal escaping, timestamps, journal formats, json-pretty. Its bytes are exactly the
 * renderer's text: entries it cannot copy go through `render`.
 */
export function createBatchEncoder(options: RenderOptions, render: EntryRenderer): BatchEncoder | undefined {
  if (options.kind !== 'task') return undefined
  if (options.format === 'json') return taskJsonEncoder(render)
  if (isJson(options.format) || options.terminalSafe || options.timestamps) return undefined
  return options.prefix ? prefixedEncoder(render, createPrefixer(options)) : messageEncoder(render)
}

/**
 * Text with each stream's prefix: the prefix, the message's bytes as they were read (invalid UTF-8
 * included: a pipe gets the task's bytes) and a newline.
 */
function prefixedEncoder(render: EntryRenderer, prefixOf: (stream: StreamInfo) => string): BatchEncoder {
  const prefixes = new Map<StreamInfo, {text: string; bytes: Buffer}>()
  const prefixBytes = (entry: ByteEntry): Buffer => {
    const text = prefixOf(entry.stream)
    let prefix = prefixes.get(entry.stream)
    if (prefix?.text !== text) prefixes.set(entry.stream, (prefix = {text, bytes: Buffer.from(text)}))
    return prefix.bytes
  }
  const bytesOf = (entry: ByteEntry) => prefixBytes(entry).length + entry.end - entry.start + 1
  const write = (entry: ByteEntry, out: Buffer, at: number): number => {
    at += prefixBytes(entry).copy(out, at)
    at += entry.bytes.copy(out, at, entry.start, entry.end)
    out[at++] = LF
    return at
  }
  return (entries) => encodeEach(entries, bytesOf, render, write)
}

/**
 * A batch encoded entry by entry: `write` puts a ByteEntry's bytes at `at` and returns where they end; what
 * `bytesOf` cannot take (-1) is rendered as text.
 */
function encodeEach(
  entries: readonly LogEntry[],
  bytesOf: (entry: ByteEntry) => number,
  render: EntryRenderer,
  write: (entry: ByteEntry, out: Buffer, at: number) => number,
): Buffer {
  const {size, texts} = measure(entries, bytesOf, render)
  const out = Buffer.allocUnsafe(size)
  let at = 0
  for (let i = 0; i < entries.length; i++) {
    const text = texts?.[i]
    at = text === undefined ? write(entries[i] as ByteEntry, out, at) : at + out.write(text, at)
  }
  return out
}

/**
 * An encoder's first pass: the size of the batch's bytes, and the lines rendered as text, by index: entries
 * that are no ByteEntry, or that `bytesOf` cannot take (-1).
 */
function measure(entries: readonly LogEntry[], bytesOf: (entry: ByteEntry) => number, render: EntryRenderer) {
  let size = 0
  let texts: Array<string | undefined> | undefined
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]
    const bytes = entry instanceof ByteEntry ? bytesOf(entry) : -1
    if (bytes >= 0) size += bytes
    else {
      const text = render(entry)
      ;(texts ??= [])[i] = text
      size += Buffer.byteLength(text)
    }
  }
  return {size, texts}
}

const LF = 0x0a

/**
 * A batch whose every line is a ByteEntry followed by its newline in its chunk, as the spans of those chunks
 * (contiguous lines one span): a text body's lines are their own output, with nothing to copy (a copy of each
 * byte, and as much fresh memory, whose page faults cost more than the copy here). Otherwise undefined.
 */
function spansAsRead(entries: readonly LogEntry[]): Buffer[] | undefined {
  const spans: Buffer[] = []
  let first: ByteEntry | undefined
  let last: ByteEntry | undefined
  for (const entry of entries) {
    if (!(entry instanceof ByteEntry) || entry.bytes[entry.end] !== LF) return undefined
    if (last !== undefined && entry.bytes === last.bytes && entry.start === last.end + 1) {
      last = entry
      continue
    }
    if (first !== undefined) spans.push(first.bytes.subarray(first.start, last!.end + 1))
    first = last = entry
  }
  if (first !== undefined) spans.push(first.bytes.subarray(first.start, last!.end + 1))
  return spans
}

/**
 * Text with nothing added: each message's bytes and a newline. A batch of a text body's lines is written as
 * it was read (spansAsRead). Otherwise a run of ByteEntries of one chunk (in order, apart) is staged: the
 * span it lies in is copied once to a scratch buffer, each message is moved down to its place there
 * (copyWithin makes no view per entry, and those views were most of a busy stream's garbage), and the run
 * goes to the output in one copy.
 */
function messageEncoder(render: EntryRenderer): BatchEncoder {
  let scratch = Buffer.alloc(0)
  const bytesOf = (entry: ByteEntry) => entry.end - entry.start + 1
  return (entries) => {
    const spans = spansAsRead(entries)
    if (spans !== undefined) return spans
    const {size, texts} = measure(entries, bytesOf, render)
    const out = Buffer.allocUnsafe(size)
    let at = 0
    for (let i = 0; i < entries.length; ) {
      const text = texts?.[i]
      if (text !== undefined) {
        at += out.write(text, at)
        i++
        continue
      }
      const first = entries[i] as ByteEntry
      let last = first
      let end = i + 1
      for (; end < entries.length && texts?.[end] === undefined; end++) {
        const next = entries[end] as ByteEntry
        if (next.bytes !== first.bytes || next.start <= last.end) break
        last = next
      }
      // Messages are at least a byte apart, so a message and its newline never overwrite one not yet moved.
      const span = last.end - first.start
      if (scratch.length <= span) scratch = Buffer.allocUnsafe(Math.max(span + 1, 2 * scratch.length))
      scratch.set(first.bytes.subarray(first.start, last.end))
      let staged = 0
      for (; i < end; i++) {
        const {start, end: stop} = entries[i] as ByteEntry
        scratch.copyWithin(staged, start - first.start, stop - first.start)
        staged += stop - start
        scratch[staged++] = LF
      }
      out.set(scratch.subarray(0, staged), at)
      at += staged
    }
    return out
  }
}

/** Printable ASCII but `"` and `\`: text that JSON.stringify and jsonTerminalSafe leave as it is. */
function isPlainJsonText(bytes: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; at++) {
    const byte = bytes[at]
    if (byte < 0x20 || byte > 0x7e || byte === 0x22 || byte === 0x5c) return false
  }
  return true
}
const PLAIN_JSON_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

const MESSAGE_FIELD = Buffer.from('","message":"')
const RECORD_END = Buffer.from('"}\n')

/**
 * The task JSON record (taskRecord) as bytes, for ByteEntries whose message and cursor JSON leaves as they
 * are (printable ASCII; a ByteEntry has no time): the per-stream head, the cursor, the message's bytes.
 */
function taskJsonEncoder(render: EntryRenderer): BatchEncoder {
  let stream: StreamInfo | undefined
  let head = Buffer.alloc(0)
  const headOf = (entry: ByteEntry): Buffer => {
    if (entry.stream !== stream) {
      stream = entry.stream
      head = Buffer.from(`${taskRecordHead(stream)}"`)
    }
    return head
  }
  const bytesOf = (entry: ByteEntry): number => {
    const {cursor} = entry
    if (cursor === undefined || !PLAIN_JSON_TEXT.test(cursor) || !isPlainJsonText(entry.bytes, entry.start, entry.end)) return -1
    return headOf(entry).length + cursor.length + MESSAGE_FIELD.length + entry.end - entry.start + RECORD_END.length
  }
  const write = (entry: ByteEntry, out: Buffer, at: number): number => {
    out.set(headOf(entry), at)
    at += head.length
    at += out.write(entry.cursor as string, at, 'latin1')
    out.set(MESSAGE_FIELD, at)
    at += MESSAGE_FIELD.length
    out.set(entry.bytes.subarray(entry.start, entry.end), at)
    at += entry.end - entry.start
    out.set(RECORD_END, at)
    return at + RECORD_END.length
  }
  return (entries) => encodeEach(entries, bytesOf, render, write)
}
