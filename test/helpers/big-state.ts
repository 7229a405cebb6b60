/**
 * A fast generator of a realistic, compact (as Mesos writes it) master state with N tasks, for the state
 * scanner's tests and the benchmark (100,000 tasks ~ 132 MB, written in about a second).
 *
 * Shape: agents (every 10th public), Marathon with command tasks and pods (nested container chains) in
 * `tasks` and `completed_tasks`, an SDK framework with custom executors and `unreachable_tasks`, and a
 * completed framework whose tasks run on agents that are no longer in `slaves[]`. Every 37th task carries a
 * label with escapes and non-ASCII text. One task is the needle `needle.<uuid>` (name `needle`), so a
 * benchmark can resolve a pattern that matches one task among all.
 */
import {closeSync, openSync, writeSync} from 'node:fs'

export interface BigStateOptions {
  tasks: number
  /** Number of registered agents (default: one per 25 tasks, at least 3). */
  agents?: number
}

const MARATHON = 'a1b2c3d4-0000-4000-8000-000000000000-0001'
const SDK = 'a1b2c3d4-0000-4000-8000-000000000000-0002'
const GONE = '93397246-d2c3-4e56-9848-4573c8e778bb-0002'

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0').slice(-width)
}

/** A deterministic UUID-shaped id. */
function uuid(seed: number): string {
  const a = Math.imul(seed + 1, 2654435761) >>> 0
  const b = Math.imul(seed + 7, 40503) >>> 0
  return `${hex(a, 8)}-${hex(b, 4)}-4${hex(seed, 3)}-8${hex(a ^ b, 3)}-${hex(seed, 12)}`
}

function agentId(index: number): string {
  return `a1b2c3d4-0000-4000-8000-000000000000-S${index}`
}

function agentJson(index: number): string {
  const ip = `10.0.${(index >> 8) & 255}.${index & 255}`
  const attributes = index % 10 === 0 ? '{"public_ip":"true"}' : '{}'
  return (
    `{"id":"${agentId(index)}","hostname":"${ip}","port":5051,"attributes":${attributes},"pid":"slave(1)@${ip}:5051",` +
    `"registered_time":1508783065.27533,"resources":{"disk":138588,"mem":15026,"gpus":0,"cpus":4,"ports":"[1025-2180, 2182-3887, 3889-5049, 5052-8079, 8082-8180, 8182-32000]"},` +
    `"used_resources":{"disk":10,"mem":544,"gpus":0,"cpus":0.5},"offered_resources":{"disk":0,"mem":0,"gpus":0,"cpus":0},"reserved_resources":{},` +
    `"unreserved_resources":{"disk":138588,"mem":15026,"gpus":0,"cpus":4},"active":true,"version":"1.5.0","capabilities":["MULTI_ROLE","HIERARCHICAL_ROLE","RESERVATION_REFINEMENT"]}`
  )
}

interface TaskShape {
  seed: number
  frameworkId: string
  agent: string
  state: string
  pod: boolean
  executor: string
}

function containerStatus(seed: number, pod: boolean, ip: string): string {
  const leaf = uuid(seed * 3 + 1)
  const id = pod ? `{"value":"${leaf}","parent":{"value":"${uuid(Math.floor(seed / 3) * 3 + 2)}"}}` : `{"value":"${leaf}"}`
  return `{"container_id":${id},"network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"${ip}"}]}]}`
}

