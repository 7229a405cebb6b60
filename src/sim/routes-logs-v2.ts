import {WORK_DIR, dcosLogContainerId, type Json} from './cluster-model.js'
import {DcosLogFileReader} from './file-reader.js'
import {goJsonString} from './go-json.js'
import {JournalError, buildPredicate, formatEntry, parseFilters, v2Start, type JournalFormat} from './journal.js'
import {BodyStream, GoBody, goError, sendComplete, type Exchange, type Headers} from './respond.js'
import type {SandboxFile} from './sandbox.js'
import type {LogNode, World} from './world.js'

/** dcos-log v2 (reference/dcos-log-server.md §6, §7, §10): component logs, task discovery, task files. */

export const STREAM_HEADERS: Headers = {
  'Access-Control-Allow-Origin': '*',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'Content-Type': 'text/event-stream',
  'X-Accel-Buffering': 'no',
}

const JOURNAL_HEADERS: Headers = {'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache', Connection: 'keep-alive'}
const NO_TOKEN = 'unable to get authorization header from a request'

/** Go's url.Values.Get over the raw query as Go ≥1.17 parses it: pairs containing `;` are dropped. */
export function goQuery(rawQuery: string): URLSearchParams {
  const kept = rawQuery.split('&').filter((pair) => pair.length > 0 && !pair.includes(';'))
  return new URLSearchParams(kept.join('&'))
}

/** strconv.Atoi-like: an optional sign and decimal digits, within int64. */
export function parseGoInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined
  const n = Number(text)
  return Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : undefined
}

export function parseUintError(text: string): string | undefined {
  if (/^\d+$/.test(text)) return BigInt(text) > 0xffffffffffffffffn ? `strconv.ParseUint: parsing "${text}": value out of range` : undefined
  return `strconv.ParseUint: parsing "${text}": invalid syntax`
}

/** Go's url.QueryUnescape (applied to the cursor a second time by dcos-log). */
export function queryUnescape(text: string): string {
  const bad = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(text)
  if (bad) throw new Error(`invalid URL escape "%${bad[1]}"`)
  return decodeURIComponent(text.replaceAll('+', ' '))
}

export function acceptFormat(ex: Exchange): 'sse' | 'json' | 'text' {
  const accept = ex.req.headers.accept
  return accept === 'text/event-stream' ? 'sse' : accept === 'application/json' ? 'json' : 'text'
}

/** Routes one request under `/v2/`; `segments` are the decoded path parts after `v2`. */
export async function handleV2(world: World, node: LogNode, ex: Exchange, segments: string[]): Promise<boolean> {
  if (ex.req.method !== 'GET') return false
  const [head, ...rest] = segments
  if (head === 'component' && rest.length <= 1) {
    await componentLogs(world, node, ex, rest[0])
    return true
  }
  if (head !== 'task' || rest.length === 0) return false
  if (rest[0] === 'frameworks' && rest[2] === 'executors' && rest[4] === 'runs' && rest.length >= 7) return agentTaskRoute(world, node, ex, rest)
  const [taskId, ...tail] = rest
  const kind = tail.length === 0 ? {file: 'stdout', suffix: ''}
    : tail.length === 1 && tail[0] === 'browse' ? {file: '', suffix: 'files/browse'}
    : tail.length === 1 && tail[0] === 'download' ? {file: 'stdout', suffix: 'download'}
    : tail.length === 2 && tail[0] === 'file' ? {file: tail[1], suffix: ''}
    : tail.length === 3 && tail[0] === 'file' && tail[2] === 'download' ? {file: tail[1], suffix: 'download'}
    : undefined
  if (kind === undefined) return false
  discover(world, ex, taskId, kind.file, kind.suffix)
  return true
}

function hasToken(world: World, ex: Exchange): boolean {
  return !world.requireTaskToken || (ex.req.headers.authorization ?? '').startsWith('token=')
}

// ---------------------------------------------------------------------------------------------------
// Component (journal) logs

