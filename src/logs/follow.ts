/**
 * follow(): one LogSource made resilient. It opens the source, passes its entries on, and after any
 * interruption (reset, a clean end while following, the HTTP client's idle watchdog, 502/503/504, a
 * redirect target briefly gone, a cut body) opens it again strictly after the last cursor seen: no line
 * lost, none twice. Written once for every protocol.
 *
 * - Backoff: the first retry is immediate, then 0.25 s doubling up to 10 s, each with jitter (half fixed,
 *   half random) so many followers do not reconnect in step. The count starts again once an attempt
 *   delivered new entries or stayed up 10 s, so a server that accepts and drops at once is not hammered.
 * - Giving up: while following, never on a retryable fault (the user sees `reconnecting` with the attempt
 *   and the reason, and Ctrl-C stops); without following, at once (`maxAttempts`). A non-retryable error
 *   (401, 403, 404, protocol) emits `failed` and is thrown.
 * - Repeats: after a resume, entries up to the resume cursor are dropped (byte offsets compare as
 *   numbers, journal cursors by seqnum within one journal file, anything else by equality). Only the
 *   first entries after a reconnect are checked: within one connection the source's order is trusted
 *   (a rotated file legitimately starts again at small offsets).
 * - Stopping: `isFinished` is asked when no entry arrived for `idleCheckMs`, and when the stream ends or
 *   breaks. A terminal answer (e.g. "TASK_FINISHED") drains: one read without following from the last
 *   cursor (which also yields a last line that never got its newline), then `ended` with that detail.
 *   The AbortSignal (Ctrl-C) ends with `ended`/"interrupted"; `lastCursor` is where to resume.
 * - Time comes from policy.now/sleep, so tests never wait.
 */
import {CliError, isCliError, toCliError} from '../errors.js'
import type {LogEntry, LogEvent, LogSource, StreamState} from './entry.js'
import {IDLE, idleRace} from './idle-race.js'

export interface FollowPolicy {
  /** Keep reading new entries (event stream or polling) instead of stopping at the end. */
  follow: boolean
  /** Start strictly after this cursor (the user's --cursor) instead of the source's window. */
  after?: string
  signal: AbortSignal
  now(): number
  /** Resolves after ms; may reject when its signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** The stop condition: a detail such as "TASK_FINISHED" once the stream can have no more entries. */
  isFinished?(): Promise<string | undefined>
  /** How long without entries before isFinished is asked again (default 3000 ms). */
  idleCheckMs?: number
  backoff?: {initialMs?: number; maxMs?: number}
  /**
   * Attempts of a read without following, counting the first: 1 by default, so a one-shot command ends
   * within its timeout (only a follow retries); a follow's last read once its task finished, 4.
   */
  maxAttempts?: number
  /** For the jitter; Math.random by default. */
  random?(): number
}

export interface FollowStream extends AsyncIterable<LogEvent> {
  /** The cursor of the last entry passed on: print it so the user can resume with --cursor. */
  readonly lastCursor: string | undefined
}

const STABLE_MS = 10_000