function taskJson(shape: TaskShape, needle: boolean): string {
  const {seed, frameworkId, agent, state, pod} = shape
  const app = needle ? 'needle' : `app-${seed % 997}`
  const id = pod ? `${app}.instance-${uuid(seed)}.container-${seed % 3}` : `${app}.${uuid(seed)}`
  const ip = `10.0.${(seed >> 8) & 255}.${seed & 255}`
  const executor = pod ? `instance-${app}.${uuid(Math.floor(seed / 3))}` : shape.executor
  const label =
    seed % 37 === 0
      ? `{"key":"note","value":"caf\\u00e9 \\"quoted\\" \\\\ back\\/slash ü ✓ 😀"},`
      : ''
  const terminal = state !== 'TASK_RUNNING' && state !== 'TASK_UNREACHABLE'
  const last = terminal ? `,{"state":"${state}","timestamp":1508783300.5,"container_status":${containerStatus(seed, pod, ip)}}` : ''
  return (
    `{"id":"${id}","name":"${app}","framework_id":"${frameworkId}","executor_id":"${executor}","slave_id":"${agent}",` +
    `"state":"${state}","resources":{"disk":0,"mem":128,"gpus":0,"cpus":0.1},` +
    `"statuses":[{"state":"TASK_STARTING","timestamp":1508783219.1,"source":"SOURCE_EXECUTOR"},` +
    `{"state":"TASK_RUNNING","timestamp":1508783219.92384,"container_status":${containerStatus(seed, pod, ip)},"healthy":true}${last}],` +
    `"labels":[${label}{"key":"HAPROXY_GROUP","value":"external"},{"key":"DCOS_SPACE","value":"/${app}"}],` +
    `"discovery":{"visibility":"FRAMEWORK","name":"${app}","ports":{"ports":[{"number":10000,"name":"http","protocol":"tcp"}]}},` +
    `"container":{"type":"DOCKER","docker":{"image":"nginx:1.25","network":"BRIDGE","port_mappings":[{"host_port":31000,"container_port":80,"protocol":"tcp"}],` +
    `"privileged":false,"parameters":[{"key":"label","value":"MESOS_TASK_ID=${id}"}],"force_pull_image":false}},` +
    `"health_check":{"type":"HTTP","http":{"port":31000,"path":"/health"},"delay_seconds":15,"interval_seconds":10}}`
  )
}

function frameworkHead(id: string, name: string, active: boolean): string {
  return (
    `{"id":"${id}","name":"${name}","pid":"scheduler-b34a3afe@10.0.4.125:15101","used_resources":{"disk":10,"mem":544,"gpus":0,"cpus":0.5},` +
    `"offered_resources":{"disk":0,"mem":0,"gpus":0,"cpus":0},"capabilities":["TASK_KILLING_STATE","PARTITION_AWARE"],"hostname":"10.0.4.125",` +
    `"webui_url":"${active ? 'http://10.0.4.125:8080' : ''}","active":${active},"connected":true,"recovered":false,"user":"root","failover_timeout":604800,` +
    `"checkpoint":true,"registered_time":1508783026.20089,"unregistered_time":0,"principal":"dcos_${name}","role":"slave_public"`
  )
}

const FRAMEWORK_TAIL =
  `,"offers":[],"executors":[{"executor_id":"instance-x","name":"","framework_id":"fw","command":{"argv":[],"uris":[]},` +
  `"resources":{"disk":10,"mem":32,"gpus":0,"cpus":0.1},"role":"slave_public","labels":[],"type":"DEFAULT","slave_id":"s"}]}`

