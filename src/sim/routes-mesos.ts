import {basename} from 'node:path'
import {AGENT_UNITS, MASTER_UNITS, PUBLIC_AGENT_UNITS} from './content.js'
import type {Json} from './cluster-model.js'
import {MESOS_READ_CAP} from './sandbox.js'
import {goError, sendComplete, sendJson, type Exchange} from './respond.js'
import type {World} from './world.js'

/**
 * Mesos master and agent endpoints as Admin Router exposes them (`/mesos/…`, `/agent/<id>/…`), plus the
 * small DC/OS services the CLI touches: dcos-version.json, ui-config.json, Marathon apps, health units,
 * metadata, Mesos-DNS and Cosmos capabilities.
 */

const TERMINAL = ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR']
const COUNTERS = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_KILLED', 'TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_UNREACHABLE']

/** libprocess errors: text/plain with the message (and its trailing newline). */
function mesosError(ex: Exchange, status: number, message: string): void {
  sendComplete(ex, status, {'Content-Type': 'text/plain; charset=utf-8'}, message)
}

export function dcosVersionJson(world: World): string {
  const {version, cluster} = world
  const body: Record<string, string> = {
    version: version.full,
    'dcos-image-commit': cluster.rng.hex(40),
    'bootstrap-id': cluster.rng.hex(40),
  }
  if (version.variant) body['dcos-variant'] = 'open'
  return JSON.stringify(body, null, 2)
}

/** What Admin Router serves at `/`: the UI's index page (the Go CLI's setup HEADs it for the canonical URL). */
export const UI_INDEX_HTML = '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>DC/OS</title></head>\n<body><div id="application"></div></body>\n</html>\n'

/**
 * `/dcos-metadata/ui-config.json`; the Python CLI reads `uiConfiguration.plugins.mesos["logging-strategy"]`
 * and takes logging v1 only when it is `journald` (reference/dcos-cli-behaviour.md §1.5).
 */
export function uiConfigJson(world: World): string {
  const strategy = world.version.journaldLogger ? 'journald' : 'logrotate'
  return JSON.stringify({uiConfiguration: {plugins: {mesos: {'logging-strategy': strategy}}}})
}

/** Cosmos `/capabilities`: LOGGING marks dcos-log v1 (1.9+), LOGGING_V2 logging v2 (1.11+). */
const CAPABILITIES_TYPE = 'application/vnd.dcos.capabilities+json;charset=utf-8;version=v1'

function capabilities(world: World): string {
  const names = ['PACKAGE_MANAGEMENT', 'SUPPORT_CLUSTER_REPORT', 'METRONOME']
  if (world.version.logsV1) names.push('LOGGING')
  if (world.version.logsV2) names.push('LOGGING_V2')
  return JSON.stringify({capabilities: names.map((name) => ({name}))})
}

/** Mesos-DNS `GET /v1/hosts/<name>`: its A records, or one empty record when there is none. */
function mesosDnsHosts(world: World, name: string): Array<{host: string; ip: string}> {
  const fqdn = name.endsWith('.') ? name : `${name}.`
  if (fqdn === 'leader.mesos.') return [{host: fqdn, ip: world.cluster.leader.ip}]
  if (fqdn === 'master.mesos.') return world.cluster.masters.map((m) => ({host: fqdn, ip: m.ip}))
  return [{host: '', ip: ''}]
}