export function follow(source: LogSource, policy: FollowPolicy): FollowStream {
  let lastCursor: string | undefined
  const isAfter = cursorTest(source.cursorOrder)
  const {stream} = source

  async function* run(): AsyncGenerator<LogEvent> {
    const status = (state: StreamState, extra: {attempt?: number; detail?: string} = {}): LogEvent => ({
      type: 'status',
      status: {stream, state, cursor: lastCursor, ...extra},
    })
    const initialMs = policy.backoff?.initialMs ?? 250
    const maxMs = policy.backoff?.maxMs ?? 10_000
    const random = policy.random ?? Math.random
    let failures = 0
    let finished: string | undefined
    /** Entries passed on without a cursor: a resume could not tell where they end. */
    let uncursored = false
    yield status('connecting')
    for (;;) {
      if (policy.signal.aborted) return yield status('ended', {detail: 'interrupted'})
      const draining = finished !== undefined
      const request = {after: lastCursor ?? policy.after, follow: policy.follow && !draining}
      const attempt = new AbortController()
      const stop = () => attempt.abort(policy.signal.reason)
      policy.signal.addEventListener('abort', stop, {once: true})
      const iterator = source.open(request, attempt.signal)[Symbol.asyncIterator]()
      let pending: Promise<IteratorResult<LogEntry[]>> | undefined
      let resumeAfter = request.after
      let live = false
      let delivered = false
      let failure: CliError | undefined
      const startedAt = policy.now()
      const idleCheckMs = policy.idleCheckMs ?? 3000
      /** Since when no entry arrived: polling sources yield empty batches, which must not count as news. */
      let quietSince = startedAt
      const nextOrIdle = request.follow && policy.isFinished ? idleRace(() => idleCheckMs, attempt.signal, policy) : undefined
      try {
        while (!policy.signal.aborted) {
          pending ??= iterator.next()
          const result = nextOrIdle === undefined ? await pending : await nextOrIdle(pending)
          if (result === IDLE) {
            quietSince = policy.now()
            finished = await askFinished()
            if (finished !== undefined) break
            continue
          }
          pending = undefined
          if (result.done) break
          if (!live) {
            live = true
            yield status('live')
          }
          let entries = result.value
          if (resumeAfter !== undefined && entries.length > 0) {
            const after = resumeAfter
            const first = entries.findIndex((entry) => entry.cursor === undefined || entry.restarted === true || isAfter(entry.cursor, after))
            entries = first < 0 ? [] : entries.slice(first)
            if (first >= 0) resumeAfter = undefined
          }
          if (entries.length === 0) {
            if (request.follow && policy.isFinished && policy.now() - quietSince >= idleCheckMs) {
              quietSince = policy.now()
              finished = await askFinished()
              if (finished !== undefined) break
            }
            continue
          }
          quietSince = policy.now()
          const cursor = entries[entries.length - 1].cursor
          if (cursor === undefined) uncursored = true
          else {
            lastCursor = cursor
            uncursored = false
          }
          delivered = true
          yield {type: 'entries', entries}
        }
      } catch (error) {
        failure = isCliError(error) ? error : policy.signal.aborted ? undefined : toCliError(error)
      } finally {
        policy.signal.removeEventListener('abort', stop)
        attempt.abort()
        pending?.catch(() => {})
        // return() waits for a next() in flight; never block on a source that ignores its signal.
        iterator.return?.().catch(() => {})
      }

      if (policy.signal.aborted) return yield status('ended', {detail: 'interrupted'})
      if (failure !== undefined && !failure.retryable) {
        yield status('failed', {detail: failure.message})
        throw failure
      }
      if (failure === undefined && finished !== undefined && !draining) continue
      if (failure === undefined && !request.follow) return yield status('ended', {detail: finished ?? 'end of log'})

      const reason = failure?.message ?? 'the server ended the stream'
      if (!policy.follow || draining) {
        failures++
        if (uncursored || failures >= (policy.maxAttempts ?? (policy.follow ? 4 : 1))) {
          const error = failure ?? new CliError('network', reason, {retryable: true})
          yield status('failed', {detail: error.message})
          throw error
        }
      } else {
        if (policy.isFinished && finished === undefined) {
          finished = await askFinished()
          if (finished !== undefined) continue
        }
        failures = delivered || policy.now() - startedAt >= STABLE_MS ? 1 : failures + 1
      }
      yield status('reconnecting', {attempt: failures, detail: reason})
      if (failures > 1) {
        const base = Math.min(maxMs, initialMs * 2 ** (failures - 2))
        try {
          await policy.sleep(base / 2 + (random() * base) / 2, policy.signal)
        } catch {
          if (policy.signal.aborted) return yield status('ended', {detail: 'interrupted'})
        }
      }
    }
  }

  /**
   * The stop condition, asked of another endpoint (Mesos) than the stream: its failing (a 502 while a master
   * restarts, a token allowed to read logs but not state) only means "not known to be finished yet".
   */
  async function askFinished(): Promise<string | undefined> {
    try {
      return await policy.isFinished?.()
    } catch {
      return undefined
    }
  }

  return {
    get lastCursor() {
      return lastCursor
    },
    [Symbol.asyncIterator]: () => run(),
  }
}

/** Whether `cursor` lies strictly after `after`, for dropping repeats after a resume. */
export function cursorTest(order: LogSource['cursorOrder']): (cursor: string, after: string) => boolean {
  if (order === 'byte-offset') return (cursor, after) => Number(cursor) > Number(after)
  if (order === 'journal') return journalAfter
  return (cursor, after) => cursor !== after
}

/** journald cursors `s=<file id>;i=<seqnum hex>;...`: comparable only within one journal file. */
function journalAfter(cursor: string, after: string): boolean {
  if (cursor === after) return false
  const a = journalPosition(cursor)
  const b = journalPosition(after)
  if (a === undefined || b === undefined || a.file !== b.file) return true
  return a.seqnum > b.seqnum
}

function journalPosition(cursor: string): {file: string; seqnum: bigint} | undefined {
  const match = /(?:^|;)s=([^;]+);i=([0-9a-fA-F]+)(?:;|$)/.exec(cursor)
  return match === null ? undefined : {file: match[1], seqnum: BigInt(`0x${match[2]}`)}
}