async function componentLogs(world: World, node: LogNode, ex: Exchange, unit: string | undefined): Promise<void> {
  const query = goQuery(ex.rawQuery)
  const journal = node.journal
  let predicate
  let start: number
  let limit = 0
  let matches: number[]
  try {
    const filters = parseFilters(query.getAll('filter'), (f) => `incorrect filter parameter format, must be ?filer=key:value. Got ${f}`)
    predicate = buildPredicate(filters, unit)
    let cursor = query.get('cursor') ?? undefined
    if (cursor !== undefined && cursor !== 'BEG' && cursor !== 'END') {
      try {
        cursor = queryUnescape(cursor)
      } catch (error) {
        throw new JournalError(400, `unable to un-escape cursor parameter: ${(error as Error).message}`)
      }
    }
    const limitText = query.get('limit')
    if (limitText !== null) {
      const problem = parseUintError(limitText)
      if (problem) throw new JournalError(400, `unable to parse limit parameter: ${problem}`)
      limit = Number(limitText)
    }
    const skipText = query.get('skip')
    const skip = skipText === null ? 0 : parseGoInt(skipText)
    if (skip === undefined) throw new JournalError(400, `unable to parse skip parameter: strconv.Atoi: parsing "${skipText}": invalid syntax`)
    const lastEventId = ex.req.headers['last-event-id']
    if (typeof lastEventId === 'string' && lastEventId !== '') cursor = lastEventId
    matches = journal.matching(predicate)
    start = v2Start(journal, matches, {cursor: cursor === '' ? undefined : cursor, skip})
  } catch (error) {
    if (error instanceof JournalError) return goError(ex, error.status, error.message)
    throw error
  }
  const format = acceptFormat(ex)
  if (format !== 'sse') {
    const body = new BodyStream(ex, false)
    let sent = 0
    for (let p = start; p < matches.length && (limit === 0 || p - start < limit); p++) {
      const text = formatEntry(journal.entries[matches[p]], format)
      if (text.length === 0) continue
      if (sent === 0) body.head(200, {...JOURNAL_HEADERS, 'Content-Type': format === 'json' ? 'application/json' : 'text/plain'})
      sent += text.length
      const wait = body.write(text)
      if (wait) await wait
      if (body.closed) return
    }
    if (sent === 0) return goError(ex, 204, '', JOURNAL_HEADERS)
    return body.end()
  }
  await followJournal(world, ex, {
    journal,
    predicate,
    fromGlobal: start < matches.length ? matches[start] : journal.entries.length,
    limit,
    format: 'sse',
    headers: STREAM_HEADERS,
  })
}

export interface JournalFollow {
  journal: LogNode['journal']
  predicate: ((e: LogNode['journal']['entries'][number]) => boolean) | undefined
  /** Index in journal.entries to start scanning from. */
  fromGlobal: number
  limit: number
  format: JournalFormat
  headers: Headers
}

/** Streams matching entries from a position, then new ones as they arrive, with `: ping` keepalives. */
export async function followJournal(world: World, ex: Exchange, follow: JournalFollow): Promise<void> {
  const {journal, predicate, limit, format} = follow
  const stream = new BodyStream(ex, true)
  world.streams.add(stream)
  stream.head(200, follow.headers)
  let next = follow.fromGlobal
  let sent = 0
  let lastActivity = 0
  let wake: (() => void) | undefined
  const unsubscribe = journal.subscribe(() => wake?.())
  stream.whenClosed(() => {
    unsubscribe()
    world.streams.delete(stream)
    wake?.()
  })
  const connectedAt = Date.now()
  while (!stream.closed) {
    while (next < journal.entries.length && !stream.closed && (limit === 0 || sent < limit)) {
      const entry = journal.entries[next++]
      if (predicate !== undefined && !predicate(entry)) continue
      sent++
      const text = formatEntry(entry, format)
      if (text.length === 0) continue
      lastActivity = Date.now()
      const wait = stream.event(text)
      if (wait) await wait
    }
    await stream.flush()
    if (stream.closed) break
    // Idle: dcos-log pings on its first idle poll (~1 s) and then after 15 s without entries or pings;
    // once `limit` entries went out it sends nothing more, not even pings.
    const limitReached = limit !== 0 && sent >= limit
    const due = lastActivity === 0 ? connectedAt + world.pingFirstMs : lastActivity + world.pingIntervalMs
    const waitMs = limitReached || !format.startsWith('sse') ? 3_600_000 : Math.max(0, due - Date.now())
    const woke = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs)
      wake = () => {
        clearTimeout(timer)
        resolve(true)
      }
    })
    wake = undefined
    if (!woke && !limitReached && format.startsWith('sse') && !stream.closed) {
      lastActivity = Date.now()
      const wait = stream.event(': ping\n\n')
      if (wait) await wait
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Task discovery (master): 303 to the agent route

interface Found {
  task: Json
  framework: Json
}

function findTask(world: World, taskId: string): Found {
  const state = world.cluster.state
  const pass = (lists: Array<[Json, Json[]]>) => {
    const found: Found[] = []
    for (const [framework, tasks] of lists) {
      for (const task of tasks) if (task.name === taskId || String(task.id).includes(taskId)) found.push({task, framework})
    }
    if (found.length === 0) throw new Error('task not found')
    if (found.length > 1) throw new Error(`found more then 1 task with name ${taskId}: [${found.map((f) => f.task.id).join(' ')}]`)
    const containerId = dcosLogContainerId(found[0].task)
    if (containerId === undefined) throw new Error('invalid task. Container ID not found')
    return found[0]
  }
  const frameworks: Json[] = state.frameworks ?? []
  try {
    return pass(frameworks.map((f) => [f, f.tasks ?? []]))
  } catch {
    return pass([...frameworks, ...(state.completed_frameworks ?? [])].map((f) => [f, f.completed_tasks ?? []]))
  }
}

function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;'})[c] as string)
}