/** Writes the state as a sequence of text pieces (each well under a megabyte) to `emit`. */
export function generateBigState(options: BigStateOptions, emit: (text: string) => void): void {
  const total = options.tasks
  const agents = options.agents ?? Math.max(3, Math.ceil(total / 25))
  // How the tasks are spread over the lists.
  const completedMarathon = Math.floor(total * 0.1)
  const sdkRunning = Math.floor(total * 0.05)
  const sdkUnreachable = Math.floor(total * 0.01)
  const gone = Math.floor(total * 0.04)
  const marathonRunning = total - completedMarathon - sdkRunning - sdkUnreachable - gone
  const needleAt = Math.floor(marathonRunning / 2)
  let seed = 0

  emit(
    '{"version":"1.5.0","git_sha":"09df58e9a83dbebf1ae8b32c28cb450294d92612","build_date":"2017-10-10 20:35:00","build_time":1507667700,' +
      '"start_time":1508783004.30362,"elected_time":1508783004.37298,"id":"db10f9b1-5b82-4187-aa47-4fbcefc7cdca","pid":"master@10.0.4.125:5050",' +
      '"hostname":"10.0.4.125","activated_slaves":' +
      agents +
      ',"deactivated_slaves":0,"unreachable_slaves":0,"leader":"master@10.0.4.125:5050",' +
      '"leader_info":{"id":"db10f9b1-5b82-4187-aa47-4fbcefc7cdca","pid":"master@10.0.4.125:5050","port":5050,"hostname":"10.0.4.125"},' +
      '"cluster":"big-cluster","flags":{"work_dir":"/var/lib/dcos/mesos/master","max_completed_tasks_per_framework":"1000"},"slaves":[',
  )
  for (let start = 0; start < agents; start += 500) {
    const batch: string[] = []
    for (let index = start; index < Math.min(agents, start + 500); index++) batch.push(agentJson(index))
    emit((start === 0 ? '' : ',') + batch.join(','))
  }
  emit('],"recovered_slaves":[],"frameworks":[')

  const list = (name: string, count: number, shape: (seed: number, index: number) => TaskShape, first: boolean) => {
    emit(`${first ? '' : ','}"${name}":[`)
    for (let start = 0; start < count; start += 500) {
      const batch: string[] = []
      for (let index = start; index < Math.min(count, start + 500); index++) {
        const task = shape(seed++, index)
        batch.push(taskJson(task, name === 'tasks' && task.frameworkId === MARATHON && index === needleAt))
      }
      emit((start === 0 ? '' : ',') + batch.join(','))
    }
    emit(']')
  }
  const marathon = (state: string) => (s: number): TaskShape => ({
    seed: s,
    frameworkId: MARATHON,
    agent: agentId(s % agents),
    state,
    pod: s % 7 === 0,
    executor: '',
  })
  const sdk = (state: string) => (s: number): TaskShape => ({
    seed: s,
    frameworkId: SDK,
    agent: agentId(s % agents),
    state,
    pod: false,
    executor: `broker-${s % 5}__${uuid(s % 5)}`,
  })

  emit(frameworkHead(MARATHON, 'marathon', true) + ',')
  list('tasks', marathonRunning, marathon('TASK_RUNNING'), true)
  list('unreachable_tasks', 0, marathon('TASK_UNREACHABLE'), false)
  list('completed_tasks', completedMarathon, (s) => marathon(s % 3 === 0 ? 'TASK_FAILED' : 'TASK_FINISHED')(s), false)
  emit(FRAMEWORK_TAIL + ',')
  emit(frameworkHead(SDK, 'confluent-kafka', true) + ',')
  list('tasks', sdkRunning, sdk('TASK_RUNNING'), true)
  list('unreachable_tasks', sdkUnreachable, sdk('TASK_UNREACHABLE'), false)
  list('completed_tasks', 0, sdk('TASK_KILLED'), false)
  emit(FRAMEWORK_TAIL + '],"completed_frameworks":[')
  emit(frameworkHead(GONE, 'cassandra', false) + ',')
  list('tasks', 0, sdk('TASK_KILLED'), true)
  list(
    'completed_tasks',
    gone,
    (s) => ({seed: s, frameworkId: GONE, agent: `${GONE.slice(0, -5)}-S9`, state: 'TASK_KILLED', pod: true, executor: ''}),
    false,
  )
  emit(FRAMEWORK_TAIL + '],"orphan_tasks":[],"unregistered_frameworks":[]}')
}

export function bigStateText(options: BigStateOptions): string {
  const pieces: string[] = []
  generateBigState(options, (text) => pieces.push(text))
  return pieces.join('')
}

/** Writes the state to a file; returns its size in bytes. */
export function writeBigState(path: string, options: BigStateOptions): number {
  const fd = openSync(path, 'w')
  let bytes = 0
  let pending: string[] = []
  let pendingLength = 0
  const flush = () => {
    bytes += writeSync(fd, pending.join(''))
    pending = []
    pendingLength = 0
  }
  try {
    generateBigState(options, (text) => {
      pending.push(text)
      pendingLength += text.length
      if (pendingLength > 1 << 20) flush()
    })
    flush()
  } finally {
    closeSync(fd)
  }
  return bytes
}