/** `/mesos/<rest>`: the leading master. Returns false when Mesos has no such endpoint. */
export function handleMaster(world: World, ex: Exchange, rest: string): boolean {
  const cluster = world.cluster
  const path = rest.replace(/^\/master\//, '/')
  if (path === '/state' || (world.version.stateJsonAlias && path === '/state.json')) {
    sendJson(ex, 200, cluster.stateJson())
  } else if (path === '/state-summary') {
    sendJson(ex, 200, stateSummary(cluster.state))
  } else if (path === '/slaves') {
    sendJson(ex, 200, {slaves: cluster.state.slaves ?? [], recovered_slaves: cluster.state.recovered_slaves ?? []})
  } else if (path === '/frameworks') {
    sendJson(ex, 200, {frameworks: cluster.state.frameworks ?? [], completed_frameworks: cluster.state.completed_frameworks ?? [], unregistered_frameworks: []})
  } else if (path === '/redirect') {
    sendComplete(ex, 307, {Location: `//${cluster.leader.hostname}:5050`})
  } else {
    return false
  }
  return true
}

function stateSummary(state: Json): Json {
  const frameworks: Json[] = [...(state.frameworks ?? []), ...(state.completed_frameworks ?? [])]
  const count = (tasks: Json[]) => Object.fromEntries(COUNTERS.map((c) => [c, tasks.filter((t) => t.state === c).length]))
  const allTasks = (fw: Json): Json[] => [...(fw.tasks ?? []), ...(fw.completed_tasks ?? [])]
  return {
    hostname: state.hostname,
    cluster: state.cluster,
    slaves: (state.slaves ?? []).map((slave: Json) => {
      const tasks = frameworks.flatMap(allTasks).filter((t) => t.slave_id === slave.id)
      return {...slave, ...count(tasks), framework_ids: [...new Set(tasks.map((t) => t.framework_id))]}
    }),
    frameworks: (state.frameworks ?? []).map((fw: Json) => {
      const tasks = allTasks(fw)
      const {tasks: _t, completed_tasks: _c, unreachable_tasks: _u, executors: _e, offers: _o, ...summary} = fw
      return {...summary, ...count(tasks), slave_ids: [...new Set(tasks.map((t) => t.slave_id))]}
    }),
  }
}

/** `/agent/<id>/<rest>`: the agent's files API and state. */
export function handleAgent(world: World, ex: Exchange, agentId: string, rest: string): boolean {
  const aliases = world.version.stateJsonAlias
  const name = aliases ? rest.replace(/\.json$/, '') : rest
  const route = name.replace(/^\/slave\(1\)/, '')
  const query = new URLSearchParams(ex.rawQuery)
  if (route === '/state') sendJson(ex, 200, world.cluster.agentState(agentId))
  else if (route === '/files/read') filesRead(world, ex, query)
  else if (route === '/files/browse') filesBrowse(world, ex, query)
  else if (route === '/files/download') filesDownload(world, ex, query)
  else if (route === '/files/debug') sendJson(ex, 200, filesDebug(world, agentId))
  else return false
  return true
}

function filesDebug(world: World, agentId: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const {task, runDir} of world.cluster.ordered) {
    if (task.agentId !== agentId) continue
    out[runDir] = runDir
    out[`/frameworks/${task.frameworkId}/executors/${task.executorId}/runs/latest`] = runDir
  }
  return out
}

/** Resolves Mesos' virtual `/frameworks/…/runs/latest` prefix to the real run directory. */
function resolvePath(world: World, path: string): string {
  const match = /^\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/latest(\/.*)?$/.exec(path)
  if (!match) return path
  const found = world.cluster.ordered.find(({task}) => task.frameworkId === match[1] && task.executorId === match[2])
  return found === undefined ? path : found.runDir + (match[3] ?? '')
}

function parseNumber(ex: Exchange, query: URLSearchParams, name: 'offset' | 'length'): number | undefined | null {
  const text = query.get(name)
  if (text === null) return undefined
  if (!/^-?\d+$/.test(text.trim())) {
    mesosError(ex, 400, `Failed to parse ${name}: Failed to convert '${text}' to number.\n`)
    return null
  }
  const value = Number(text)
  if (value < -1) {
    mesosError(ex, 400, `Negative ${name} provided: ${value}.\n`)
    return null
  }
  return value
}

/**
 * `/files/read`: `{"data": <raw bytes>, "offset": N}`. Bytes ≥ 0x80 pass through unescaped, so a 64 KiB
 * window that cuts a multi-byte character yields invalid UTF-8, as real Mesos does.
 */
