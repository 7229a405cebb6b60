/**
 * The one journal reader behind logging v2 components and logging v1 (tasks and components): both are
 * dcos-log's journald API, differing only in URLs and parameter names (JournalProtocol).
 *
 * One open():
 * - a window (or a resume when not following) is a range read, NDJSON (`Accept: application/json`);
 * - following continues with an event stream (read with the eventsource package: journal-events.ts)
 *   resuming strictly after the last cursor seen (or from the head of the matching journal when the range
 *   found nothing, which then means "only new ones"). This never sends `skip` together with
 *   Last-Event-ID, which dcos-log v2 would apply again relative to the cursor and repeat entries; a repeat
 *   of the last cursor is dropped anyway, defensively.
 * - a window of 0 entries while following reads the last entry only to learn where to resume.
 * Time windows (since/until, realtime µs) are applied here, after the server's window: journald has no
 * time seek over this API that works on every version (a made-up cursor with a time works on some and is
 * a 500 on others), so `since` with follow reads from where the window puts it and drops older entries.
 */
import {CliError} from '../../errors.js'
import type {HttpClient} from '../../cluster/http.js'
import type {QueryValue} from '../../cluster/url.js'
import type {LogEntry, LogSource, OpenRequest, StreamInfo} from '../entry.js'
import {parseJsonObject} from '../sse.js'
import {readJournalEvents} from './journal-events.js'
import {readLines} from './read.js'
import type {LogWindow} from './window.js'

export interface JournalRequest {
  path: string
  query: Record<string, QueryValue>
  headers?: Record<string, string>
  /** For an event stream: the silence after which it is reopened (default JOURNAL_IDLE_MS). */
  idleMs?: number
}

export interface JournalProtocol {
  /** A one-shot NDJSON read: the window, or everything strictly after a cursor. */
  range(start: {window: LogWindow} | {after: string}): JournalRequest
  /** An event stream of everything strictly after `after`, or from the head of the matching journal. */
  stream(after: string | undefined): JournalRequest
}

export interface JournalSelection {
  /** FIELD:value matches (all must hold); validated by parseJournalFilter. */
  filters?: Array<[string, string]>
  /** Microseconds since the epoch, inclusive. */
  since?: number
  until?: number
}

/** dcos-log pings every 15 s on journal event streams; three missed pings mean the connection is gone. */
export const JOURNAL_IDLE_MS = 45_000

export function createJournalSource(
  http: HttpClient,
  stream: StreamInfo,
  protocol: JournalProtocol,
  window: LogWindow,
  selection: JournalSelection = {},
): LogSource {
  const keep = selectionTest(selection)
  return {
    stream,
    cursorOrder: 'journal',
    async *open(request: OpenRequest, signal: AbortSignal): AsyncIterable<LogEntry[]> {
      let last = request.after
      const toEntry = (value: Record<string, unknown>): LogEntry | undefined => {
        const entry = journalEntry(stream, value)
        if (entry.cursor === last) return undefined
        last = entry.cursor
        return keep(entry) ? entry : undefined
      }
      if (!request.follow || request.after === undefined) {
        const learnOnly = window.kind === 'tail' && window.lines === 0 && request.after === undefined
        if (learnOnly && !request.follow) return
        const start = request.after !== undefined ? {after: request.after} : {window: learnOnly ? {kind: 'tail' as const, lines: 1} : window}
        const range = protocol.range(start)
        const {response, body} = await http.stream(range.path, {
          query: range.query,
          headers: {...range.headers, Accept: 'application/json'},
          signal,
          mode: 'stream',
          purpose: `reading ${stream.label} logs`,
        })
        yield []
        if (response.status !== 204) {
          for await (const batch of readLines(body, (buf, start, end) => toEntry(parseJsonObject(buf.toString('utf8', start, end))))) {
            if (!learnOnly) yield batch
          }
        } else {
          body.destroy()
        }
        if (!request.follow) return
      }
      const follow = protocol.stream(last)
      const events = {
        path: follow.path,
        query: follow.query,
        headers: {...follow.headers, ...(last === undefined ? {} : {'Last-Event-ID': last})},
        idleMs: follow.idleMs ?? JOURNAL_IDLE_MS,
        purpose: `following ${stream.label} logs`,
      }
      yield* readJournalEvents(http, events, signal, (data) => toEntry(parseJsonObject(data)))
    },
  }
}

/** `{fields, cursor, monotonic_timestamp, realtime_timestamp}` as dcos-log sends it (NDJSON or SSE data). */
export function journalEntry(stream: StreamInfo, value: Record<string, unknown>): LogEntry {
  const fields = value.fields
  const cursor = value.cursor
  if (fields === null || typeof fields !== 'object' || typeof cursor !== 'string') {
    throw new CliError('protocol', 'the log server sent a journal entry without fields or cursor')
  }
  const map = fields as Record<string, string>
  return {
    stream,
    message: typeof map.MESSAGE === 'string' ? map.MESSAGE : '',
    cursor,
    realtime: typeof value.realtime_timestamp === 'number' ? value.realtime_timestamp : undefined,
    monotonic: typeof value.monotonic_timestamp === 'number' ? value.monotonic_timestamp : undefined,
    fields: map,
  }
}

function selectionTest(selection: JournalSelection): (entry: LogEntry) => boolean {
  const {filters = [], since, until} = selection
  if (filters.length === 0 && since === undefined && until === undefined) return () => true
  // journald ORs matches on the same field and ANDs different fields; so does this check.
  const byField = new Map<string, string[]>()
  for (const [field, value] of filters) byField.set(field, [...(byField.get(field) ?? []), value])
  return (entry) => {
    const time = entry.realtime
    if (since !== undefined && (time === undefined || time < since)) return false
    if (until !== undefined && (time === undefined || time > until)) return false
    for (const [field, values] of byField) if (!values.includes(entry.fields?.[field] ?? '\0')) return false
    return true
  }
}

/** `KEY:VALUE` as dcos-log takes it: the key is upper-cased by the server, the value may not contain ':'. */
export function parseJournalFilter(text: string): [string, string] {
  const parts = text.split(':')
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new CliError('usage', `--filter "${text}" must be KEY:VALUE with no other ':' (dcos-log cannot match values containing ':')`)
  }
  return [parts[0].toUpperCase(), parts[1]]
}

export function filterQuery(filters: Array<[string, string]>): string[] | undefined {
  return filters.length === 0 ? undefined : filters.map(([field, value]) => `${field}:${value}`)
}
