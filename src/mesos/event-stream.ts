/**
 * The Mesos master's event stream: Operator API v1 `SUBSCRIBE` through Admin Router (mesos-api.md §8).
 * One POST answers with RecordIO records for as long as the connection lasts: first `SUBSCRIBED`, the
 * whole state (100+ MB on a big cluster, scanned as it arrives and only the tasks `keep` wants kept, as
 * the state scanner does), then `TASK_ADDED`, `TASK_UPDATED`, `FRAMEWORK_*` and a `HEARTBEAT` every
 * `heartbeat_interval_seconds`. Events carry no id and cannot be resumed: after a reconnect the next
 * snapshot is the truth (task-watch.ts diffs it).
 */
import type {HttpClient} from '../cluster/http.js'
import {CliError} from '../errors.js'
import {IDLE, idleRace, type Clock} from '../logs/idle-race.js'
import {arrayNode, objectNode, readSelected, valueNode, type SchemaNode} from './json-select.js'
import {RecordIoReader} from './recordio.js'
import {type TaskContext, TaskObjectReader} from './state-scanner.js'
import {containerChain, idValue, isRecord, type MesosTask, type TaskList, type TaskName} from './state.js'

export const OPERATOR_API_PATH = '/mesos/api/v1'
/** Heartbeats missed before the connection counts as dead (mesos-api.md §8: ~3). */
const MISSED_HEARTBEATS = 3
/** An event other than SUBSCRIBED is one task or framework: anything this big is not one. */
const MAX_EVENT_BYTES = 64 * 1024 * 1024
/** Statuses with which a master without SUBSCRIBE (Mesos < 1.1) refuses the call. */
const NO_SUBSCRIBE_STATUSES = [400, 404, 405, 501]

/** A task's new state, as TASK_UPDATED tells it (the event names neither the task's name nor its framework's). */
export interface TaskUpdate {
  frameworkId: string
  taskId: string
  state: string
  /** The status's container chain, leaf first; [] when it has none. */
  containerIds: string[]
  /** Seconds since the epoch. */
  at?: number
}

export type MasterEvent = {type: 'added'; task: MesosTask} | {type: 'updated'; update: TaskUpdate}

export interface Subscription {
  /** The SUBSCRIBED snapshot's tasks that `keep` kept. */
  tasks: MesosTask[]
  heartbeatMs: number
  /**
   * What happens next, until the master ends the stream (the iterable ends) or the connection fails (a
   * retryable 'network' CliError, also when MISSED_HEARTBEATS heartbeats did not come).
   */
  events: AsyncIterable<MasterEvent>
  /** Stops reading (when the events are not read to their end). */
  close(): void
}

/** The master has no SUBSCRIBE call (Mesos < 1.1): the caller polls master state instead. */
export class NoEventStream extends Error {}

export interface SubscribeOptions extends Clock {
  keep: (task: TaskName) => boolean
  signal: AbortSignal
}

interface FrameworkFacts {
  name: string
  active: boolean
  completed: boolean
}

export async function subscribe(http: HttpClient, options: SubscribeOptions): Promise<Subscription> {
  const {response, body} = await http.stream(OPERATOR_API_PATH, {
    method: 'POST',
    json: {type: 'SUBSCRIBE'},
    headers: {Accept: 'application/json'},
    signal: options.signal,
    mode: 'stream',
    purpose: 'subscribing to the Mesos event stream',
    allowStatuses: NO_SUBSCRIBE_STATUSES,
    expectJson: true,
  })
  if (response.status !== 200) {
    body.destroy()
    throw new NoEventStream(`the master answered ${response.status} to SUBSCRIBE`)
  }
  const reader = new RecordIoReader(body, 'the Mesos event stream')
  try {
    const frameworks = new Map<string, FrameworkFacts>()
    const tasks = new TaskObjectReader(options.keep)
    const snapshot = await readSubscribed(reader, tasks, frameworks)
    const stop = new AbortController()
    const close = () => {
      options.signal.removeEventListener('abort', close)
      stop.abort()
      body.destroy()
    }
    options.signal.addEventListener('abort', close, {once: true})
    return {
      tasks: snapshot.tasks,
      heartbeatMs: snapshot.heartbeatMs,
      events: events(reader, tasks, frameworks, snapshot.heartbeatMs, stop.signal, options, close),
      close,
    }
  } catch (error) {
    body.destroy()
    throw error
  }
}

/** The first record: SUBSCRIBED, scanned as it arrives; each kept task gets its framework's name at the end. */
async function readSubscribed(reader: RecordIoReader, tasks: TaskObjectReader, frameworks: Map<string, FrameworkFacts>): Promise<{tasks: MesosTask[]; heartbeatMs: number}> {
  const length = await reader.nextLength()
  if (length === undefined) throw new CliError('network', 'the Mesos event stream ended before its first event', {retryable: true})
  let type: unknown
  let heartbeatSeconds: unknown
  const kept: MesosTask[] = []
  const taskList = (list: TaskList) => arrayNode(tasks.node(() => taskContext(list), (task) => kept.push(task)))
  const schema = objectNode({
    type: valueNode((value) => (type = value)),
    subscribed: objectNode({
      get_state: objectNode({
        get_tasks: objectNode({
          tasks: taskList('tasks'),
          unreachable_tasks: taskList('unreachable_tasks'),
          completed_tasks: taskList('completed_tasks'),
          // Tasks of frameworks that have not re-registered since the master failed over: they run.
          orphan_tasks: taskList('tasks'),
        }),
        get_frameworks: objectNode({
          frameworks: arrayNode(frameworkNode(frameworks, false)),
          completed_frameworks: arrayNode(frameworkNode(frameworks, true)),
        }),
      }),
      heartbeat_interval_seconds: valueNode((value) => (heartbeatSeconds = value)),
    }),
  })
  await readSelected(reader.body(length), schema, 'the SUBSCRIBED event')
  if (type !== 'SUBSCRIBED') throw new CliError('protocol', `the Mesos event stream began with ${JSON.stringify(type)}, not SUBSCRIBED`)
  for (const task of kept) nameFramework(task, frameworks)
  const seconds = typeof heartbeatSeconds === 'number' && heartbeatSeconds > 0 ? heartbeatSeconds : 15
  return {tasks: kept, heartbeatMs: seconds * 1000}
}