function filesRead(world: World, ex: Exchange, query: URLSearchParams): void {
  const path = query.get('path')
  if (!path) return mesosError(ex, 400, "Expecting 'path=value' in query.\n")
  const offset = parseNumber(ex, query, 'offset')
  if (offset === null) return
  const length = parseNumber(ex, query, 'length')
  if (length === null) return
  const real = resolvePath(world, path)
  if (world.sandboxes.isDirectory(real)) return mesosError(ex, 400, 'Cannot read a directory.\n')
  const file = world.sandboxes.get(real)
  if (file === undefined) return sendComplete(ex, 404, {})
  const size = file.size
  let data: Buffer = Buffer.alloc(0)
  let replyOffset = offset ?? -1
  if (replyOffset === -1) replyOffset = size
  else if (replyOffset >= size) replyOffset = world.version.clampsReadOffset ? size : replyOffset
  else if (length !== 0) {
    const want = length === undefined || length === -1 ? size - replyOffset : length
    data = file.slice(replyOffset, replyOffset + Math.min(want, MESOS_READ_CAP))
  }
  const body = Buffer.concat([Buffer.from('{"data":"'), escapeJsonBytes(data, world.version.escapesSlash), Buffer.from(`","offset":${replyOffset}}`)])
  sendComplete(ex, 200, {'Content-Type': 'application/json'}, body)
}

const HEX = '0123456789abcdef'

/** Escapes a byte string into a JSON string body the way Mesos' writers do (bytes ≥ 0x80 raw). */
export function escapeJsonBytes(data: Buffer, escapeSlash: boolean): Buffer {
  let special = 0
  for (const byte of data) if (byte < 0x20 || byte === 0x22 || byte === 0x5c || byte === 0x7f || (escapeSlash && byte === 0x2f)) special++
  if (special === 0) return data
  const out = Buffer.allocUnsafe(data.length + special * 6)
  let o = 0
  for (const byte of data) {
    if (byte === 0x22 || byte === 0x5c || (escapeSlash && byte === 0x2f)) {
      out[o++] = 0x5c
      out[o++] = byte
    } else if (byte === 0x0a) {
      out[o++] = 0x5c
      out[o++] = 0x6e
    } else if (byte === 0x09) {
      out[o++] = 0x5c
      out[o++] = 0x74
    } else if (byte === 0x0d) {
      out[o++] = 0x5c
      out[o++] = 0x72
    } else if (byte < 0x20 || byte === 0x7f) {
      o += out.write(`\\u00${HEX[byte >> 4]}${HEX[byte & 15]}`, o, 'latin1')
    } else out[o++] = byte
  }
  return out.subarray(0, o)
}

function filesBrowse(world: World, ex: Exchange, query: URLSearchParams): void {
  const path = query.get('path')
  if (!path) return mesosError(ex, 400, "Expecting 'path=value' in query.\n")
  const real = resolvePath(world, path)
  if (world.sandboxes.get(real)) return sendJson(ex, 200, '[]')
  if (!world.sandboxes.isDirectory(real)) return sendComplete(ex, 404, {})
  const entries = world.sandboxes.browse(real).map((e) => ({...e, path: path.replace(/\/$/, '') + e.path.slice(real.replace(/\/$/, '').length)}))
  let text = JSON.stringify(entries)
  // Mesos ≤ 1.6 (stout's writer) renders mtime as a double and escapes '/'.
  if (world.version.escapesSlash) text = text.replace(/"mtime":(\d+)/g, '"mtime":$1.0').replaceAll('/', '\\/')
  sendJson(ex, 200, text)
}

