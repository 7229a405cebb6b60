import {gzipSync} from 'node:zlib'
import {JournalError, buildPredicate, formatEntry, parseFilters, v1Plan, type JournalFormat} from './journal.js'
import {BodyStream, goError, sendComplete, type Exchange, type Headers} from './respond.js'
import {acceptFormat, followJournal, goQuery, parseUintError, queryUnescape} from './routes-logs-v2.js'
import type {LogNode, World} from './world.js'

/** dcos-log v1 (journald only; reference/dcos-log-server.md §5): /range/, /stream/, /fields/, downloads. */

const ALLOWED_FIELDS = new Set(['FRAMEWORK_ID', 'AGENT_ID', 'EXECUTOR_ID', 'CONTAINER_ID', 'STREAM'])

/** Every v1 error is wrapped with the request's details. */
function v1Error(ex: Exchange, status: number, message: string, uri: string): void {
  const remote = `${ex.req.socket.remoteAddress ?? '127.0.0.1'}:${ex.req.socket.remotePort ?? 0}`
  goError(ex, status, `Message: ${message} [request URI: ${uri}; remote address: ${remote}; Accept: ${ex.req.headers.accept ?? ''}; Proto: HTTP/1.1]`)
}

interface V1Route {
  mode: 'range' | 'stream'
  download: boolean
  task?: {frameworkId: string; executorId: string; containerId: string}
}

function parseRoute(segments: string[], trailingSlash: boolean): V1Route | undefined {
  const [mode, ...rest] = segments
  if (mode !== 'range' && mode !== 'stream') return undefined
  if (rest.length === 0) return trailingSlash ? {mode, download: false} : undefined
  if (mode === 'range' && rest.length === 1 && rest[0] === 'download') return {mode, download: true}
  if (rest[0] === 'framework' && rest[2] === 'executor' && rest[4] === 'container' && (rest.length === 6 || (rest.length === 7 && rest[6] === 'download' && mode === 'range'))) {
    return {mode, download: rest.length === 7, task: {frameworkId: rest[1], executorId: rest[3], containerId: rest[5]}}
  }
  return undefined
}

/** Routes one request under `/v1/`; `uri` is the request URI as dcos-log sees it (for error texts). */
export async function handleV1(world: World, node: LogNode, ex: Exchange, segments: string[], uri: string, trailingSlash: boolean): Promise<boolean> {
  if (segments[0] === 'fields' && segments.length === 2) {
    fields(node, ex, segments[1], uri)
    return true
  }
  if (ex.req.method !== 'GET') return false
  const route = parseRoute(segments, trailingSlash)
  if (route === undefined) return false
  if (route.task && world.authEnabled && !(ex.req.headers.authorization ?? '').startsWith('token=')) {
    goError(ex, 401, 'Token error: Missing token in auth request')
    return true
  }
  await journalRequest(world, node, ex, route, uri)
  return true
}

function fields(node: LogNode, ex: Exchange, field: string, uri: string): void {
  if (!ALLOWED_FIELDS.has(field)) return v1Error(ex, 400, `${field} is not an allowed field`, uri)
  const values = new Set<string>()
  for (const entry of node.journal.entries) if (entry.fields[field] !== undefined) values.add(entry.fields[field])
  if (values.size === 0) return goError(ex, 204, '')
  sendComplete(ex, 200, {'Content-Type': 'application/json'}, JSON.stringify([...values]))
}