function taskContext(list: TaskList): TaskContext {
  return {frameworkId: '', frameworkName: '', frameworkActive: true, completedFramework: false, list}
}

/** A framework as GET_FRAMEWORKS writes it: `{framework_info: {id: {value}, name}, active, ...}`. */
function frameworkNode(frameworks: Map<string, FrameworkFacts>, completed: boolean): SchemaNode {
  let id = ''
  let facts: FrameworkFacts = {name: '', active: !completed, completed}
  return objectNode(
    {
      framework_info: objectNode({
        id: valueNode((value) => (id = idValue(value))),
        name: valueNode((value) => (facts.name = typeof value === 'string' ? value : '')),
      }),
      active: valueNode((value) => (facts.active = value === true)),
    },
    {
      open: () => {
        id = ''
        facts = {name: '', active: !completed, completed}
      },
      close: () => frameworks.set(id, facts),
    },
  )
}

function nameFramework(task: MesosTask, frameworks: Map<string, FrameworkFacts>): void {
  const framework = frameworks.get(task.frameworkId)
  if (framework === undefined) return
  task.frameworkName = framework.name
  task.frameworkActive = framework.active
  task.completedFramework = framework.completed
}

async function* events(
  reader: RecordIoReader,
  tasks: TaskObjectReader,
  frameworks: Map<string, FrameworkFacts>,
  heartbeatMs: number,
  stopped: AbortSignal,
  clock: Clock,
  close: () => void,
): AsyncGenerator<MasterEvent> {
  const deadMs = MISSED_HEARTBEATS * heartbeatMs
  const nextOrSilence = idleRace(() => deadMs, stopped, clock)
  try {
    for (;;) {
      const next = reader.nextLength()
      const length = await nextOrSilence(next)
      if (length === IDLE) {
        next.catch(() => {})
        throw new CliError('network', `no heartbeat from the Mesos master for ${deadMs / 1000} s`, {retryable: true})
      }
      if (length === undefined) return
      if (length > MAX_EVENT_BYTES) throw new CliError('protocol', `the Mesos event stream sent a ${length}-byte event`)
      const event = await parseEvent(await reader.read(length), tasks, frameworks)
      if (event !== undefined) yield event
    }
  } finally {
    close()
  }
}

/** One event after SUBSCRIBED: the task ones as MasterEvents, frameworks remembered for naming, the rest ignored. */
async function parseEvent(record: Buffer, tasks: TaskObjectReader, frameworks: Map<string, FrameworkFacts>): Promise<MasterEvent | undefined> {
  let event: unknown
  try {
    event = JSON.parse(record.toString('utf8'))
  } catch {
    throw new CliError('protocol', `the Mesos event stream sent an event that is not JSON: ${record.subarray(0, 80).toString('utf8')}`)
  }
  if (!isRecord(event)) throw new CliError('protocol', 'the Mesos event stream sent an event that is not a JSON object')
  switch (event.type) {
    case 'TASK_ADDED': {
      let added: MesosTask | undefined
      const schema = objectNode({task_added: objectNode({task: tasks.node(() => taskContext('tasks'), (task) => (added = task))})})
      await readSelected(record, schema, 'a TASK_ADDED event')
      if (added === undefined) return undefined
      nameFramework(added, frameworks)
      return {type: 'added', task: added}
    }
    case 'TASK_UPDATED':
      return taskUpdated(event.task_updated)
    case 'FRAMEWORK_ADDED':
    case 'FRAMEWORK_UPDATED': {
      const body = event[event.type === 'FRAMEWORK_ADDED' ? 'framework_added' : 'framework_updated']
      const framework = isRecord(body) && isRecord(body.framework) ? body.framework : undefined
      const info = isRecord(framework?.framework_info) ? framework.framework_info : undefined
      if (info !== undefined) frameworks.set(idValue(info.id), {name: typeof info.name === 'string' ? info.name : '', active: framework?.active === true, completed: false})
      return undefined
    }
    case 'FRAMEWORK_REMOVED': {
      const body = isRecord(event.framework_removed) ? event.framework_removed : undefined
      const id = idValue(isRecord(body?.framework_info) ? body.framework_info.id : undefined)
      const known = frameworks.get(id)
      if (known !== undefined) frameworks.set(id, {...known, active: false, completed: true})
      return undefined
    }
    default:
      return undefined
  }
}

function taskUpdated(body: unknown): MasterEvent | undefined {
  if (!isRecord(body) || !isRecord(body.status)) return undefined
  const {status} = body
  const state = typeof body.state === 'string' ? body.state : typeof status.state === 'string' ? status.state : ''
  const containerIds = isRecord(status.container_status) ? containerChain(status.container_status.container_id) : []
  const update: TaskUpdate = {frameworkId: idValue(body.framework_id), taskId: idValue(status.task_id), state, containerIds}
  if (typeof status.timestamp === 'number') update.at = status.timestamp
  return {type: 'updated', update}
}
