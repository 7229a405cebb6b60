import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {FORBIDDEN_HTML, SUPERUSER, UNAUTHORIZED_HTML, requiredPermission} from './auth.js'
import type {FaultBook} from './faults.js'
import {goError, nginxPage, sendComplete, sendJson, sendNginxPage, type Exchange} from './respond.js'
import {handleV1} from './routes-logs-v1.js'
import {handleV2} from './routes-logs-v2.js'
import {operatorApi, operatorCallType} from './operator-api.js'
import {UI_INDEX_HTML, dcosVersionJson, handleAgent, handleHealth, handleMarathon, handleMaster, handleMisc, uiConfigJson} from './routes-mesos.js'
import type {LogNode, World} from './world.js'

/**
 * The HTTP front: what Admin Router does (auth, agent routing, unknown agents, locations that exist per
 * DC/OS version) and the dispatch to the simulated services behind it.
 */

export interface RecordedRequest {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  status: number
  /** The Operator API call of a `POST /mesos/api/v1` (`SUBSCRIBE`, `GET_AGENTS`), when its body is one. */
  call?: string
}

export interface Front {
  world: World
  faults: FaultBook
  requests: RecordedRequest[]
  admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>
}

const OPERATOR_API = '/mesos/api/v1'
const AGENT_ROUTE = /^\/system\/v1\/agent\/([0-9a-zA-Z-]+)(\/.*)?$/
const AGENT_FILES_ROUTE = /^\/(agent|slave)\/([^/]+)(\/.*)?$/

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** What kind of endpoint a request is, for fault matching. */
function classify(path: string, accept: string | undefined): Set<string> {
  const tags = new Set<string>(['any'])
  const sse = accept === 'text/event-stream'
  if (/\/logs\/v2\/component/.test(path)) tags.add('component')
  if (/\/logs\/v1\/(range|stream)\/?$/.test(path)) tags.add('component')
  if (/\/logs\/v[12]\/task|\/logs\/v1\/(range|stream)\/framework/.test(path)) tags.add('task')
  if (/\/logs\/v2\/task\//.test(path) && !/\/logs\/v2\/task\/frameworks\//.test(path)) tags.add('discovery')
  if (sse || /\/logs\/v1\/stream/.test(path)) {
    tags.add('stream')
    if (tags.has('component') && !tags.has('task')) tags.add('component-stream')
    if (tags.has('task') && !tags.has('discovery')) tags.add('task-stream')
  }
  if (/^\/mesos\//.test(path)) tags.add('state')
  if (/^\/(agent|slave)\/[^/]+\/files\//.test(path)) tags.add('files')
  return tags
}

function unknownAgent(ex: Exchange, id: string): void {
  sendComplete(ex, 404, {'Content-Type': 'text/plain'}, `404 Not Found: agent \`${id}\` unknown.\n`)
}

export function createFront(front: Front): Server {
  const server = createServer((req, res) => {
    handle(front, req, res).catch((error: unknown) => {
      if (!res.headersSent) goError({req, res, faults: front.faults, rawQuery: '', path: '', tags: new Set()}, 500, `sim: ${(error as Error).message}`)
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 5000
  return server
}

async function handle(front: Front, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const rawPath = q < 0 ? url : url.slice(0, q)
  const rawQuery = q < 0 ? '' : url.slice(q + 1)
  let path = rawPath
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    // keep the raw path; routes will not match it
  }
  if (path.startsWith('/__sim/')) return front.admin(req, res, path)
  const record: RecordedRequest = {method: req.method ?? 'GET', url, headers: {...req.headers}, status: 0}
  front.requests.push(record)
  res.on('close', () => {
    record.status = res.statusCode
  })
  // An Operator API call is known by its body, so that is read before faults are matched.
  const operatorCall = path === OPERATOR_API && req.method === 'POST' ? await readBodyBytes(req) : undefined
  const call = operatorCall === undefined ? undefined : operatorCallType(req.headers, operatorCall)
  if (call !== undefined) record.call = call
  // The event stream runs beside whatever a client follows: only faults that name it reach it (see faults.ts).
  const tags = call === 'SUBSCRIBE' ? new Set(['subscribe']) : classify(path, req.headers.accept)
  const ex: Exchange = {req, res, faults: front.faults, rawQuery, path, tags}
  try {
    await route(front, ex, rawPath, operatorCall)
  } finally {
    if (res.headersSent) record.status = res.statusCode
  }
}

async function route(front: Front, ex: Exchange, rawPath: string, operatorCall: Buffer | undefined): Promise<void> {
  const {world} = front
  const {path, req} = ex
  if (path === '/dcos-metadata/dcos-version.json') {
    return sendComplete(ex, 200, {'Content-Type': 'application/json', 'Cache-Control': 'no-cache'}, dcosVersionJson(world))
  }
  // Unauthenticated in Admin Router, like dcos-version.json: the UI and its configuration.
  if (path === '/') return sendComplete(ex, 200, {'Content-Type': 'text/html'}, UI_INDEX_HTML)
  if (path === '/dcos-metadata/ui-config.json') return sendJson(ex, 200, uiConfigJson(world))
  if (path === '/acs/api/v1/auth/providers') return sendJson(ex, 200, world.auth.providers())
  if (path === '/acs/api/v1/auth/login') {
    if (req.method !== 'POST') return sendNginxPage(ex, 404)
    const text = await readBody(req)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    const result = await world.auth.login(body)
    return sendJson(ex, result.status, result.body)
  }
  if (world.authEnabled) {
    const grant = world.auth.grantFor(req.headers.authorization, world.version.bearer)
    if (grant === undefined) {
      return sendComplete(ex, 401, {'Content-Type': 'text/html; charset=UTF-8', 'WWW-Authenticate': 'acsjwt'}, UNAUTHORIZED_HTML)
    }
    const permission = requiredPermission(path)
    if (permission !== undefined && !grant.permissions.has(permission) && !grant.permissions.has(SUPERUSER)) {
      return sendComplete(ex, 403, {'Content-Type': 'text/html; charset=UTF-8'}, FORBIDDEN_HTML)
    }
  }
  const delay = front.faults.take('delay', ex)
  if (delay) await sleep(delay.ms)
  const status = front.faults.take('status', ex)
  if (status) {
    const body = status.body ?? nginxPage(status.status)
    return sendComplete(ex, status.status, {'Content-Type': status.body === undefined ? 'text/html' : 'text/plain; charset=utf-8'}, body)
  }
  if (operatorCall !== undefined) return operatorApi(world, ex, operatorCall)
  if (path.startsWith('/mesos/')) {
    if (!handleMaster(world, ex, path.slice('/mesos'.length))) sendComplete(ex, 404, {})
    return
  }
  const agentFiles = AGENT_FILES_ROUTE.exec(path)
  if (agentFiles) {
    if (world.cluster.agent(agentFiles[2]) === undefined) return unknownAgent(ex, agentFiles[2])
    if (!handleAgent(world, ex, agentFiles[2], agentFiles[3] ?? '/')) sendComplete(ex, 404, {})
    return
  }
  const agentRoute = AGENT_ROUTE.exec(path)
  if (agentRoute) {
    const node = world.agentNode(agentRoute[1])
    const rest = agentRoute[2] ?? ''
    if (!/^\/(logs|metrics\/v0|dcos-metadata)/.test(rest)) return sendNginxPage(ex, 404)
    if (node === undefined) return unknownAgent(ex, agentRoute[1])
    if (rest === '/dcos-metadata/dcos-version.json' && world.version.logsV2) {
      return sendComplete(ex, 200, {'Content-Type': 'application/json', 'Cache-Control': 'no-cache'}, dcosVersionJson(world))
    }
    return dcosLog(world, node, ex, rest, rawPath)
  }
  const leaderLogs = /^\/system\/v1\/(?:leader\/(?:mesos|marathon)\/)?(logs(?:\/.*)?)$/.exec(path)
  if (leaderLogs) return dcosLog(world, world.leaderNode, ex, `/${leaderLogs[1]}`, rawPath)
  if (path.startsWith('/service/marathon/')) {
    if (!handleMarathon(world, ex, path.slice('/service/marathon'.length))) sendJson(ex, 404, {message: 'Not Found'})
    return
  }
  if (path.startsWith('/system/health/v1/')) {
    if (!handleHealth(world, ex, path.slice('/system/health/v1'.length))) sendNginxPage(ex, 404)
    return
  }
  if (!handleMisc(world, ex, path)) sendNginxPage(ex, 404)
}

/** dcos-log on a node; `rest` starts with `/logs`. The location exists from DC/OS 1.9 (logging v1). */
async function dcosLog(world: World, node: LogNode, ex: Exchange, rest: string, rawPath: string): Promise<void> {
  if (!world.version.logsV1) return sendNginxPage(ex, 404)
  const sub = rest.slice('/logs'.length)
  const segments = sub.split('/').filter((s) => s.length > 0)
  const rawSub = rawPath.slice(rawPath.indexOf('/logs/') + '/logs'.length)
  const uri = rawSub + (ex.rawQuery === '' ? '' : `?${ex.rawQuery}`)
  let handled = false
  if (segments[0] === 'v2' && world.version.logsV2) handled = await handleV2(world, node, ex, segments.slice(1))
  else if (segments[0] === 'v1') handled = await handleV1(world, node, ex, segments.slice(1), uri, sub.endsWith('/'))
  if (!handled) goError(ex, 404, '404 page not found')
}

export function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString()
}
