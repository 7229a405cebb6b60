import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {Readable} from 'node:stream'
import {fileURLToPath} from 'node:url'
import {CliError} from '../../src/errors.js'
import type {HttpClient, RequestOptions} from '../../src/cluster/http.js'
import {fetchMasterState, findAgent, findFramework, findLeader} from '../../src/mesos/master.js'
import {testIO, type TestIO} from '../../src/output/io.js'
import {formatTable} from '../../src/output/table.js'
import type {Deps} from '../../src/deps.js'
import {runTaskList, type TaskListOptions} from '../../src/run/task-list.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const needsShared = existsSync(shared) ? {} : {skip: 'needs ../shared beside the repository'}
const PODS = existsSync(shared) ? readFileSync(`${shared}fixtures/real/dcos-go__master-state__mesos-1.5.0__pods.json`) : Buffer.alloc(0)

/** An HttpClient whose stream() serves a body in small chunks, and records each request. */
function fakeHttp(body: Buffer) {
  const requests: Array<{path: string; options?: RequestOptions}> = []
  const bodies: Readable[] = []
  const http: HttpClient = {
    baseUrl: 'http://127.0.0.1:1',
    json: () => Promise.reject(new Error('not used')),
    text: () => Promise.reject(new Error('not used')),
    async stream(path, options) {
      requests.push({path, options})
      const chunks = Array.from({length: Math.ceil(body.length / 777)}, (_, index) => body.subarray(index * 777, (index + 1) * 777))
      const stream = Readable.from(chunks)
      bodies.push(stream)
      return {response: {status: 200, headers: {}, url: `http://127.0.0.1:1${path}`}, body: stream}
    },
  }
  return {http, requests, bodies}
}

function testDeps(http: HttpClient, io: TestIO = testIO()): Deps {
  return {
    io,
    now: () => 0,
    sleep: () => Promise.resolve(),
    signal: new AbortController().signal,
    cluster: () => Promise.reject(new Error('not used')),
    http: async () => http,
    close: () => Promise.resolve(),
  }
}

describe('fetchMasterState', needsShared, () => {
  test('streams /mesos/master/state with no total deadline, and keeps what keep keeps', async () => {
    const {http, requests, bodies} = fakeHttp(PODS)
    const state = await fetchMasterState(http, {keep: (task) => task.name === 'test123'})
    assert.equal(requests[0].path, '/mesos/master/state')
    assert.equal(requests[0].options?.purpose, 'reading master state')
    assert.equal(requests[0].options?.mode, 'stream')
    assert.deepEqual(
      state.tasks.map((task) => task.id),
      ['test123-123', 'test123-345'],
    )
    assert.equal(bodies[0].destroyed, true)
  })

  test('a body that is not JSON is a protocol error, and the body is released', async () => {
    const {http, bodies} = fakeHttp(Buffer.from('<html>502 Bad Gateway</html>'))
    await assert.rejects(fetchMasterState(http), (error: unknown) => error instanceof CliError && error.kind === 'protocol')
    assert.equal(bodies[0].destroyed, true)
  })

  test('agents, frameworks and the leader by id', async () => {
    const state = await fetchMasterState(fakeHttp(PODS).http)
    assert.equal(findAgent(state, 'db10f9b1-5b82-4187-aa47-4fbcefc7cdca-S0')?.public, true)
    assert.equal(findAgent(state, '93397246-d2c3-4e56-9848-4573c8e778bb-S9'), undefined)
    assert.equal(findFramework(state, '93397246-d2c3-4e56-9848-4573c8e778bb-0002')?.completed, true)
    assert.deepEqual(findLeader(state), {hostname: '10.0.4.125', pid: 'master@10.0.4.125:5050', ip: '10.0.4.125', port: 5050})
  })
})