function filesDownload(world: World, ex: Exchange, query: URLSearchParams): void {
  const path = query.get('path')
  if (!path) return mesosError(ex, 400, "Expecting 'path=value' in query.\n")
  const file = world.sandboxes.get(resolvePath(world, path))
  // From Mesos 1.8 a bare NotFound() carries a default body.
  const [major, minor] = world.version.mesos.split('.').map(Number)
  if (file === undefined) return mesosError(ex, 404, major > 1 || minor >= 8 ? '404 Not Found.' : '')
  sendComplete(ex, 200, {'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename=${basename(path)}`}, Buffer.from(file.slice(0, file.size)))
}

/** Marathon apps derived from the marathon framework's command tasks (`/service/marathon/v2/…`). */
export function handleMarathon(world: World, ex: Exchange, rest: string): boolean {
  const apps = marathonApps(world)
  if (rest === '/v2/apps') sendJson(ex, 200, {apps: apps.map(({tasks: _tasks, ...app}) => app)})
  else if (rest.startsWith('/v2/apps/')) {
    const id = `/${rest.slice('/v2/apps/'.length).replace(/\/$/, '')}`
    const app = apps.find((a) => a.id === id)
    if (app === undefined) sendJson(ex, 404, {message: `App '${id}' does not exist`})
    else sendJson(ex, 200, {app})
  } else if (rest === '/v2/leader') sendJson(ex, 200, {leader: `${world.cluster.leader.ip}:8080`})
  else if (rest === '/v2/info') sendJson(ex, 200, {name: 'marathon', version: '1.11.0', leader: `${world.cluster.leader.ip}:8080`, elected: true})
  else return false
  return true
}

function marathonApps(world: World): Array<Json & {tasks: Json[]}> {
  const marathon = (world.cluster.state.frameworks ?? []).find((f: Json) => f.name === 'marathon')
  const byApp = new Map<string, Json>()
  for (const task of marathon?.tasks ?? []) {
    if (task.executor_id || TERMINAL.includes(task.state)) continue
    const id = `/${String(task.id).slice(0, String(task.id).lastIndexOf('.'))}`
    const app = byApp.get(id) ?? {id, cmd: `./${task.name}`, instances: 0, cpus: 0.1, mem: 128, tasksRunning: 0, tasksStaged: 0, labels: {}, tasks: []}
    for (const label of task.labels ?? []) app.labels[label.key] = label.value
    app.instances++
    app.tasksRunning++
    const agent = world.cluster.agent(task.slave_id)
    app.tasks.push({id: task.id, appId: id, host: agent?.hostname ?? '', slaveId: task.slave_id, state: task.state, startedAt: '2024-01-15T09:00:00.000Z', ipAddresses: [{ipAddress: '9.0.1.2', protocol: 'IPv4'}]})
    byApp.set(id, app)
  }
  return [...byApp.values()]
}

/** `/system/health/v1/…`: nodes and the systemd units on each, as dcos-diagnostics reports them. */
export function handleHealth(world: World, ex: Exchange, rest: string): boolean {
  const nodes = [
    ...world.cluster.masters.map((m) => ({host_ip: m.ip, health: 0, role: 'master', units: MASTER_UNITS})),
    ...world.cluster.agents().map((a: Json) => {
      const isPublic = a.attributes?.public_ip === 'true'
      return {host_ip: world.cluster.agentIp(a), health: 0, role: isPublic ? 'agent_public' : 'agent', units: isPublic ? PUBLIC_AGENT_UNITS : AGENT_UNITS}
    }),
  ]
  const unitsOf = (units: string[]) => ({
    units: units.map((id) => ({id, name: id.replace(/^dcos-/, '').replace(/\.service$/, ''), health: 0, output: '', description: `DC/OS ${id.replace(/\.service$/, '')}`, help: ''})),
  })
  if (rest === '/nodes') sendJson(ex, 200, {nodes: nodes.map(({units: _u, ...n}) => n)})
  else if (rest === '/units') sendJson(ex, 200, unitsOf(MASTER_UNITS))
  else {
    const match = /^\/nodes\/([^/]+)\/units$/.exec(rest)
    if (!match) return false
    const node = nodes.find((n) => n.host_ip === match[1])
    if (node === undefined) goError(ex, 404, `Node ${match[1]} not found`)
    else sendJson(ex, 200, unitsOf(node.units))
  }
  return true
}

export function handleMisc(world: World, ex: Exchange, path: string): boolean {
  if (path === '/metadata') sendJson(ex, 200, {PUBLIC_IPV4: '127.0.0.1', CLUSTER_ID: world.cluster.clusterId})
  else if (path === '/pkgpanda/active.buildinfo.full.json') {
    sendJson(ex, 200, {mesos: {single_source: {kind: 'git', git: 'https://github.com/apache/mesos', ref: world.cluster.rng.hex(40), ref_origin: world.version.mesos}, package_version: world.version.mesos}})
  } else if (path === '/capabilities') {
    sendComplete(ex, 200, {'Content-Type': CAPABILITIES_TYPE}, capabilities(world))
  } else if (path.startsWith('/mesos_dns/v1/hosts/')) {
    sendJson(ex, 200, mesosDnsHosts(world, path.slice('/mesos_dns/v1/hosts/'.length)))
  } else if (path === '/net/v1/nodes') {
    sendJson(ex, 200, world.cluster.masters.map((m) => ({updated: '2024-01-15T10:00:00.000Z', public_ips: ['127.0.0.1'], private_ip: m.ip, hostname: m.hostname})))
  } else return false
  return true
}
