import {goJson, sortedFields} from './go-json.js'
import {hash64} from './random.js'

/**
 * A systemd journal as dcos-log reads it: entries with fields, journald cursors, realtime and monotonic
 * timestamps, and the seek/skip/limit/filter semantics of sd-journal as the real server exposes them
 * (see reference/dcos-log-server.md §6 and §8.1). HTTP framing lives in the route modules.
 */

export interface JournalEntry {
  fields: Record<string, string>
  cursor: string
  seqnumId: string
  seqnum: number
  monotonic: number
  realtime: number
  /** The entry serialised once, as dcos-log's JSON formatter writes it (no trailing newline). */
  json: string
}

export interface JournalEntryInput {
  unit: string
  message: string
  priority?: number
  fields?: Record<string, string>
}

/** An entry exactly as captured from a real server (the JSON formatter's object). */
export interface RawJournalEntry {
  fields: Record<string, string>
  cursor: string
  monotonic_timestamp: number
  realtime_timestamp: number
}

export interface JournalIdentity {
  hostname: string
  machineId: string
  bootId: string
  seqnumId: string
  /** Realtime (µs) at boot; monotonic timestamps count from here. */
  bootRealtimeUs: number
}

export class JournalError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

export interface ParsedCursor {
  s: string
  i: number
  t: number
}

const HEX64 = /^[0-9a-fA-F]{1,16}$/

/** journald accepts exactly s,i,b,m,t,x in that order; anything else is "Incorrect cursor string". */
export function parseCursor(text: string): ParsedCursor | undefined {
  const parts = text.split(';')
  if (parts.length !== 6) return undefined
  const values: string[] = []
  for (const [n, key] of ['s', 'i', 'b', 'm', 't', 'x'].entries()) {
    const part = parts[n]
    if (!part.startsWith(`${key}=`)) return undefined
    const value = part.slice(2)
    if (key === 's' || key === 'b' ? value.length === 0 || value.length > 33 : !HEX64.test(value)) return undefined
    values.push(value)
  }
  return {s: values[0], i: Number.parseInt(values[1], 16), t: Number(BigInt(`0x${values[4]}`))}
}

export function formatCursor(e: {seqnumId: string; seqnum: number; bootId: string; monotonic: number; realtime: number}): string {
  const base = `s=${e.seqnumId};i=${e.seqnum.toString(16)};b=${e.bootId};m=${e.monotonic.toString(16)};t=${e.realtime.toString(16)}`
  return `${base};x=${hash64(base)}`
}

export type JournalPredicate = (entry: JournalEntry) => boolean

/** Filters are `FIELD:value` strings; the field is upper-cased. Same field ORs, different fields AND. */
export function parseFilters(raw: string[], errorText: (filter: string) => string): Array<[string, string]> {
  return raw.map((filter) => {
    const parts = filter.split(':')
    if (parts.length !== 2) throw new JournalError(400, errorText(filter))
    return [parts[0].toUpperCase(), parts[1]]
  })
}

/** v2 component logs: `UNIT=name OR _SYSTEMD_UNIT=name OR (filters)`, the disjunction dcos-log builds. */
export function buildPredicate(filters: Array<[string, string]>, unit?: string): JournalPredicate | undefined {
  const byField = new Map<string, Set<string>>()
  for (const [field, value] of filters) {
    const values = byField.get(field) ?? new Set<string>()
    values.add(value)
    byField.set(field, values)
  }
  const groups = [...byField.entries()]
  const matchesFilters = (e: JournalEntry) => groups.every(([field, values]) => values.has(e.fields[field]))
  if (unit === undefined) return groups.length === 0 ? undefined : matchesFilters
  return (e) => e.fields.UNIT === unit || e.fields._SYSTEMD_UNIT === unit || (groups.length > 0 && matchesFilters(e))
}

export class Journal {
  readonly entries: JournalEntry[] = []
  private readonly byCursorKey = new Map<string, number>()
  private readonly listeners = new Set<() => void>()
  private readonly pids = new Map<string, number>()

  constructor(readonly identity: JournalIdentity) {}