describe('runTaskList', needsShared, () => {
  const run = async (options: Partial<TaskListOptions>, io: TestIO = testIO()) => {
    await runTaskList({completed: false, all: false, json: false, ...options}, testDeps(fakeHttp(PODS).http, io))
    return io
  }

  test('a plain aligned table of the running tasks when piped', async () => {
    const io = await run({})
    assert.equal(
      io.stdoutText(),
      [
        'ID                                                                    NAME                     STATE    FRAMEWORK  HOST',
        'parent-pod.instance-da6ef080-b81f-11e7-a9ac-52ad791ffaa8.container-1  container-1              RUNNING  marathon   10.0.0.157',
        'parent-pod.instance-da6ef080-b81f-11e7-a9ac-52ad791ffaa8.container-2  container-2              RUNNING  marathon   10.0.0.157',
        'single-docker-container.ac0b2d2e-b81f-11e7-a9ac-52ad791ffaa8          single-docker-container  RUNNING  marathon   10.0.0.157',
        'single-mesos-container.c1f5ae3f-b81f-11e7-a9ac-52ad791ffaa8           single-mesos-container   RUNNING  marathon   10.0.0.157',
        'test123-123                                                           test123                  RUNNING  marathon   10.0.0.157',
        'test123-345                                                           test123                  RUNNING  marathon   10.0.0.157',
        '',
      ].join('\n'),
    )
    assert.equal(io.stderrText(), '')
  })

  test('--completed: finished tasks, a task on a gone agent says so', async () => {
    const lines = (await run({completed: true})).stdoutText().trimEnd().split('\n')
    assert.equal(lines.length, 3)
    assert.match(lines[1], /^node-0-server__29de48bb\S+\s+node-0-server\s+KILLED\s+cassandra\s+93397246-d2c3-4e56-9848-4573c8e778bb-S9 \(gone\)$/)
    assert.match(lines[2], /^single-docker-container\.ac0b2d2e\S+\s+single-docker-completed\s+RUNNING\s+marathon\s+10\.0\.0\.157$/)
  })

  test('--json: NDJSON with stable fields, running first', async () => {
    const records = (await run({all: true, json: true}))
      .stdoutText()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    assert.equal(records.length, 8)
    assert.deepEqual(records[4], {
      id: 'test123-123',
      name: 'test123',
      state: 'TASK_RUNNING',
      framework_id: 'db10f9b1-5b82-4187-aa47-4fbcefc7cdca-0000',
      framework: 'marathon',
      agent_id: 'db10f9b1-5b82-4187-aa47-4fbcefc7cdca-S1',
      agent: '10.0.0.157',
      completed: false,
    })
    assert.deepEqual(
      records.map((record) => record.completed),
      [false, false, false, false, false, false, true, true],
    )
    assert.equal(records[6].agent, null)
  })

  test('a pattern lists what task log would read', async () => {
    const io = await run({pattern: 'test123', json: true})
    assert.deepEqual(
      io.stdoutText().trimEnd().split('\n').map((line) => JSON.parse(line).id),
      ['test123-123', 'test123-345'],
    )
  })

  test('a pattern that matches only completed tasks: not-found with the --completed hint', async () => {
    await assert.rejects(run({pattern: 'node-0'}), (error: unknown) => {
      assert.ok(error instanceof CliError)
      assert.equal(error.kind, 'not-found')
      assert.equal(error.message, "no running task matches 'node-0'")
      assert.equal(error.hint, '1 completed task matches: run with --completed')
      return true
    })
  })

  test('on a terminal the header is bold and states are coloured; NO_COLOR turns it off', async () => {
    const tty = await run({}, testIO({tty: true}))
    assert.match(tty.stdoutText(), /\x1b\[1mID\x1b\[22m/)
    assert.match(tty.stdoutText(), /\x1b\[32mRUNNING\x1b\[39m/)
    const plain = await run({}, testIO({tty: true, env: {NO_COLOR: '1'}}))
    assert.doesNotMatch(plain.stdoutText(), /\x1b/)
  })

  test('nothing in scope: no output; a note on a terminal only', async () => {
    const body = Buffer.from(JSON.stringify({frameworks: []}))
    const piped = testIO()
    await runTaskList({completed: false, all: false, json: false}, testDeps(fakeHttp(body).http, piped))
    assert.equal(piped.stdoutText() + piped.stderrText(), '')
    const tty = testIO({tty: true})
    await runTaskList({completed: true, all: false, json: false}, testDeps(fakeHttp(body).http, tty))
    assert.equal(tty.stderrText(), 'no completed tasks\n')
  })
})

describe('formatTable', () => {
  test('pads every column but the last, and escapes what would break a row or the terminal', () => {
    assert.equal(
      formatTable(['A', 'B', 'C'], [
        ['x', 'yy', 'z'],
        ['tab\there', 'new\nline', '\x1b[31mred'],
      ]),
      'A          B          C\nx          yy         z\ntab\\there  new\\nline  \\x1b[31mred\n',
    )
  })
})
