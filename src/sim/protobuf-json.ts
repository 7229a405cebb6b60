import type {Json} from './cluster-model.js'

/**
 * Mesos v1 objects (mesos.proto, master.proto) as the master's Operator API writes them in JSON, derived
 * from the `/master/state` objects of the cluster model so both views always agree. Mesos' writer
 * (stout's JSON::Protobuf) walks fields in declaration order, leaves out unset fields and empty repeated
 * ones, writes non-deprecated defaults (FrameworkInfo.failover_timeout, AgentInfo.port, …) and ids as
 * `{value}` messages.
 */

const id = (value: string): Json => ({value})

/** Seconds as a TimeInfo (none for none). */
const timeInfo = (seconds: number | undefined): Json => (seconds === undefined ? undefined : {nanoseconds: Math.round(seconds * 1e9)})

/** Sets a field only when it has a value (an empty repeated field is left out too); returns the message. */
function set(message: Json, name: string, value: unknown): Json {
  if (value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)) message[name] = value
  return message
}

/** A state's resource summary (`{cpus: 0.1, mem: 128, ports: "[31000-31001]"}`) as Resource messages. */
function resources(summary: Json, role: string | undefined): Json[] {
  const out: Json[] = []
  const allocation = role === undefined ? undefined : {role}
  for (const [name, value] of Object.entries(summary ?? {})) {
    if (typeof value === 'number' && value > 0) out.push(set({name, type: 'SCALAR', scalar: {value}}, 'allocation_info', allocation))
    if (typeof value === 'string') {
      const range = [...value.matchAll(/(\d+)-(\d+)/g)].map((m) => ({begin: Number(m[1]), end: Number(m[2])}))
      out.push(set({name, type: 'RANGES', ranges: {range}}, 'allocation_info', allocation))
    }
  }
  return out
}

function agentIdOf(task: Json): string {
  return task.slave_id ?? task.agent_id
}

/** Labels as a message (`{labels: [...]}`), when there are any. */
function labels(list: Json[] | undefined): Json {
  return list === undefined || list.length === 0 ? undefined : {labels: list}
}

/** A TaskStatus; the state's statuses carry neither the task nor the agent id, the v1 ones do. */
export function taskStatus(task: Json, status: Json): Json {
  const message: Json = {task_id: id(task.id), state: status.state}
  set(message, 'message', status.message)
  set(message, 'source', status.source)
  set(message, 'reason', status.reason)
  message.agent_id = id(agentIdOf(task))
  set(message, 'timestamp', status.timestamp)
  set(message, 'uuid', status.uuid)
  set(message, 'healthy', status.healthy)
  set(message, 'labels', labels(status.labels))
  return set(message, 'container_status', status.container_status)
}

/** A Task with its state and first `statusCount` statuses as they were when taken (a snapshot's view). */
export function task(raw: Json, state: string = raw.state, statusCount: number = raw.statuses?.length ?? 0): Json {
  const message: Json = {name: raw.name, task_id: id(raw.id), framework_id: id(raw.framework_id)}
  if (raw.executor_id) message.executor_id = id(raw.executor_id)
  message.agent_id = id(agentIdOf(raw))
  message.state = state
  set(message, 'resources', resources(raw.resources, raw.role))
  set(message, 'statuses', (raw.statuses ?? []).slice(0, statusCount).map((status: Json) => taskStatus(raw, status)))
  set(message, 'labels', labels(raw.labels))
  for (const field of ['discovery', 'container', 'health_check', 'user']) set(message, field, raw[field])
  return message
}

/** Response.GetFrameworks.Framework. */
export function framework(fw: Json): Json {
  const info: Json = {user: fw.user ?? '', name: fw.name, id: id(fw.id), failover_timeout: fw.failover_timeout ?? 0, checkpoint: fw.checkpoint ?? false}
  for (const field of ['role', 'hostname', 'principal', 'webui_url']) set(info, field, fw[field])
  set(info, 'capabilities', (fw.capabilities ?? []).map((type: string) => ({type})))
  const message: Json = {framework_info: info, active: fw.active !== false, connected: fw.connected !== false, recovered: fw.recovered === true}
  for (const field of ['registered_time', 'reregistered_time', 'unregistered_time']) set(message, field, timeInfo(fw[field]))
  return message
}

/** Response.GetExecutors.Executor from a framework's `executors[]` entry. */
export function executor(entry: Json): Json {
  const info: Json = set({}, 'type', entry.type)
  info.executor_id = id(entry.executor_id)
  info.framework_id = id(entry.framework_id)
  set(info, 'command', entry.command)
  set(info, 'resources', resources(entry.resources, undefined))
  set(info, 'name', entry.name)
  return {executor_info: info, agent_id: id(entry.slave_id ?? entry.agent_id)}
}

/** Response.GetAgents.Agent; attributes are typed Attribute messages. */
export function agent(slave: Json, masterVersion: string): Json {
  const attributes = Object.entries(slave.attributes ?? {}).map(([name, value]) =>
    typeof value === 'number' ? {name, type: 'SCALAR', scalar: {value}} : {name, type: 'TEXT', text: {value}},
  )
  const info: Json = {hostname: slave.hostname, port: slave.port ?? 5051}
  set(info, 'attributes', attributes)
  info.id = id(slave.id)
  const message: Json = {agent_info: info, active: slave.active !== false, version: slave.version ?? masterVersion}
  set(message, 'pid', slave.pid)
  return set(message, 'registered_time', timeInfo(slave.registered_time))
}
