import {setImmediate as nextTurn} from 'node:timers/promises'
import type {Json, MasterEvent} from './cluster-model.js'
import * as v1 from './protobuf-json.js'
import {BodyStream, type Exchange} from './respond.js'
import type {World} from './world.js'

/**
 * The master's event stream (Operator API v1 `SUBSCRIBE`, reference/mesos-api.md §8): a chunked 200 that
 * never ends by itself, RecordIO-framed (`<byte length>\n<JSON>`, nothing between records). First a
 * SUBSCRIBED record with the whole state, then TASK_ADDED / TASK_UPDATED as the cluster model changes and
 * a HEARTBEAT every heartbeat interval (the first one interval after subscribing, as Mesos' Heartbeater
 * does). The end-stream and stall faults count records, SUBSCRIBED included.
 */

/** The SUBSCRIBED record goes out in pieces of about this many characters. */
const PIECE_CHARS = 64 * 1024
/** A snapshot up to this size is measured and written from the same pieces; a bigger one is rendered twice. */
const KEEP_CHARS = 4 * 1024 * 1024
const HEARTBEAT = '{"type":"HEARTBEAT"}'

/** A task as it was when the snapshot was taken: later updates change its state and add statuses in place. */
interface FrozenTask {
  raw: Json
  state: string
  statusCount: number
}

interface Snapshot {
  /** GetTasks' lists in declaration order, as [field, tasks]. */
  taskLists: Array<[string, FrozenTask[]]>
  /** The JSON of GetState's other fields: get_executors, get_frameworks, get_agents. */
  rest: string
}

function recordOf(json: string): string {
  return `${Buffer.byteLength(json)}\n${json}`
}

/** A double as stout writes it: always with a fraction (`15.0`). */
function protobufDouble(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value)
}

function eventJson(event: MasterEvent): string {
  if (event.type === 'TASK_ADDED') return JSON.stringify({type: 'TASK_ADDED', task_added: {task: v1.task(event.task)}})
  const taskUpdated = {framework_id: {value: event.task.framework_id}, status: v1.taskStatus(event.task, event.status), state: event.task.state}
  return JSON.stringify({type: 'TASK_UPDATED', task_updated: taskUpdated})
}

function takeSnapshot(state: Json): Snapshot {
  const active: Json[] = state.frameworks ?? []
  const completed: Json[] = state.completed_frameworks ?? []
  const frameworks = [...active, ...completed]
  const freeze = (tasks: Json[]): FrozenTask[] => tasks.map((raw) => ({raw, state: raw.state, statusCount: raw.statuses?.length ?? 0}))
  const executors = frameworks.flatMap((fw) => fw.executors ?? []).map(v1.executor)
  const getFrameworks = {
    ...(active.length > 0 ? {frameworks: active.map(v1.framework)} : {}),
    ...(completed.length > 0 ? {completed_frameworks: completed.map(v1.framework)} : {}),
  }
  const agents = (state.slaves ?? []).map((slave: Json) => v1.agent(slave, state.version))
  return {
    taskLists: [
      ['tasks', freeze(frameworks.flatMap((fw) => fw.tasks ?? []))],
      ['unreachable_tasks', freeze(frameworks.flatMap((fw) => fw.unreachable_tasks ?? []))],
      ['completed_tasks', freeze(frameworks.flatMap((fw) => fw.completed_tasks ?? []))],
      ['orphan_tasks', freeze(state.orphan_tasks ?? [])],
    ],
    rest:
      `"get_executors":${JSON.stringify(executors.length > 0 ? {executors} : {})},` +
      `"get_frameworks":${JSON.stringify(getFrameworks)},"get_agents":${JSON.stringify(agents.length > 0 ? {agents} : {})}`,
  }
}

/** The SUBSCRIBED record's JSON in pieces; the same pieces every time over the same snapshot. */
function* subscribedPieces(snapshot: Snapshot, heartbeatSeconds: number): Generator<string> {
  let parts = ['{"type":"SUBSCRIBED","subscribed":{"get_state":{"get_tasks":{']
  let chars = 0
  let listSeparator = ''
  for (const [field, tasks] of snapshot.taskLists) {
    if (tasks.length === 0) continue
    parts.push(`${listSeparator}"${field}":[`)
    listSeparator = ','
    for (const [n, frozen] of tasks.entries()) {
      const json = JSON.stringify(v1.task(frozen.raw, frozen.state, frozen.statusCount))
      parts.push(n === 0 ? json : `,${json}`)
      chars += json.length
      if (chars >= PIECE_CHARS) {
        yield parts.join('')
        parts = []
        chars = 0
      }
    }
    parts.push(']')
  }
  parts.push(`},${snapshot.rest}},"heartbeat_interval_seconds":${protobufDouble(heartbeatSeconds)}}}`)
  yield parts.join('')
}

/**
 * Writes the SUBSCRIBED record without ever holding a big one whole: its length is summed over the pieces
 * first (yielding to other requests between pieces), then the pieces are rendered again as they are sent.
 */
async function writeSubscribed(stream: BodyStream, snapshot: Snapshot, heartbeatSeconds: number): Promise<void> {
  let bytes = 0
  let kept: string[] | undefined = []
  let keptChars = 0
  for (const piece of subscribedPieces(snapshot, heartbeatSeconds)) {
    bytes += Buffer.byteLength(piece)
    keptChars += piece.length
    if (kept !== undefined && keptChars <= KEEP_CHARS) kept.push(piece)
    else kept = undefined
    if (kept === undefined) await nextTurn()
  }
  stream.write(`${bytes}\n`)
  let previous: string | undefined
  for (const piece of kept ?? subscribedPieces(snapshot, heartbeatSeconds)) {
    if (stream.closed) return
    if (previous !== undefined) await stream.write(previous)
    previous = piece
  }
  // The last piece goes out as the event, so the record counts once for faults.
  await stream.event(previous ?? '')
  await stream.flush()
}

export async function subscribe(world: World, ex: Exchange): Promise<void> {
  const stream = new BodyStream(ex, true)
  world.streams.add(stream)
  const snapshot = takeSnapshot(world.cluster.state)
  // Records that happen while SUBSCRIBED is written wait here, so they follow it in order.
  const queue: string[] = []
  let wake: (() => void) | undefined
  const enqueue = (json: string) => {
    queue.push(recordOf(json))
    wake?.()
  }
  const stopEvents = world.cluster.onEvent((event) => enqueue(eventJson(event)))
  const heartbeat = setInterval(() => enqueue(HEARTBEAT), world.heartbeatIntervalMs)
  stream.whenClosed(() => {
    stopEvents()
    clearInterval(heartbeat)
    world.streams.delete(stream)
    wake?.()
  })
  stream.head(200, {'Content-Type': 'application/json'})
  await writeSubscribed(stream, snapshot, world.heartbeatIntervalMs / 1000)
  while (!stream.closed) {
    const next = queue.shift()
    if (next === undefined) {
      await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
      continue
    }
    await stream.event(next)
    if (queue.length === 0) await stream.flush()
  }
}
