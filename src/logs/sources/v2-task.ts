/**
 * Task sandbox files over logging v2 (dcos-log reading the Mesos files API on the agent).
 *
 * Routes: the agent route when the caller resolved the task (agent, framework, executor, container and,
 * for a pod task, its task id): it skips the discovery's own master-state fetch and its ambiguity (it
 * matches ids by substring and fails on several matches). Otherwise the discovery route, whose 303 the
 * HTTP client follows on the same origin.
 *
 * Requests: following is an event stream (`Accept: text/event-stream`), whose ids are byte offsets (the
 * first line of a file comes without one: its cursor is its byte length). A read without following is
 * text, streamed, whose lines carry no cursor. Resuming sends `Last-Event-ID` (or `cursor=` for text)
 * and no window parameters (the server ignores them then anyway).
 *
 * Exact windows. dcos-log's `cursor=END&skip=-N` is wrong when the last N lines span more than 64 KiB
 * (it starts mid-line or returns N-1 lines), and reading from offset 0 splits the line that straddles
 * byte 65,536. Both only happen in files of 64 KiB or more. So, when the agent route is known, one
 * files-API size probe decides: under 64 KiB the server's window is exact and used as is. In a bigger
 * file the last 64 KiB are read over the files API; when they hold the window, it is printed from them
 * (no second read of the same bytes; a follow goes on over logging v2 after its last line). A bigger
 * window without following is read over logging v2 from an offset estimated to lie before it, keeping
 * the last N lines; an estimate that falls short is completed backwards over the files API (see
 * estimatedWindow). Otherwise (following) the start of the window is found by scanning backwards
 * through the files API (MesosFile.windowStart, exact), and logging v2 reads on from the newline just
 * before it (an offset > 0, which dcos-log reads correctly). A window starting at byte 0 of a big file
 * reads its first 64 KiB over the files API and hands over at the last newline there. The files API is
 * reached at the sandbox path dcos-log itself uses (derived from the route), so it names the same file. Without the agent route, or when the files
 * API is refused (permissions), the server's window is used and may suffer the defect above.
 * Lines printed from files-API bytes carry their byte-offset cursor; logging v2 text lines carry none.
 * Empty lines are dropped by dcos-log; the files API reader drops them too, so the output is the same.
 */
import {Readable} from 'node:stream'
import {CliError, isCliError} from '../../cluster/errors.js'
import {type HttpClient, type QueryValue, encodePath} from '../../cluster/http.js'
import {ByteEntry, type LogEntry, type LogSource, type OpenRequest, type StreamInfo} from '../entry.js'
import {taskEventEntry} from '../sse.js'
import {BackwardLineScan, LineAssembler, MESOS_READ_CAP, MesosFile, NewlineCount, fileGone, finishRotated, replacedSince} from './files-api.js'
import {RANGE_IDLE_MS} from './journal.js'
import {type EventDecoder, type LineDecoder, readEventStream, readLines} from './read.js'
import type {LogWindow} from './window.js'

/**
 * Task streams carry no keepalive and an idle task may be silent for hours, so silence proves nothing:
 * after a minute of it the stream is reopened from its cursor (cheap, nothing repeated), which also
 * catches a half-open connection within a minute.
 */
export const TASK_IDLE_MS = 60_000

const LF = 0x0a

/** How far before the end an estimated window starts, relative to the estimate from the last 64 KiB. */
const ESTIMATE_MARGIN = 1.05
/** How far past an estimated offset a short estimate looks for the end of the line it fell in. */
const SHORTFALL_AHEAD = 8 * 1024
/** An estimated window is held in memory until its end: beyond this size the exact scan streams it. */
const ESTIMATE_MAX_BYTES = 32 * 1024 * 1024

export interface AgentTaskRoute {
  agentId: string
  frameworkId: string
  /** The executor id, or the task id for a command task (no executor). */
  executorId: string
  /** The top-level (executor) container id: the root of the task's container parent chain. */
  containerId: string
  /** For a task run by an executor (pod / task group): its task id, adds `/tasks/{id}`. */
  podTaskId?: string
}

export interface V2TaskTarget {
  stream: StreamInfo
  taskId: string
  /** A top-level sandbox file (`stdout`); logging v2 cannot carry nested paths. */
  file: string
  route?: AgentTaskRoute
  /** Use the files API for exact windows over 64 KiB (default true when the route is known). */
  exactWindows?: boolean
  /** Silence after which a followed stream is reopened from its cursor (default TASK_IDLE_MS). */
  idleMs?: number
}

