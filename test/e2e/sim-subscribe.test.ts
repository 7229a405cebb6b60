import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {startSim, type Sim, type SimTask} from '../../src/sim/index.js'
import {writeBigState} from '../helpers/big-state.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- Operator API events are free-form JSON */
type Json = any

const SUBSCRIBE = {method: 'POST', body: '{"type":"SUBSCRIBE"}'}
const JSON_HEADERS = {'Content-Type': 'application/json', Accept: 'application/json'}

/**
 * A RecordIO reader (`<length>\n<bytes>`, nothing between records) over a response body, reading network
 * chunks as they come: a record may span chunks and a chunk may hold several records.
 */
class Records {
  /** How the stream ended: 'eof' (closed cleanly) or 'error' (reset), once it has. */
  ended?: 'eof' | 'error'
  /** Network chunks the largest record so far arrived in. */
  mostChunks = 0
  private pending = Buffer.alloc(0)
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>

  constructor(readonly response: Response) {
    this.reader = (response.body as ReadableStream<Uint8Array>).getReader()
  }

  /** The next record, or undefined once the stream has ended. */
  async next(): Promise<Json | undefined> {
    let chunks = 0
    for (;;) {
      const newline = this.pending.indexOf(0x0a)
      if (newline >= 0) {
        const length = Number(this.pending.subarray(0, newline).toString())
        assert.match(this.pending.subarray(0, newline).toString(), /^\d+$/, 'a record starts with its decimal length')
        const end = newline + 1 + length
        if (this.pending.length >= end) {
          const record = JSON.parse(this.pending.subarray(newline + 1, end).toString())
          this.pending = this.pending.subarray(end)
          this.mostChunks = Math.max(this.mostChunks, chunks)
          return record
        }
      }
      if (this.ended) return undefined
      try {
        const {value, done} = await this.reader.read()
        if (done) this.ended = 'eof'
        else {
          chunks++
          this.pending = Buffer.concat([this.pending, value])
        }
      } catch {
        this.ended = 'error'
      }
    }
  }

  /** Reads records until one satisfies `wanted`; fails if the stream ends first. */
  async until(wanted: (record: Json) => boolean, what: string): Promise<Json> {
    for (;;) {
      const record = await this.next()
      assert.ok(record !== undefined, `the stream ended (${this.ended}) before ${what}`)
      if (wanted(record)) return record
    }
  }

  close(): Promise<void> {
    return this.reader.cancel().catch(() => undefined)
  }
}

async function subscribe(sim: Sim, headers: Record<string, string> = {}): Promise<Records> {
  return new Records(await fetch(`${sim.url}/mesos/api/v1?subscribe`, {...SUBSCRIBE, headers: {...JSON_HEADERS, ...headers}}))
}

async function getJson(sim: Sim, path: string): Promise<Json> {
  return (await fetch(`${sim.url}${path}`)).json()
}

