/**
 * The Mesos event stream as the client reads it: RecordIO under any chunking (property tests), and
 * SUBSCRIBE against a hand-made master on 127.0.0.1 that answers with the Operator API's JSON: the snapshot
 * kept to what matches, events, heartbeats that stop, a stream cut inside a record, a master without the
 * call.
 */
import assert from 'node:assert/strict'
import {createServer, type ServerResponse} from 'node:http'
import {describe, test} from 'node:test'
import fc from 'fast-check'
import {createHttpClient, type HttpClient} from '../../src/cluster/http.js'
import {CliError} from '../../src/errors.js'
import {NoEventStream, subscribe, type MasterEvent} from '../../src/mesos/event-stream.js'
import {RecordIoReader} from '../../src/mesos/recordio.js'
import {sleep} from '../../src/run/create-deps.js'
import {splitAt} from '../helpers/chunks.js'
import {testServers} from '../helpers/servers.js'

const record = (value: unknown) => {
  const json = Buffer.from(JSON.stringify(value))
  return Buffer.concat([Buffer.from(`${json.length}\n`), json])
}

async function* chunksOf(parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield part
}

async function readAll(reader: RecordIoReader): Promise<string[]> {
  const records: string[] = []
  for (let length = await reader.nextLength(); length !== undefined; length = await reader.nextLength()) {
    records.push((await reader.read(length)).toString())
  }
  return records
}

describe('RecordIO', () => {
  test('the same records whatever the chunking, multi-byte characters and empty records included', async () => {
    const text = fc.string({unit: 'grapheme', maxLength: 30})
    await fc.assert(
      fc.asyncProperty(fc.array(text, {maxLength: 8}), fc.array(fc.nat(), {maxLength: 30}), async (records, cuts) => {
        const bytes = Buffer.concat(records.map((value) => Buffer.concat([Buffer.from(`${Buffer.byteLength(value)}\n`), Buffer.from(value)])))
        assert.deepEqual(await readAll(new RecordIoReader(chunksOf(splitAt(bytes, cuts)), 'the stream')), records)
      }),
    )
  })

  test('a cut inside a record is a network error to reconnect after; a length that is not one is a protocol error', async () => {
    await assert.rejects(readAll(new RecordIoReader(chunksOf([Buffer.from('10\nabc')]), 'the stream')), (error: CliError) => error.kind === 'network' && error.retryable && /ended inside a record/.test(error.message))
    await assert.rejects(readAll(new RecordIoReader(chunksOf([Buffer.from('12')]), 'the stream')), /ended inside a record/)
    await assert.rejects(readAll(new RecordIoReader(chunksOf([Buffer.from('<html>\n')]), 'the stream')), (error: CliError) => error.kind === 'protocol' && /the stream is not RecordIO: a record length of '<html>'/.test(error.message))
    await assert.rejects(readAll(new RecordIoReader(chunksOf([Buffer.from('x'.repeat(40))]), 'the stream')), /not RecordIO: no record length/)
  })
})

/** Tasks as the v1 operator API writes them (protobuf JSON). */
const v1Task = (id: string, name: string, state: string, container?: string) => ({
  name,
  task_id: {value: id},
  framework_id: {value: 'F1'},
  agent_id: {value: 'S1'},
  state,
  resources: [{name: 'cpus', type: 'SCALAR', scalar: {value: 0.1}}],
  statuses: container === undefined ? [] : [{task_id: {value: id}, state, timestamp: 1700000000.5, container_status: {container_id: {value: container}}}],
})

const subscribed = (tasks: unknown[], completed: unknown[] = []) => ({
  type: 'SUBSCRIBED',
  subscribed: {
    get_state: {
      get_tasks: {tasks, completed_tasks: completed},
      get_executors: {},
      get_frameworks: {frameworks: [{framework_info: {user: 'root', name: 'marathon', id: {value: 'F1'}}, active: true, connected: true}]},
      get_agents: {agents: []},
    },
    heartbeat_interval_seconds: 0.05,
  },
})