export function createV2TaskSource(http: HttpClient, target: V2TaskTarget, window: LogWindow): LogSource {
  if (target.file.includes('/')) {
    throw new CliError('usage', `logging v2 cannot read nested sandbox paths such as ${target.file}`, {
      hint: 'nested files are read over the Mesos files API',
    })
  }
  const {stream, route} = target
  const path = route === undefined ? encodePath('system', 'v1', 'logs', 'v2', 'task', target.taskId, 'file', target.file) : agentRoutePath(route, target.file)
  const files = route !== undefined && target.exactWindows !== false ? new MesosFile(http, route.agentId, `${dcosLogSandbox(route)}/${target.file}`) : undefined

  const decode: EventDecoder = (id, buf, start, end) => taskEventEntry(stream, id, buf, start, end)
  // Text lines carry no cursor; kept as bytes where they are valid UTF-8, a sink printing them unchanged copies them.
  const text: LineDecoder = (buf, start, end, utf8) => (utf8 ? new ByteEntry(stream, undefined, buf, start, end) : {stream, message: buf.toString('utf8', start, end)})

  /** The body of a read: an event stream when following, else text. */
  async function open(query: Record<string, QueryValue>, headers: Record<string, string>, follow: boolean, signal: AbortSignal): Promise<Readable> {
    const {response, body} = await http.stream(path, {
      query,
      headers: {...headers, Accept: follow ? 'text/event-stream' : 'text/plain'},
      signal,
      mode: 'stream',
      idleMs: follow ? (target.idleMs ?? TASK_IDLE_MS) : RANGE_IDLE_MS,
      purpose: `reading ${target.file} of task ${target.taskId}`,
    })
    if (response.status === 204) {
      // dcos-log's answer when the file is not in the sandbox (its "File not found" body is dropped).
      body.destroy()
      throw new CliError('not-found', `there is no file '${target.file}' in the sandbox of task ${target.taskId}`, {
        hint: 'check the name; nested paths such as logs/app.log work too',
      })
    }
    // A web page (a proxy's login or error page) where log text belongs would print as log lines. The
    // HTTP client already refuses anything but an event stream when following.
    const type = String(response.headers['content-type'] ?? '')
    if (!follow && type.startsWith('text/html')) {
      body.destroy()
      throw new CliError('protocol', `reading ${target.file} of task ${target.taskId}: expected log text, got ${type}`, {status: response.status})
    }
    return body
  }
  async function* read(query: Record<string, QueryValue>, headers: Record<string, string>, follow: boolean, signal: AbortSignal) {
    const body = await open(query, headers, follow, signal)
    yield []
    yield* follow ? readEventStream(body, decode) : readLines(body, text)
  }
  const after = (cursor: string, follow: boolean, signal: AbortSignal) =>
    follow ? read({}, {'Last-Event-ID': cursor}, true, signal) : read({cursor}, {}, false, signal)

  /**
   * A follow resuming after logrotate replaced the file: dcos-log would read the new file at the old
   * offset (silence until it outgrows it, then a line cut in the middle). When the byte at the cursor is
   * no longer the newline it was, the old file's rest is read from `<file>.1` over the files API, and the
   * new file from its start.
   */
  async function* resume(cursor: string, follow: boolean, signal: AbortSignal): AsyncIterable<LogEntry[]> {
    const next = Number(cursor) + 1
    if (!follow || files === undefined || !(await replacedIfReadable(files, next - 1, signal))) return yield* after(cursor, follow, signal)
    const lines = new LineAssembler(stream)
    lines.restart(next)
    yield* finishRotated(new MesosFile(http, files.agentId, `${files.path}.1`), next, lines, signal)
    let first = true
    for await (const batch of read({cursor: 'BEG'}, {}, true, signal)) {
      if (first && batch.length > 0) {
        batch[0].restarted = true
        first = false
      }
      yield batch
    }
  }

  /**
   * The window's lines from bytes already read over the files API (`bytes` starts at file offset
   * `offset`; the window at `start`), then, unless those bytes reach the end of a file not followed,
   * logging v2 from the newline after the last line printed.
   */
  async function* fromBytes(bytes: Buffer, offset: number, start: number, reachEnd: boolean, follow: boolean, signal: AbortSignal): AsyncIterable<LogEntry[]> {
    const lines = new LineAssembler(stream)
    lines.restart(start)
    const batch = lines.push(bytes.subarray(start - offset))
    yield batch
    if (reachEnd && !follow) return yield lines.finish()
    const handover = batch.length > 0 ? batch[batch.length - 1].cursor : start > 0 ? String(start - 1) : undefined
    yield* handover === undefined ? read({cursor: 'BEG'}, {}, follow, signal) : after(handover, follow, signal)
  }

  /**
   * A window without following that the file's last 64 KiB do not hold: rather than scanning back 64 KiB
   * per round trip, logging v2 reads from an offset estimated (from the line length at the end, with a
   * margin) to lie before the window. That offset may fall inside a line, whose rest comes as the
   * answer's first line: the window never starts there, only after a newline of the answer. The answer's
   * bytes are held (as bytes: a hundred thousand entries held would cost more in garbage collection than
   * the read) and the window is its last `lines` lines. An estimate that falls short is completed over the
   * files API (shortfall). Undefined when no estimate can be made: the exact scan decides then.
   */
  async function estimatedWindow(end: number, scan: BackwardLineScan, scannedFrom: number, lines: number, files: MesosFile, signal: AbortSignal): Promise<Buffer[] | undefined> {
    const windowBytes = ((end - scannedFrom) / Math.max(scan.counted, 1)) * lines * ESTIMATE_MARGIN
    const guess = Math.floor(end - windowBytes)
    // From offset 0 dcos-log splits the line at byte 65,536; any later offset it reads correctly.
    if (scan.counted === 0 || windowBytes > ESTIMATE_MAX_BYTES || guess <= MESOS_READ_CAP) return undefined
    const counted = new NewlineCount()
    for await (const chunk of await open({cursor: guess}, {}, false, signal)) counted.push(chunk as Buffer)
    const found = counted.plain ? counted.lastLines(lines) : undefined
    if (found !== undefined) return found
    const answer = counted.chunks
    // Counted as if the answer lay at [guess, ...) in the file (it may lie a byte later, see shortfall);
    // a last line without newline counts, as readLines takes it as a line.
    let offset = guess + answer.reduce((sum, chunk) => sum + chunk.length, 0)
    const window = new BackwardLineScan(lines, offset, true)
    for (let i = answer.length - 1; i >= 0; i--) {
      offset -= answer[i].length
      const start = window.feed(answer[i], offset)
      if (start !== undefined) return [answer[i].subarray(start - offset), ...answer.slice(i + 1)]
    }
    return shortfall(guess, answer, window, files, signal)
  }

  /**
   * The lines an estimated window lacks, read backwards over the files API from the estimated offset
   * (a few reads where the exact scan would make ~150 and read the answer's bytes again), then the answer.
   * dcos-log's first line is the rest of the line the offset fell in (whose first character may come cut
   * and replaced: dcos-log decodes the Mesos answer as a string), or the next line when the offset was on
   * a newline. So a rest is taken from the files API, up to its newline, and dropped from the answer; the
   * files-API bytes then end where the answer's kept lines start, and join them as the file's bytes.
   * Undefined (the exact scan decides) when that newline is not within SHORTFALL_AHEAD of the offset.
   */
  async function shortfall(guess: number, answer: Buffer[], window: BackwardLineScan, files: MesosFile, signal: AbortSignal): Promise<Buffer[] | undefined> {
    const from = guess + SHORTFALL_AHEAD - MESOS_READ_CAP
    const near = await files.read(from, MESOS_READ_CAP, signal)
    const at = guess - from
    const lf = near === undefined ? -1 : near[at - 1] === LF ? at - 1 : near.indexOf(LF, at)
    const answerLf = lf > at ? firstLf(answer) : 0
    if (near === undefined || lf < 0 || answerLf < 0) return undefined
    const filesEnd = lf + 1
    const dropped = lf > at ? answerLf + 1 : 0
    window.rebase(from + filesEnd - guess - dropped)
    const kept = dropBytes(answer, dropped)
    const start = window.feed(near, from, filesEnd)
    if (start !== undefined) return [near.subarray(start - from, filesEnd), ...kept]
    const before = await files.scanBack(window, from, true, signal)
    return [...before.bytes, near.subarray(0, filesEnd), ...kept]
  }

  return {
    stream,
    cursorOrder: 'byte-offset',
    async *open(request: OpenRequest, signal: AbortSignal): AsyncIterable<LogEntry[]> {
      const {follow} = request
      if (request.after !== undefined) return yield* resume(request.after, follow, signal)
      if (window.kind === 'tail' && window.lines === 0) {
        if (follow) yield* read({cursor: 'END'}, {}, true, signal)
        return
      }
      const size = files === undefined ? undefined : await ifReadable(files.size(signal))
      if (files === undefined || size === undefined || size < MESOS_READ_CAP) {
        const query = window.kind === 'tail' ? {cursor: 'END', skip: -window.lines} : {cursor: 'BEG'}
        return yield* read(query, {}, follow, signal)
      }
      // A big file. A window from its start: its first 64 KiB over the files API, then logging v2.
      const fromStart = async function* () {
        const head = (await files.read(0, MESOS_READ_CAP, signal)) ?? Buffer.alloc(0)
        yield* fromBytes(head, 0, 0, head.length < MESOS_READ_CAP, follow, signal)
      }
      if (window.kind === 'all') return yield* fromStart()
      // Its last 64 KiB often hold the window: printed from there, with no second read of the same bytes.
      const from = size - MESOS_READ_CAP
      const tail = await files.read(from, MESOS_READ_CAP, signal)
      if (tail === undefined) throw fileGone(files.path)
      const scan = new BackwardLineScan(window.lines, size, !follow)
      const found = scan.feed(tail, from)
      if (found !== undefined) return yield* fromBytes(tail, from, found, true, follow, signal)
      const estimated = follow ? undefined : await estimatedWindow(size, scan, from, window.lines, files, signal)
      if (estimated !== undefined) return yield* readLines(Readable.from(estimated), text)
      const start = await files.windowStart(window.lines, size, !follow, signal)
      yield* start > 0 ? after(String(start - 1), follow, signal) : fromStart()
    },
  }
}

