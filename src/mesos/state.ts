/**
 * What dcos-ts keeps of the Mesos master state (`/mesos/master/state`): only the fields a log client needs,
 * so the 100+ MB state of a large cluster shrinks to the agents, frameworks and the tasks that can matter.
 * Field names follow Mesos (mesos-api.md §1.2-1.5); the raw-JSON helpers here accept both the JSON state
 * spelling (`slave_id: "S1"`) and the v1 operator API one (`agent_id: {value: "S1"}`).
 */

/** Which array of its framework a task was read from. */
export type TaskList = 'tasks' | 'unreachable_tasks' | 'completed_tasks'

export interface MesosTask {
  /** Unique only within its framework: completed `mesos-execute` frameworks all have a task `test`. */
  id: string
  name: string
  frameworkId: string
  frameworkName: string
  frameworkActive: boolean
  /** The framework was torn down (it is in `completed_frameworks`), so none of its tasks runs. */
  completedFramework: boolean
  /** '' for command tasks (Marathon apps): on the agent their executor id is the task id. */
  executorId: string
  agentId: string
  /** The TASK_* name; authoritative, whatever list the task sits in (unacknowledged terminal tasks stay in `tasks`). */
  state: string
  /**
   * The container chain of the first status that carries `container_status.container_id`, leaf first:
   * `[nested, ..., executor run]`; the last one names the sandbox's `runs/<id>` directory. [] before Mesos 1.2.
   */
  containerIds: string[]
  labels?: Record<string, string>
  list: TaskList
  /** Seconds since the epoch of its newest status (when it last changed state); undefined without statuses. */
  updatedAt?: number
}

/** What a task is called: all a pattern looks at, and all that is decoded of a task dropped while reading. */
export interface TaskName {
  readonly id: string
  readonly name: string
}

export interface MesosAgent {
  id: string
  hostname: string
  /** `slave(1)@IP:PORT` */
  pid: string
  ip: string
  port: number
  /** A DC/OS public agent (attribute `public_ip: "true"`). */
  public: boolean
  attributes: Record<string, string | number>
}

export interface MesosFramework {
  id: string
  name: string
  active: boolean
  /** Torn down: listed in `completed_frameworks`. */
  completed: boolean
  labels?: Record<string, string>
  webuiUrl?: string
}

export interface MasterState {
  /** Mesos version, e.g. "1.5.0". */
  version?: string
  leader?: {hostname: string; pid: string}
  /** The answering master's hostname. */
  hostname?: string
  clusterName?: string
  agents: MesosAgent[]
  frameworks: MesosFramework[]
  /** The tasks the reader kept (all of them unless a `keep` predicate dropped some while reading). */
  tasks: MesosTask[]
}

/** States after which a task never runs again (mesos.proto TaskState; UNREACHABLE and UNKNOWN may come back). */
const TERMINAL_STATES = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
])

export function isTerminalState(state: string): boolean {
  return TERMINAL_STATES.has(state)
}

/**
 * Running means "may still write logs": a non-terminal task of a live framework that is not in
 * `completed_tasks`. Unreachable tasks count as running: their agent is partitioned, not their process.
 */
export function isRunningTask(task: MesosTask): boolean {
  return task.list !== 'completed_tasks' && !task.completedFramework && !isTerminalState(task.state)
}

/** A Mesos id as JSON state writes it (`"S1"`) or as the v1 operator API does (`{"value": "S1"}`); else ''. */
export function idValue(raw: unknown): string {
  if (typeof raw === 'string') return raw
  if (isRecord(raw) && typeof raw.value === 'string') return raw.value
  return ''
}

/** `{value, parent: {value, parent?}}` -> [value, parent.value, ...] (leaf first, executor container last). */
export function containerChain(containerId: unknown): string[] {
  const chain: string[] = []
  let link = containerId
  while (isRecord(link) && typeof link.value === 'string') {
    chain.push(link.value)
    link = link.parent
  }
  return chain
}

/** Labels as `[{key, value?}]` (JSON state) or `{labels: [...]}` (v1 API); undefined when there are none. */
export function labelsFromJson(raw: unknown): Record<string, string> | undefined {
  const list = isRecord(raw) ? raw.labels : raw
  if (!Array.isArray(list)) return undefined
  const labels: Record<string, string> = {}
  let count = 0
  for (const label of list) {
    if (!isRecord(label) || typeof label.key !== 'string') continue
    labels[label.key] = typeof label.value === 'string' ? label.value : ''
    count++
  }
  return count > 0 ? labels : undefined
}

/** `slave(1)@10.0.0.1:5051` or `master@10.0.0.1:5050` -> {ip, port}; undefined when it has no address. */
export function parsePid(pid: string): {ip: string; port: number} | undefined {
  const at = pid.lastIndexOf('@')
  const address = at === -1 ? pid : pid.slice(at + 1)
  const colon = address.lastIndexOf(':')
  if (colon <= 0) return undefined
  const port = Number(address.slice(colon + 1))
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined
  return {ip: address.slice(0, colon), port}
}

/** The raw fields of one `slaves[]` element that dcos-ts reads. */
export interface RawAgentFields {
  id?: unknown
  hostname?: unknown
  pid?: unknown
  port?: unknown
  attributes?: unknown
}

const DEFAULT_AGENT_PORT = 5051

export function agentFromJson(raw: RawAgentFields): MesosAgent {
  const pid = typeof raw.pid === 'string' ? raw.pid : ''
  const address = parsePid(pid)
  const hostname = typeof raw.hostname === 'string' && raw.hostname !== '' ? raw.hostname : (address?.ip ?? '')
  const attributes: Record<string, string | number> = {}
  if (isRecord(raw.attributes)) {
    for (const [name, value] of Object.entries(raw.attributes)) {
      if (typeof value === 'string' || typeof value === 'number') attributes[name] = value
    }
  }
  return {
    id: idValue(raw.id),
    hostname,
    pid,
    ip: address?.ip ?? hostname,
    port: address?.port ?? (typeof raw.port === 'number' ? raw.port : DEFAULT_AGENT_PORT),
    public: attributes.public_ip === 'true',
    attributes,
  }
}

/** The leader from `leader_info` (Mesos >= 1.1) or else the `leader` pid string. */
export function leaderFromJson(leaderInfo: unknown, leaderPid: unknown): MasterState['leader'] {
  if (isRecord(leaderInfo) && typeof leaderInfo.pid === 'string') {
    const hostname = typeof leaderInfo.hostname === 'string' ? leaderInfo.hostname : parsePid(leaderInfo.pid)?.ip
    return {hostname: hostname ?? '', pid: leaderInfo.pid}
  }
  if (typeof leaderPid === 'string' && leaderPid !== '') {
    return {hostname: parsePid(leaderPid)?.ip ?? '', pid: leaderPid}
  }
  return undefined
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
