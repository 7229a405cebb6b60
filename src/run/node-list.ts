/**
 * `dcos-ts node list` and `dcos-ts node list-components`. Agents come from Mesos master state; masters are
 * not in it (only the leader is named), so the other masters come from dcos-diagnostics
 * (/system/health/v1/nodes) where the cluster serves it. A node's components are its systemd units as
 * dcos-diagnostics reports them, or else the units its own journal names.
 */
import {optionalJson} from '../cluster/optional-json.js'
import type {HttpClient} from '../cluster/http.js'
import {fetchMasterState, findLeader} from '../mesos/master.js'
import {isRecord} from '../mesos/state.js'
import {createChalk, decideColorLevel} from '../output/color.js'
import {whenDrained, type IO} from '../output/io.js'
import {jsonTerminalSafe} from '../output/sanitize.js'
import {formatTable} from '../output/table.js'
import {journalUnits} from '../read/components.js'
import type {Deps} from '../deps.js'
import {journalSources, nodeFromState, type NodeTarget} from '../read/journal-sources.js'

export type NodeType = 'master' | 'agent' | 'public-agent'

/** One NDJSON line of `node list --json`; the field names are a stable interface. */
export interface NodeRecord {
  /** The Mesos id; null for masters (master state names only the leader, without its id). */
  id: string | null
  hostname: string
  ip: string
  type: NodeType
  leader: boolean
}

/** One NDJSON line of `node list-components --json`. */
export interface ComponentRecord {
  /** The unit, as --component takes it: dcos-mesos-master.service. */
  id: string
  /** dcos-diagnostics' name and health (0 healthy); null when the units came from the journal. */
  name: string | null
  health: number | null
}

export interface NodeListOptions {
  json: boolean
}

export async function runNodeList(options: NodeListOptions, deps: Deps): Promise<void> {
  const http = await deps.http()
  const {signal} = deps
  const [state, health] = await Promise.all([fetchMasterState(http, {signal, keep: () => false}), healthNodes(http, signal)])
  const leader = findLeader(state)
  const masters: NodeRecord[] = leader === undefined ? [] : [{id: null, hostname: leader.hostname, ip: leader.ip, type: 'master', leader: true}]
  for (const node of health ?? []) {
    if (node.role === 'master' && node.ip !== leader?.ip) masters.push({id: null, hostname: node.ip, ip: node.ip, type: 'master', leader: false})
  }
  const agents: NodeRecord[] = state.agents.map((agent) => ({
    id: agent.id,
    hostname: agent.hostname,
    ip: agent.ip,
    type: agent.public ? 'public-agent' : 'agent',
    leader: false,
  }))
  const records = [...masters.slice(0, 1), ...masters.slice(1).sort(byAddress), ...agents.sort((a, b) => a.type.localeCompare(b.type) || byAddress(a, b))]
  const {io} = deps
  if (health === undefined) io.stderr.write('Note: the cluster does not serve /system/health/v1/nodes, so only the leading master is listed\n')
  if (options.json) return writeText(io, records.map((record) => `${jsonTerminalSafe(JSON.stringify(record))}\n`).join(''))
  const level = decideColorLevel('auto', io.isStdoutTTY, io.env)
  const rows = records.map((record) => [record.hostname, record.ip, record.id ?? '-', record.leader ? 'master (leader)' : record.type])
  await writeText(io, formatTable(['HOSTNAME', 'IP', 'ID', 'TYPE'], rows, {chalk: level > 0 ? createChalk(level) : undefined}))
}

export interface NodeListComponentsOptions {
  target: NodeTarget
  json: boolean
}

export async function runNodeListComponents(options: NodeListComponentsOptions, deps: Deps): Promise<void> {
  const http = await deps.http()
  const {signal, io} = deps
  const state = await fetchMasterState(http, {signal, keep: () => false})
  const node = nodeFromState(state, options.target)
  let records = node.ip === undefined ? undefined : await healthUnits(http, node.ip, signal)
  if (records === undefined) {
    const sources = journalSources(http, node, signal)
    records = (await journalUnits(sources, signal)).map((id) => ({id, name: null, health: null}))
    io.stderr.write(`Note: the cluster does not report the units of ${node.description}; these are the units in its recent journal\n`)
  }
  records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const lines = records.map((record) => (options.json ? jsonTerminalSafe(JSON.stringify(record)) : record.id))
  await writeText(io, lines.map((line) => `${line}\n`).join(''))
}

/** Nodes as dcos-diagnostics reports them; undefined where the cluster does not (or will not) say. */
async function healthNodes(http: HttpClient, signal: AbortSignal): Promise<Array<{ip: string; role: string}> | undefined> {
  const body = await optionalJson(http, '/system/health/v1/nodes', 'listing nodes', signal)
  if (!isRecord(body) || !Array.isArray(body.nodes)) return undefined
  return body.nodes.filter(isRecord).flatMap((node) => (typeof node.host_ip === 'string' ? [{ip: node.host_ip, role: String(node.role ?? '')}] : []))
}

/** A node's systemd units as dcos-diagnostics reports them; undefined where the cluster does not. */
async function healthUnits(http: HttpClient, ip: string, signal: AbortSignal): Promise<ComponentRecord[] | undefined> {
  const body = await optionalJson(http, `/system/health/v1/nodes/${encodeURIComponent(ip)}/units`, 'listing the units of a node', signal)
  if (!isRecord(body) || !Array.isArray(body.units)) return undefined
  return body.units.filter(isRecord).flatMap((unit) => {
    const id = unit.id ?? unit.unit_id
    if (typeof id !== 'string') return []
    return [{id, name: typeof unit.name === 'string' ? unit.name : null, health: typeof unit.health === 'number' ? unit.health : null}]
  })
}

function byAddress(a: NodeRecord, b: NodeRecord): number {
  return a.hostname.localeCompare(b.hostname, 'en', {numeric: true}) || a.ip.localeCompare(b.ip, 'en', {numeric: true})
}

async function writeText(io: IO, text: string): Promise<void> {
  if (text !== '' && !io.stdout.write(text)) await whenDrained(io.stdout, io.closed)
}