  /** Appends an entry written by a unit, stamped `realtimeUs` (default: now, never before the last one). */
  add(input: JournalEntryInput, realtimeUs?: number): JournalEntry {
    const id = this.identity
    const last = this.entries.at(-1)
    const realtime = Math.max(realtimeUs ?? Date.now() * 1000, (last?.realtime ?? 0) + 1)
    const seqnum = (last?.seqnumId === id.seqnumId ? last.seqnum : 0) + 1
    const monotonic = Math.max(1, realtime - id.bootRealtimeUs)
    const fields: Record<string, string> = {
      MESSAGE: input.message,
      PRIORITY: String(input.priority ?? 6),
      SYSLOG_IDENTIFIER: input.fields?.SYSLOG_IDENTIFIER ?? input.unit.replace(/\.service$/, ''),
      _BOOT_ID: id.bootId,
      _HOSTNAME: id.hostname,
      _MACHINE_ID: id.machineId,
      _PID: String(this.pidOf(input.unit)),
      _SYSTEMD_UNIT: input.unit,
      _TRANSPORT: 'stdout',
      ...input.fields,
    }
    const cursor = formatCursor({seqnumId: id.seqnumId, seqnum, bootId: id.bootId, monotonic, realtime})
    return this.push({fields, cursor, monotonic_timestamp: monotonic, realtime_timestamp: realtime})
  }

  /** Appends an entry exactly as captured (its own cursor and timestamps). */
  push(raw: RawJournalEntry): JournalEntry {
    const parsed = parseCursor(raw.cursor)
    const fields = sortedFields(raw.fields)
    const entry: JournalEntry = {
      fields,
      cursor: raw.cursor,
      seqnumId: parsed?.s ?? '',
      seqnum: parsed?.i ?? this.entries.length + 1,
      monotonic: raw.monotonic_timestamp,
      realtime: raw.realtime_timestamp,
      json: goJson({fields, cursor: raw.cursor, monotonic_timestamp: raw.monotonic_timestamp, realtime_timestamp: raw.realtime_timestamp}),
    }
    this.byCursorKey.set(`${entry.seqnumId};${entry.seqnum}`, this.entries.length)
    this.entries.push(entry)
    for (const listener of this.listeners) listener()
    return entry
  }