async function journalRequest(world: World, node: LogNode, ex: Exchange, route: V1Route, uri: string): Promise<void> {
  const query = goQuery(ex.rawQuery)
  const journal = node.journal
  let filters: Array<[string, string]>
  let cursor: string | undefined
  let limit = 0
  let skipNext = 0
  let skipPrev = 0
  let readReverse = false
  try {
    filters = parseFilters(query.getAll('filter'), (f) => `Incorrect filter parameter format, must be ?filer=key:value. Got ${f}`)
    const cursorText = query.get('cursor')
    if (cursorText !== null && cursorText !== '') {
      try {
        cursor = queryUnescape(cursorText)
      } catch (error) {
        throw new JournalError(400, `Unable to unescape cursor parameter: ${(error as Error).message}`)
      }
    }
    const uint = (name: string, prefix: string) => {
      const text = query.get(name)
      if (text === null || text === '') return 0
      const problem = parseUintError(text)
      if (problem) throw new JournalError(400, `${prefix}${problem}`)
      return Number(text)
    }
    limit = uint('limit', 'Error parsing paramter `limit`: ')
    skipNext = uint('skip_next', 'Error parsing parameter skip_next: ')
    skipPrev = uint('skip_prev', 'Error parsing parameter skip_prev: ')
    const reverseText = query.get('read_reverse')
    if (reverseText !== null && reverseText !== '') {
      if (route.mode === 'stream') throw new JournalError(400, 'Unable to stream events with `read_reverse` parameter')
      const truthy = ['1', 't', 'T', 'TRUE', 'true', 'True']
      const falsy = ['0', 'f', 'F', 'FALSE', 'false', 'False']
      if (!truthy.includes(reverseText) && !falsy.includes(reverseText)) throw new JournalError(400, `strconv.ParseBool: parsing "${reverseText}": invalid syntax`)
      readReverse = truthy.includes(reverseText)
    }
    if (route.mode === 'stream' && limit > 0) throw new JournalError(400, 'Unable to stream events with `limit` parameter')
    const lastEventId = ex.req.headers['last-event-id']
    if (route.mode === 'stream' && typeof lastEventId === 'string' && lastEventId !== '') {
      cursor = lastEventId
      skipNext = 0
      skipPrev = 0
    }
  } catch (error) {
    if (error instanceof JournalError) return v1Error(ex, error.status, error.message, uri)
    throw error
  }
  if (route.task) {
    filters.push(['CONTAINER_ID', route.task.containerId], ['FRAMEWORK_ID', route.task.frameworkId], ['EXECUTOR_ID', route.task.executorId])
  }
  const predicate = buildPredicate(filters)
  const matches = journal.matching(predicate)
  let plan
  try {
    plan = v1Plan(journal, matches, {cursor, skipNext, skipPrev, readReverse})
  } catch (error) {
    if (error instanceof JournalError) return v1Error(ex, error.status, error.message, uri)
    throw error
  }
  const accept = acceptFormat(ex)
  const headers: Headers = {
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'Content-Type': accept === 'sse' ? 'text/event-stream' : accept === 'json' ? 'application/json' : 'text/plain',
    ...(route.mode === 'stream' ? {'X-Accel-Buffering': 'no'} : {}),
    'X-Journal-Skip-Next': skipNext,
    'X-Journal-Skip-Prev': plan.movedPrev,
  }
  if (route.mode === 'stream') {
    const format: JournalFormat = accept === 'sse' ? 'sse' : accept
    return followJournal(world, ex, {journal, predicate, fromGlobal: plan.start < matches.length ? matches[plan.start] : journal.entries.length, limit: 0, format, headers})
  }
  const format: JournalFormat = accept === 'sse' ? 'sse-no-id' : accept
  let text = ''
  const order = limit > 0 ? plan.order.slice(0, limit) : plan.order
  for (const index of order) text += formatEntry(journal.entries[index], format)
  // An SSE range with nothing to send still gets the keepalive the SSE formatter emits when idle.
  if (text === '' && accept === 'sse') text = ': ping\n\n'
  if (route.download) {
    const name = route.task ? `task-${route.task.containerId}` : 'root-range'
    const postfix = query.get('postfix')
    const filename = `${name}${postfix ? `-${postfix}` : ''}.log.gz`
    return sendComplete(ex, 200, {...headers, 'Content-Disposition': `attachment; filename=${filename}`}, gzipSync(text))
  }
  if (text === '') {
    const {['Content-Type']: _type, ...rest} = headers
    return goError(ex, 204, '', rest)
  }
  const body = new BodyStream(ex, false)
  body.head(200, headers)
  body.write(text)
  await body.end()
}