export function agentRoutePath(route: AgentTaskRoute, file: string): string {
  const pod = route.podTaskId === undefined ? [] : ['tasks', route.podTaskId]
  return encodePath('system', 'v1', 'agent', route.agentId, 'logs', 'v2', 'task', 'frameworks', route.frameworkId, 'executors', route.executorId, 'runs', route.containerId, ...pod, file)
}

/** Where dcos-log reads the sandbox (its work dir is hard-coded): the same file it serves. */
export function dcosLogSandbox(route: AgentTaskRoute): string {
  const pod = route.podTaskId === undefined ? '' : `/tasks/${route.podTaskId}`
  return `/var/lib/mesos/slave/slaves/${route.agentId}/frameworks/${route.frameworkId}/executors/${route.executorId}/runs/${route.containerId}${pod}`
}

/** replacedSince, but false where the files API is refused (then dcos-log's own resume is all there is). */
async function replacedIfReadable(file: MesosFile, cursor: number, signal: AbortSignal): Promise<boolean> {
  try {
    return await replacedSince(file, cursor, signal)
  } catch (error) {
    if (isCliError(error) && !error.retryable && error.kind !== 'auth') return false
    throw error
  }
}

/** A files-API answer, or undefined when the files API refuses (the server's window is used then). */
async function ifReadable<T>(answer: Promise<T>): Promise<T | undefined> {
  try {
    return await answer
  } catch (error) {
    if (isCliError(error) && !error.retryable && error.kind !== 'auth') return undefined
    throw error
  }
}

/** The offset of the first newline in `chunks` taken as one, or -1. */
function firstLf(chunks: readonly Buffer[]): number {
  let offset = 0
  for (const chunk of chunks) {
    const lf = chunk.indexOf(LF)
    if (lf >= 0) return offset + lf
    offset += chunk.length
  }
  return -1
}

/** `chunks` without their first `count` bytes. */
function dropBytes(chunks: readonly Buffer[], count: number): Buffer[] {
  let left = count
  let i = 0
  for (; i < chunks.length && chunks[i].length <= left; i++) left -= chunks[i].length
  return i < chunks.length ? [chunks[i].subarray(left), ...chunks.slice(i + 1)] : []
}