  /** Drops every entry (used to load a captured journal in place of the generated one). */
  clear(): void {
    this.entries.length = 0
    this.byCursorKey.clear()
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Indices of the entries the predicate accepts, in journal order. */
  matching(predicate: JournalPredicate | undefined): number[] {
    const out: number[] = []
    for (let i = 0; i < this.entries.length; i++) if (predicate === undefined || predicate(this.entries[i])) out.push(i)
    return out
  }

  /**
   * Where a cursor lands among the matching entries: `position` is the first matching entry at or after
   * the cursor's place in the journal, `exact` says it is the cursor's own entry. A well-formed cursor
   * of an unknown journal file seeks by time (inclusive); past the end it is "not found" (error 99).
   */
  locate(cursorText: string, matches: number[], errorPrefix: string): {position: number; exact: boolean} {
    const cursor = parseCursor(cursorText)
    if (cursor === undefined) throw new JournalError(500, `${errorPrefix}Incorrect cursor string`)
    const own = this.byCursorKey.get(`${cursor.s};${cursor.i}`)
    const global = own ?? this.entries.findIndex((e) => e.realtime >= cursor.t)
    const position = global < 0 ? matches.length : lowerBound(matches, global)
    const exact = own !== undefined && matches[position] === own
    if (!exact && position >= matches.length) {
      throw new JournalError(500, `${errorPrefix}Cursor ${cursorText} not found: failed to test to cursor "${cursorText}": 99`)
    }
    return {position, exact}
  }

  private pidOf(unit: string): number {
    let pid = this.pids.get(unit)
    if (pid === undefined) {
      pid = 700 + ((Number.parseInt(hash64(unit + this.identity.machineId).slice(0, 6), 16) % 30_000) | 0)
      this.pids.set(unit, pid)
    }
    return pid
  }
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

function clamp(value: number, max: number): number {
  return Math.min(Math.max(value, 0), max)
}

/** v2 component read options after parsing (Last-Event-ID already chosen over `cursor`). */
export interface V2Position {
  /** undefined or BEG: head; END: the last entry; otherwise a journald cursor. */
  cursor?: string
  skip: number
}

/** Index into `matches` where a v2 read starts (dcos-log option order: END → SeekCursor → skip). */
export function v2Start(journal: Journal, matches: number[], pos: V2Position): number {
  const {cursor, skip} = pos
  const count = matches.length
  if (cursor === undefined || cursor === 'BEG') return clamp(skip > 0 ? skip - 1 : skip < 0 ? count + skip : 0, count)
  if (cursor === 'END') return clamp(skip < 0 ? count + skip : count - 1 + skip, count)
  const {position, exact} = journal.locate(cursor, matches, 'unable to open journald: ')
  return clamp(skip === 0 ? position + (exact ? 1 : 0) : position + skip, count)
}

export interface V1Position {
  cursor?: string
  skipNext: number
  skipPrev: number
  readReverse: boolean
}

export interface V1Plan {
  /** Indices into the journal's entries, in output order (limit not yet applied for forward reads). */
  order: number[]
  /** For forward reads: the position in `matches` to start following from. */
  start: number
  movedPrev: number
}

/** v1 range/stream positioning: skip_next/skip_prev relative to a cursor or the head/tail, read_reverse. */
export function v1Plan(journal: Journal, matches: number[], pos: V1Position): V1Plan {
  const count = matches.length
  let start: number
  let movedPrev = 0
  if (pos.cursor === undefined) {
    if (pos.skipPrev > 0) {
      movedPrev = Math.min(pos.skipPrev, count)
      start = count - movedPrev
    } else if (pos.skipNext > 0) start = clamp(pos.skipNext - 1, count)
    else start = 0
  } else {
    const {position, exact} = journal.locate(pos.cursor, matches, 'Error opening journal reader: ')
    if (pos.skipPrev > 0) {
      movedPrev = Math.min(pos.skipPrev, position)
      start = position - movedPrev
    } else if (pos.skipNext > 0) start = clamp(position + pos.skipNext, count)
    else start = pos.readReverse ? position - 1 : position + (exact ? 1 : 0)
  }
  if (!pos.readReverse) return {order: matches.slice(start), start, movedPrev}
  // Reading backwards from the head (no cursor, no skip) visits the first entry of each journal file,
  // newest file first: what sd-journal does with several files and no location (captured).
  if (pos.cursor === undefined && pos.skipPrev === 0 && pos.skipNext === 0) {
    const firsts: number[] = []
    const seen = new Set<string>()
    for (const index of matches) {
      const s = journal.entries[index].seqnumId
      if (!seen.has(s)) {
        seen.add(s)
        firsts.push(index)
      }
    }
    return {order: firsts.reverse(), start: count, movedPrev}
  }
  const order: number[] = []
  for (let p = Math.min(start, count - 1); p >= 0; p--) order.push(matches[p])
  return {order, start: count, movedPrev}
}

/** `YYYY-MM-DD HH:MM:SS` of a realtime timestamp in UTC (the zone DC/OS nodes run in). */
export function journalTime(realtimeUs: number): string {
  const iso = new Date(Math.floor(realtimeUs / 1000)).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
}

export type JournalFormat = 'text' | 'json' | 'sse' | 'sse-no-id'

/** One entry in a response format; '' for a text entry without MESSAGE (it still counts toward limit). */
export function formatEntry(entry: JournalEntry, format: JournalFormat): string {
  switch (format) {
    case 'text': {
      const message = entry.fields.MESSAGE
      return message === undefined ? '' : `${journalTime(entry.realtime)}: ${message}\n`
    }
    case 'json':
      return `${entry.json}\n`
    case 'sse':
      return `id: ${entry.cursor}\ndata: ${entry.json}\n\n`
    case 'sse-no-id':
      return `data: ${entry.json}\n\n`
  }
}