/** Go's http.Redirect: the path cleaned, non-ASCII percent-escaped, a small HTML body. */
function goRedirect(ex: Exchange, status: number, path: string): void {
  const url = Buffer.from(path).toString('latin1').replace(/[\u0080-\u00ff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  sendComplete(ex, status, {'Content-Type': 'text/html; charset=utf-8', Location: url}, `<a href="${htmlEscape(url)}">See Other</a>.\n\n`)
}

function discover(world: World, ex: Exchange, taskId: string, file: string, suffix: string): void {
  if (!hasToken(world, ex)) return goError(ex, 401, NO_TOKEN)
  let found: Found
  try {
    found = findTask(world, taskId)
  } catch (error) {
    return goError(ex, 500, `unable to get canonical task ID: ${(error as Error).message}`)
  }
  const {task, framework} = found
  const isPod = task.executor_id !== undefined && task.executor_id !== ''
  const executorId = isPod ? task.executor_id : task.id
  let path = `/system/v1/agent/${task.slave_id ?? task.agent_id}/logs/v2/task/frameworks/${framework.id}/executors/${executorId}/runs/${dcosLogContainerId(task)}`
  if (isPod) path += `/tasks/${task.id}`
  path += suffix === 'files/browse' ? '/files/browse' : `/${file}${suffix === 'download' ? '/download' : ''}`
  goRedirect(ex, 303, cleanPath(path) + (ex.rawQuery === '' ? '' : `?${ex.rawQuery}`))
}

function cleanPath(path: string): string {
  const out: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  return `/${out.join('/')}`
}

// ---------------------------------------------------------------------------------------------------
// Agent task routes: sandbox files through the Mesos files API

interface TaskRoute {
  frameworkId: string
  executorId: string
  containerId: string
  taskPath?: string
  action: 'read' | 'browse' | 'download'
  file: string
}

function parseTaskRoute(rest: string[]): TaskRoute | undefined {
  const [, frameworkId, , executorId, , containerId, ...tail] = rest
  let taskPath: string | undefined
  let remaining = tail
  if (tail[0] === 'tasks' && tail.length >= 3) {
    taskPath = tail[1]
    remaining = tail.slice(2)
  }
  const base = {frameworkId, executorId, containerId, taskPath}
  if (remaining.length === 2 && remaining[0] === 'files' && remaining[1] === 'browse') return {...base, action: 'browse', file: ''}
  if (remaining.length === 2 && remaining[1] === 'download') return {...base, action: 'download', file: remaining[0]}
  if (remaining.length === 1) return {...base, action: 'read', file: remaining[0]}
  return undefined
}

function sandboxDir(node: LogNode, route: TaskRoute): string {
  const dir = `${WORK_DIR}/slaves/${node.mesosId}/frameworks/${route.frameworkId}/executors/${route.executorId}/runs/${route.containerId}`
  return route.taskPath === undefined ? dir : `${dir}/tasks/${route.taskPath}`
}

async function agentTaskRoute(world: World, node: LogNode, ex: Exchange, rest: string[]): Promise<boolean> {
  const route = parseTaskRoute(rest)
  if (route === undefined) return false
  if (!hasToken(world, ex)) {
    goError(ex, 401, NO_TOKEN)
    return true
  }
  const dir = sandboxDir(node, route)
  const filesUrl = `http://${node.ip}:5051/files`
  if (route.action === 'browse') {
    if (!world.sandboxes.isDirectory(dir)) {
      goError(ex, 500, `unable to decode files API response: EOF. URL ${filesUrl}/browse?path=${encodeURIComponent(dir)}`)
    } else {
      const body = `${JSON.stringify(world.sandboxes.browse(dir))}\n`
      const go = new GoBody(ex, 200, {}, true)
      go.write(body)
      await go.end()
    }
    return true
  }
  const path = `${dir}/${route.file}`
  if (route.action === 'download') {
    const file = world.sandboxes.get(path)
    if (file === undefined) sendComplete(ex, 200, {})
    else sendComplete(ex, 200, {'Content-Disposition': `attachment; filename=${route.file}`, 'Content-Type': 'application/octet-stream'}, Buffer.from(file.slice(0, file.size)))
    return true
  }
  await readTaskFile(world, node, ex, route, path)
  return true
}

interface FileOptions {
  offset: number
  skip: number
  limit: number
}

function fileOptions(world: World, ex: Exchange, source: () => SandboxFile | undefined): FileOptions | {status: number; message: string} {
  const lastEventId = ex.req.headers['last-event-id']
  if (typeof lastEventId === 'string') {
    const offset = parseGoInt(lastEventId)
    if (offset === undefined) return {status: 400, message: `unable to parse Last-Event-ID header. ${lastEventId} not an integer`}
    return {offset, skip: 0, limit: 0}
  }
  const query = goQuery(ex.rawQuery)
  const cursor = query.get('cursor')
  const skipText = query.get('skip')
  const limitText = query.get('limit')
  let offset = 0
  if (cursor !== null && cursor !== 'BEG' && cursor !== 'END') {
    const parsed = parseGoInt(cursor)
    if (parsed === undefined) return {status: 400, message: `unable to parse cursor parameter. ${cursor} not an integer`}
    offset = parsed
  }
  const skip = skipText === null ? 0 : parseGoInt(skipText)
  if (skip === undefined) return {status: 400, message: `unable to parse skip parameter. ${skipText} not an integer`}
  const limit = limitText === null ? 0 : parseGoInt(limitText)
  if (limit === undefined) return {status: 400, message: `unable to parse limit parameter. ${limitText} not an integer`}
  if (offset < 0) return {status: 500, message: `unable to initialize files API reader: invalid offset ${offset}. Must be zero or positive integer`}
  // Setup reads (the size for END, the backward scan for skip<0) turn a missing file into 204.
  const stats = world.dcosLog.stats
  if (cursor === 'END') {
    const file = source()
    if (file === undefined) return {status: 204, message: ''}
    offset = DcosLogFileReader.size(file, stats)
  }
  if (skip < 0) {
    const file = source()
    if (file === undefined) return {status: 204, message: ''}
    offset = DcosLogFileReader.backward(file, offset, -skip, stats)
  }
  return {offset, skip: Math.max(skip, 0), limit: Math.max(limit, 0)}
}

/** Go's io.Copy buffer: each Read() of dcos-log's reader hands over one formatted line, cut to this; the rest is lost. */
const GO_COPY_BUFFER = 32 * 1024
/** net/http's ReadFrom copies a body's first 512 bytes apart (to sniff them), each Read() capped to what is left. */
const SNIFF_LEN = 512
/** About one Mesos read: the pace of a text read that spins on one spot of the file. */
const SPIN_MS = 3
const NEWLINE = Buffer.from('\n')

async function readTaskFile(world: World, node: LogNode, ex: Exchange, route: TaskRoute, path: string): Promise<void> {
  const source = () => world.sandboxes.get(path)
  const options = fileOptions(world, ex, source)
  if ('status' in options) return goError(ex, options.status, options.message)
  let gone = false
  ex.res.once('close', () => {
    gone = !ex.res.writableFinished
  })
  const sse = acceptFormat(ex) === 'sse'
  const reader = new DcosLogFileReader(source, options.offset, {
    skip: options.skip,
    limit: options.limit,
    stream: sse,
    ideal: world.dcosLog.ideal,
    stats: world.dcosLog.stats,
    clientGone: () => gone,
  })
  if (sse) return streamTaskFile(world, node, ex, route, reader, source)
  const body = new GoBody(ex, 200, {}, true)
  const cut = !world.dcosLog.ideal
  let written = 0
  // The handler calls io.Copy until it returns anything but ErrNoData. Until net/http has sent the header
  // (once a copy got 512 bytes through), each copy starts with the 512-byte sniffing step.
  for (let copies = 0; ; copies++) {
    let sniffLeft = body.started ? Infinity : SNIFF_LEN
    let outcome: 'eof' | 'no-data'
    const offsetBefore = reader.offset
    for (;;) {
      const line = reader.next()
      if (line === 'missing') {
        if (written === 0) return goError(ex, 404, 'File not found')
        body.write('File not found\n')
        return body.end()
      }
      if (line === 'eof' || line === 'no-data') {
        outcome = line
        break
      }
      const formatted = Buffer.concat([line.bytes, NEWLINE])
      const room = cut ? Math.min(GO_COPY_BUFFER, sniffLeft) : Infinity
      const piece = formatted.length > room ? formatted.subarray(0, room) : formatted
      let wait = body.write(piece)
      written += piece.length
      sniffLeft -= piece.length
      if (sniffLeft <= 0) {
        sniffLeft = Infinity
        wait = body.startChunked() ?? wait
      }
      if (wait) await wait
      // A write to a client that left fails, and the handler returns.
      if (gone || body.closed) return
    }
    if (outcome === 'eof') return body.end()
    // ErrNoData: io.Copy again at once. When nothing moved, that re-reads the same spot from Mesos, a loop that
    // outlives the client until the file changes (reference/dcos-log-server.md §7.3); paced at Mesos' speed.
    if (reader.offset === offsetBefore) {
      const stopped = await world.dcosLog.spin(SPIN_MS)
      if (stopped) return
    } else if (copies % 64 === 63) await new Promise((resolve) => setImmediate(resolve))
  }
}

async function streamTaskFile(world: World, node: LogNode, ex: Exchange, route: TaskRoute, reader: DcosLogFileReader, source: () => SandboxFile | undefined): Promise<void> {
  const stream = new BodyStream(ex, true)
  world.streams.add(stream)
  stream.head(200, STREAM_HEADERS)
  const prefix = `data: {"fields":{"AGENT_ID":${goJsonString(node.mesosId)},"CONTAINER_ID":${goJsonString(route.containerId)},"EXECUTOR_ID":${goJsonString(route.executorId)},"FILE":${goJsonString(route.file)},"FRAMEWORK_ID":${goJsonString(route.frameworkId)},"MESSAGE":`
  const cut = !world.dcosLog.ideal
  let wake: (() => void) | undefined
  let unsubscribe: (() => void) | undefined
  let watched: SandboxFile | undefined
  stream.whenClosed(() => {
    unsubscribe?.()
    world.streams.delete(stream)
    wake?.()
  })
  while (!stream.closed) {
    const file = source()
    if (file !== watched) {
      unsubscribe?.()
      watched = file
      unsubscribe = file?.subscribe(() => wake?.())
    }
    // One io.Copy: Read() after Read() until an error (ErrNoData, EOF, a missing file, which is only logged).
    let copied = 0
    for (;;) {
      const line = reader.next()
      if (typeof line === 'string') break
      const id = line.start > 0 && (line.end > line.start || world.dcosLog.ideal) ? `id: ${line.end}\n` : ''
      const event = `${id}${prefix}${goJsonString(line.bytes.toString())}}}\n\n`
      // An event longer than the copy buffer is cut, and the next one follows it unseparated.
      const bytes = cut && event.length > GO_COPY_BUFFER / 3 ? Buffer.from(event) : undefined
      const wait = stream.event(bytes !== undefined && bytes.length > GO_COPY_BUFFER ? bytes.subarray(0, GO_COPY_BUFFER) : event)
      copied++
      if (wait) await wait
      if (stream.closed) return
    }
    await stream.flush()
    if (stream.closed || copied > 0) continue
    // Nothing copied: the real server sleeps a second; here appends wake the stream at once.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, world.filePollMs)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    wake = undefined
  }
}