const servers = testServers()
let answer: (res: ServerResponse, body: string) => void = (res) => res.end()
const bodies: string[] = []
const master = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', () => {
    bodies.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`)
    answer(res, body)
  })
})
let http: HttpClient

/** Serves these bytes as the stream, one write each, and leaves it open (a master never ends it). */
function streaming(...writes: Buffer[]): (res: ServerResponse) => void {
  return (res) => {
    res.writeHead(200, {'Content-Type': 'application/json'})
    for (const bytes of writes) res.write(bytes)
  }
}

const keepWeb = (task: {name: string}) => task.name === 'web'
const clock = {now: Date.now, sleep}

describe('SUBSCRIBE', () => {
  test('the snapshot keeps the matching tasks, named after their framework; events follow; the call is a JSON POST', async () => {
    http ??= createHttpClient({url: await servers.listen(master), tls: {verify: true}, timeoutMs: 5000, sources: {url: 'test', token: 'test', tls: 'test', timeout: 'test', cluster: 'test'}})
    const snapshot = record(subscribed([v1Task('web.1', 'web', 'TASK_RUNNING', 'C1'), v1Task('db.1', 'db', 'TASK_RUNNING', 'C2')], [v1Task('web.0', 'web', 'TASK_FAILED', 'C0')]))
    const added = record({type: 'TASK_ADDED', task_added: {task: v1Task('web.2', 'web', 'TASK_STAGING')}})
    const updated = record({type: 'TASK_UPDATED', task_updated: {framework_id: {value: 'F1'}, status: {task_id: {value: 'web.2'}, state: 'TASK_RUNNING', timestamp: 1700000001, container_status: {container_id: {value: 'C3', parent: {value: 'P3'}}}}, state: 'TASK_RUNNING'}})
    const heartbeat = record({type: 'HEARTBEAT'})
    // Chunks fall anywhere: the snapshot in two, then two records and a half, then the rest.
    const all = Buffer.concat([snapshot, added, heartbeat, updated])
    answer = streaming(all.subarray(0, 100), all.subarray(100, snapshot.length + added.length + 5), all.subarray(snapshot.length + added.length + 5))
    const stop = new AbortController()
    const subscription = await subscribe(http, {keep: keepWeb, signal: stop.signal, ...clock})
    assert.deepEqual(
      subscription.tasks.map((task) => [task.id, task.name, task.frameworkName, task.agentId, task.state, task.list, task.containerIds.join(','), task.updatedAt]),
      [
        ['web.1', 'web', 'marathon', 'S1', 'TASK_RUNNING', 'tasks', 'C1', 1700000000.5],
        ['web.0', 'web', 'marathon', 'S1', 'TASK_FAILED', 'completed_tasks', 'C0', 1700000000.5],
      ],
    )
    assert.equal(subscription.heartbeatMs, 50)
    assert.match(bodies.at(-1) ?? '', /^POST \/mesos\/api\/v1 application\/json {"type":"SUBSCRIBE"}$/)
    const events: MasterEvent[] = []
    for await (const event of subscription.events) {
      events.push(event)
      if (events.length === 2) break
    }
    assert.equal(events[0].type === 'added' && `${events[0].task.id} ${events[0].task.frameworkName} ${events[0].task.state}`, 'web.2 marathon TASK_STAGING')
    assert.deepEqual(events[1], {type: 'updated', update: {frameworkId: 'F1', taskId: 'web.2', state: 'TASK_RUNNING', containerIds: ['C3', 'P3'], at: 1700000001}})
  })

  test('heartbeats that stop end the events with a network error to reconnect after', async () => {
    answer = streaming(record(subscribed([])), record({type: 'HEARTBEAT'}))
    const subscription = await subscribe(http, {keep: keepWeb, signal: new AbortController().signal, ...clock})
    await assert.rejects(
      (async () => {
        for await (const event of subscription.events) assert.fail(`no event expected, got ${event.type}`)
      })(),
      (error: CliError) => error.kind === 'network' && error.retryable && /no heartbeat from the Mesos master for 0\.15 s/.test(error.message),
    )
  })

  test('a master without SUBSCRIBE (Mesos < 1.1 answers 400) is told apart, to poll instead', async () => {
    answer = (res) => {
      res.writeHead(400, {'Content-Type': 'text/plain'})
      res.end("Failed to convert JSON into Call protobuf: Failed to find enum for 'SUBSCRIBE'")
    }
    await assert.rejects(subscribe(http, {keep: keepWeb, signal: new AbortController().signal, ...clock}), NoEventStream)
  })

  test('a stream that does not begin with SUBSCRIBED, or ends before it, says so', async () => {
    answer = (res) => streaming(record({type: 'HEARTBEAT'}))(res)
    await assert.rejects(subscribe(http, {keep: keepWeb, signal: new AbortController().signal, ...clock}), /began with "HEARTBEAT", not SUBSCRIBED/)
    answer = (res) => {
      res.writeHead(200, {'Content-Type': 'application/json'})
      res.end('40\n{"type":"SUBSCRIBED"')
    }
    await assert.rejects(subscribe(http, {keep: keepWeb, signal: new AbortController().signal, ...clock}), (error: CliError) => error.retryable)
  })
})