async function admin(sim: Sim, name: string, body: unknown): Promise<{status: number; body: Json}> {
  const response = await fetch(`${sim.url}/__sim/${name}`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
  return {status: response.status, body: await response.json()}
}

const isTask = (type: string, taskId: string, state?: string) => (record: Json) => {
  if (record.type !== type) return false
  if (type === 'TASK_ADDED') return record.task_added.task.task_id.value === taskId
  return record.task_updated.status.task_id.value === taskId && (state === undefined || record.task_updated.state === state)
}

/** Every task of a master state (or of SUBSCRIBED's get_tasks) as `id state container`, sorted. */
function stateTasks(state: Json): string[] {
  const frameworks: Json[] = [...state.frameworks, ...state.completed_frameworks]
  const tasks = frameworks.flatMap((fw) => [...(fw.tasks ?? []), ...(fw.unreachable_tasks ?? []), ...(fw.completed_tasks ?? [])])
  return tasks.map((t) => `${t.id} ${t.state} ${t.statuses.at(-1)?.container_status?.container_id?.value}`).sort()
}

function subscribedTasks(getTasks: Json): string[] {
  const tasks: Json[] = [...(getTasks.tasks ?? []), ...(getTasks.unreachable_tasks ?? []), ...(getTasks.completed_tasks ?? [])]
  return tasks.map((t) => `${t.task_id.value} ${t.state} ${t.statuses?.at(-1)?.container_status?.container_id?.value}`).sort()
}

describe('sim: Operator API SUBSCRIBE', () => {
  let sim: Sim
  before(async () => {
    sim = await startSim({seed: 5, heartbeatIntervalMs: 40, streamTaskCount: 1500})
  })
  after(() => sim.close())

  test('SUBSCRIBED is the state /mesos/master/state shows, in protobuf JSON, RecordIO over chunks', async () => {
    const records = await subscribe(sim)
    try {
      assert.equal(records.response.status, 200)
      assert.equal(records.response.headers.get('content-type'), 'application/json')
      assert.equal(records.response.headers.get('transfer-encoding'), 'chunked')
      const first = await records.next()
      assert.equal(first.type, 'SUBSCRIBED')
      assert.ok(records.mostChunks > 1, 'the snapshot (1,500 extra tasks) spans network chunks')
      const {get_state: getState, heartbeat_interval_seconds: heartbeat} = first.subscribed
      assert.equal(heartbeat, 0.04)
      assert.deepEqual(Object.keys(getState), ['get_tasks', 'get_executors', 'get_frameworks', 'get_agents'])
      const state = await getJson(sim, '/mesos/master/state')
      assert.deepEqual(subscribedTasks(getState.get_tasks), stateTasks(state))
      const pod = getState.get_tasks.tasks.find((t: Json) => t.executor_id !== undefined)
      assert.deepEqual(Object.keys(pod).slice(0, 6), ['name', 'task_id', 'framework_id', 'executor_id', 'agent_id', 'state'])
      assert.ok(pod.statuses[0].container_status.container_id.parent.value, 'a pod task names its parent container')
      assert.deepEqual(Object.keys(pod.statuses[0]).slice(0, 3), ['task_id', 'state', 'agent_id'])
      const command = getState.get_tasks.tasks.find((t: Json) => t.name === 'web')
      assert.equal(command.executor_id, undefined, 'no executor_id on a command task')
      assert.deepEqual(
        getState.get_frameworks.frameworks.map((f: Json) => f.framework_info.id.value),
        state.frameworks.map((f: Json) => f.id),
      )
      assert.equal(getState.get_frameworks.completed_frameworks.length, state.completed_frameworks.length)
      assert.deepEqual(
        getState.get_agents.agents.map((a: Json) => [a.agent_info.id.value, a.agent_info.hostname, a.pid]),
        state.slaves.map((s: Json) => [s.id, s.hostname, s.pid]),
      )
      assert.ok(getState.get_executors.executors.length > 0, 'pod executors')
    } finally {
      await records.close()
    }
  })

  test('started, restarted, finished and added tasks come as TASK_ADDED and TASK_UPDATED, to every subscriber', async () => {
    const [one, two] = [await subscribe(sim), await subscribe(sim)]
    try {
      for (const records of [one, two]) assert.equal((await records.next()).type, 'SUBSCRIBED')
      const started = await sim.startTask({name: 'web', lines: ['first line', 'second line']})
      assert.equal(started.state, 'TASK_RUNNING')
      assert.match(started.id, /^web\.[0-9a-f-]{36}$/)
      for (const records of [one, two]) {
        const added = await records.until(isTask('TASK_ADDED', started.id), 'TASK_ADDED')
        assert.equal(added.task_added.task.state, 'TASK_STAGING')
        assert.equal(added.task_added.task.statuses, undefined, 'the master knows no status of a staging task')
        const starting = await records.until((r) => r.type !== 'HEARTBEAT', 'the next task event')
        assert.ok(isTask('TASK_UPDATED', started.id, 'TASK_STARTING')(starting))
        assert.equal(starting.task_updated.status.container_status.container_id.value, started.containerId)
        assert.equal(starting.task_updated.framework_id.value, started.frameworkId)
        assert.equal(starting.task_updated.status.agent_id.value, started.agentId)
        await records.until(isTask('TASK_UPDATED', started.id, 'TASK_RUNNING'), 'TASK_RUNNING')
      }

      const restarted = await sim.restartTask(started.id)
      assert.notEqual(restarted.id, started.id)
      assert.equal(restarted.name, 'web')
      assert.equal(restarted.agentId, started.agentId)
      assert.equal(restarted.frameworkId, started.frameworkId)
      await one.until(isTask('TASK_UPDATED', started.id, 'TASK_FAILED'), 'the old instance failing')
      await one.until(isTask('TASK_ADDED', restarted.id), 'the new instance')
      await one.until(isTask('TASK_UPDATED', restarted.id, 'TASK_RUNNING'), 'the new instance running')

      sim.finishTask(restarted.id, 'TASK_KILLED')
      await one.until(isTask('TASK_UPDATED', restarted.id, 'TASK_KILLED'), 'finishTask')
      const synthetic = sim.addSyntheticTask({lines: 1, name: 'synthetic'})
      await one.until(isTask('TASK_ADDED', synthetic.id), 'addSyntheticTask')
      await one.until(isTask('TASK_UPDATED', synthetic.id, 'TASK_RUNNING'), 'addSyntheticTask running')
      await two.until(isTask('TASK_UPDATED', synthetic.id, 'TASK_RUNNING'), 'the second subscriber too')
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  })

  test('a started task is everywhere a generated one is: state, agent state, files API, logging v2', async () => {
    const task = await sim.startTask({name: 'fresh', lines: ['hello from fresh']})
    const state = await getJson(sim, '/mesos/master/state')
    const raw = state.frameworks.flatMap((f: Json) => f.tasks).find((t: Json) => t.id === task.id)
    assert.deepEqual(
      raw.statuses.map((s: Json) => s.state),
      ['TASK_STARTING', 'TASK_RUNNING'],
    )
    assert.equal(raw.framework_id, task.frameworkId, 'Marathon, when no task of that name existed')
    const agentState = await getJson(sim, `/agent/${task.agentId}/state`)
    const executor = agentState.frameworks.flatMap((f: Json) => f.executors).find((e: Json) => e.id === task.executorId)
    assert.equal(executor.directory, task.sandboxDir)
    const read = await getJson(sim, `/agent/${task.agentId}/files/read?path=${encodeURIComponent(`${task.sandboxDir}/stdout`)}&offset=0`)
    assert.equal(read.data, 'hello from fresh\n')
    const stderr = await getJson(sim, `/agent/${task.agentId}/files/read?path=${encodeURIComponent(`${task.sandboxDir}/stderr`)}&offset=0`)
    assert.match(stderr.data, new RegExp(`Starting task ${task.id.replaceAll('.', '\\.')}`))
    const route = `/system/v1/agent/${task.agentId}/logs/v2/task/frameworks/${task.frameworkId}/executors/${task.executorId}/runs/${task.containerId}/stdout`
    const text = await (await fetch(`${sim.url}${route}?cursor=BEG`, {headers: {Accept: 'text/plain'}})).text()
    assert.equal(text, 'hello from fresh\n')
    const discovered = await fetch(`${sim.url}/system/v1/logs/v2/task/${task.id}/file/stdout`, {redirect: 'manual'})
    assert.equal(discovered.status, 303)
  })

  test('HEARTBEAT every heartbeatIntervalMs', async () => {
    const records = await subscribe(sim)
    try {
      await records.next()
      for (let n = 0; n < 3; n++) assert.equal((await records.next()).type, 'HEARTBEAT')
    } finally {
      await records.close()
    }
  })

  test('a cut event stream: the task started meanwhile is in the next SUBSCRIBED; subscriptions are counted', async () => {
    const before = sim.requests.filter((r) => r.call === 'SUBSCRIBE').length
    sim.inject({kind: 'end-stream', afterEvents: 2, mode: 'reset', match: 'subscribe'})
    const cut = await subscribe(sim)
    // A reset may take with it what the client had not read yet, so only the end is certain.
    while ((await cut.next()) !== undefined);
    assert.equal(cut.ended, 'error', 'reset')
    const meanwhile = await sim.startTask({name: 'meanwhile'})
    const again = await subscribe(sim)
    try {
      const snapshot = (await again.next()).subscribed.get_state.get_tasks.tasks
      const found = snapshot.find((t: Json) => t.task_id.value === meanwhile.id)
      assert.equal(found.state, 'TASK_RUNNING')
      assert.equal(sim.requests.filter((r) => r.call === 'SUBSCRIBE').length, before + 2)
    } finally {
      await again.close()
    }
  })

  test('faults reach the event stream only when they name it', async () => {
    sim.clearFaults()
    sim.inject({kind: 'end-stream', afterEvents: 1})
    sim.inject({kind: 'status', status: 503, match: 'stream'})
    const untouched = await subscribe(sim)
    try {
      assert.equal(untouched.response.status, 200)
      await untouched.next()
      assert.equal((await untouched.next()).type, 'HEARTBEAT', 'the untargeted end-stream fault is not used up here')
    } finally {
      await untouched.close()
    }
    assert.equal((await getJson(sim, '/__sim/faults')).length, 2)
    sim.clearFaults()
    sim.inject({kind: 'status', status: 503, match: '/mesos/api/v1'})
    assert.equal((await subscribe(sim)).response.status, 503, 'a path prefix names it')
    sim.inject({kind: 'stall', ms: 50, afterEvents: 1, match: 'subscribe'})
    const stalled = await subscribe(sim)
    assert.equal((await stalled.next()).type, 'SUBSCRIBED')
    assert.equal((await stalled.next()).type, 'HEARTBEAT', 'what came during the stall follows it')
    await stalled.close()
    sim.inject({kind: 'delay', ms: 1, match: 'subscribe'})
    sim.inject({kind: 'end-stream', afterEvents: 1, mode: 'close', match: 'subscribe'})
    const closed = await subscribe(sim)
    assert.equal((await closed.next()).type, 'SUBSCRIBED')
    assert.equal(await closed.next(), undefined)
    assert.equal(closed.ended, 'eof')
    await closed.close()
    assert.deepEqual(await getJson(sim, '/__sim/faults'), [], 'each used once')
  })

  test('only JSON is streamed; GET_AGENTS is answered as before', async () => {
    const protobuf = await fetch(`${sim.url}/mesos/api/v1`, {...SUBSCRIBE, headers: {'Content-Type': 'application/json', Accept: 'application/x-protobuf'}})
    assert.equal(protobuf.status, 501)
    const agents = await fetch(`${sim.url}/mesos/api/v1`, {method: 'POST', headers: JSON_HEADERS, body: '{"type":"GET_AGENTS"}'})
    const body: Json = await agents.json()
    assert.equal(body.type, 'GET_AGENTS')
    assert.ok(body.get_agents.agents.every((a: Json) => a.agent_info.id.value && a.agent_info.port === 5051))
    assert.equal(sim.requests.at(-1)?.call, 'GET_AGENTS')
  })

  test('admin endpoints start and restart tasks', async () => {
    const started = await admin(sim, 'start-task', {name: 'admin-app', lines: ['one']})
    assert.equal(started.status, 200)
    assert.equal((started.body as SimTask).state, 'TASK_RUNNING')
    const restarted = await admin(sim, 'restart-task', {taskId: started.body.id, state: 'TASK_KILLED'})
    assert.equal(restarted.status, 200)
    assert.equal(restarted.body.name, 'admin-app')
    const tasks = sim.tasks().filter((t) => t.name === 'admin-app')
    assert.deepEqual(
      tasks.map((t) => [t.id, t.state]),
      [
        [started.body.id, 'TASK_KILLED'],
        [restarted.body.id, 'TASK_RUNNING'],
      ],
    )
    assert.equal((await admin(sim, 'start-task', {})).status, 400)
    assert.equal((await admin(sim, 'restart-task', {taskId: 'nope'})).status, 400)
  })

  test('every stream ends when the sim closes', async () => {
    const other = await startSim({heartbeatIntervalMs: 60_000})
    const records = await subscribe(other)
    await records.next()
    await other.close()
    assert.equal(await records.next(), undefined)
  })
})

describe('sim: SUBSCRIBE of a recorded state', () => {
  test('3,000 tasks (a snapshot of megabytes, written in pieces): the same tasks as /mesos/master/state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-subscribe-'))
    const statePath = join(dir, 'state.json')
    writeBigState(statePath, {tasks: 3000})
    const sim = await startSim({statePath})
    try {
      const records = await subscribe(sim)
      const subscribed = await records.next()
      await records.close()
      const getTasks = subscribed.subscribed.get_state.get_tasks
      assert.deepEqual(Object.keys(getTasks), ['tasks', 'unreachable_tasks', 'completed_tasks'], 'declaration order; empty lists left out')
      assert.deepEqual(subscribedTasks(getTasks), stateTasks(await getJson(sim, '/mesos/master/state')))
      const task = getTasks.tasks[0]
      assert.ok(Array.isArray(task.labels.labels), 'labels as a Labels message')
      assert.deepEqual(task.resources.find((r: Json) => r.name === 'cpus'), {name: 'cpus', type: 'SCALAR', scalar: {value: 0.1}})
    } finally {
      await sim.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('sim: SUBSCRIBE by version and with auth', () => {
  test('DC/OS 1.8 (Mesos 1.0) has no SUBSCRIBE: 400 as its master answers an unknown call', async () => {
    const old = await startSim({dcosVersion: '1.8'})
    try {
      const response = await fetch(`${old.url}/mesos/api/v1`, {...SUBSCRIBE, headers: JSON_HEADERS})
      assert.equal(response.status, 400)
      assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8')
      assert.equal(await response.text(), "Failed to convert JSON into Call protobuf: Failed to find enum for 'SUBSCRIBE'")
    } finally {
      await old.close()
    }
    const first = await startSim({dcosVersion: '1.9'})
    try {
      const records = await subscribe(first)
      const subscribed = await records.next()
      assert.equal(subscribed.subscribed.heartbeat_interval_seconds, 15)
      await records.close()
    } finally {
      await first.close()
    }
  })

  test('with auth, the token is required', async () => {
    const secured = await startSim({auth: true})
    try {
      assert.equal((await subscribe(secured)).response.status, 401)
      const records = await subscribe(secured, {Authorization: `token=${secured.issueToken('bootstrapuser')}`})
      assert.equal((await records.next()).type, 'SUBSCRIBED')
      await records.close()
    } finally {
      await secured.close()
    }
  })
})
