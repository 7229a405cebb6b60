/**
 * `dcos-ts task list` as a user types it, run in-process (test/helpers/in-process.ts: the command's
 * parsing and options, its run function over a socket) against the simulated cluster: its generated
 * tasks, a real recorded master state, and a large cluster.
 */
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {after, before, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {startSim, type Sim} from '../../src/sim/index.js'
import {runInProcess} from '../helpers/in-process.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const PODS = `${shared}fixtures/real/dcos-go__master-state__mesos-1.5.0__pods.json`
const needsShared = existsSync(shared) ? {} : {skip: 'needs ../shared beside the repository'}

describe('task list against the generated sim cluster', {concurrency: true}, () => {
  let sim: Sim
  before(async () => {
    sim = await startSim()
  })
  after(() => sim.close())

  const taskList = (...args: string[]) => runInProcess(['task', 'list', ...args], {env: {DCOS_URL: sim.url}})

  test('a table of every running task, with a header and no colour when piped', async () => {
    const result = await taskList()
    assert.equal(result.code, 0, result.stderr)
    const [header, ...rows] = result.stdout.trimEnd().split('\n')
    assert.match(header, /^ID +NAME +STATE +FRAMEWORK +HOST$/)
    const running = sim.tasks().filter((task) => task.state === 'TASK_RUNNING')
    assert.deepEqual(rows.map((row) => row.split(/ +/)[0]).sort(), running.map((task) => task.id).sort())
    assert.doesNotMatch(result.stdout, /\x1b/)
    assert.equal(result.stderr, '')
  })

  test('--json: one object per line, with the agent host', async () => {
    const result = await taskList('--all', '--json')
    assert.equal(result.code, 0, result.stderr)
    const records = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))
    assert.equal(records.length, sim.tasks().length)
    for (const record of records) {
      assert.deepEqual(Object.keys(record), ['id', 'name', 'state', 'framework_id', 'framework', 'agent_id', 'agent', 'completed'])
      const task = sim.tasks().find((candidate) => candidate.id === record.id && candidate.frameworkId === record.framework_id)
      assert.ok(task, record.id)
      assert.equal(record.state, task.state)
    }
  })

  test('--completed and --all together is a usage error', async () => {
    const result = await taskList('--completed', '--all')
    assert.equal(result.code, EXIT_CODES.usage)
    assert.match(result.stderr, /^Error: .*--all/)
  })
})

describe('task list against a recorded master state (Mesos 1.5, pods)', {...needsShared, concurrency: true}, () => {
  let sim: Sim
  before(async () => {
    sim = await startSim({statePath: PODS})
  })
  after(() => sim.close())

  const taskList = (...args: string[]) => runInProcess(['task', 'list', ...args], {env: {DCOS_URL: sim.url}})

  test('a name lists every task with that name', async () => {
    const result = await taskList('test123')
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      result.stdout.trimEnd().split('\n').map((line) => line.split(/ +/)[0]),
      ['ID', 'test123-123', 'test123-345'],
    )
  })

  test('only a completed task matches: exit 6 and the hint to use --completed', async () => {
    const result = await taskList('node-0-server')
    assert.equal(result.code, EXIT_CODES['not-found'])
    assert.equal(result.stdout, '')
    assert.equal(result.stderr, "Error: no running task matches 'node-0-server' (1 completed task matches: run with --completed)\n")
    const completed = await taskList('node-0-server', '--completed', '--json')
    assert.equal(completed.code, 0, completed.stderr)
    assert.deepEqual(JSON.parse(completed.stdout), {
      id: 'node-0-server__29de48bb-dfd7-4ccc-a5ba-7918b2eb880c',
      name: 'node-0-server',
      state: 'TASK_KILLED',
      framework_id: '93397246-d2c3-4e56-9848-4573c8e778bb-0002',
      framework: 'cassandra',
      agent_id: '93397246-d2c3-4e56-9848-4573c8e778bb-S9',
      agent: null,
      completed: true,
    })
  })
})

describe('task list against a large cluster (20,000 extra tasks, a 17 MB master state)', () => {
  let sim: Sim
  before(async () => {
    sim = await startSim({streamTaskCount: 20_000})
  })
  after(() => sim.close())

  test('one task among them, by its exact id', async () => {
    const tasks = sim.tasks()
    const wanted = tasks[Math.floor(tasks.length / 2)]
    const result = await runInProcess(['task', 'list', wanted.id, '--all', '--json'], {env: {DCOS_URL: sim.url}})
    assert.equal(result.code, 0, result.stderr)
    const record = JSON.parse(result.stdout)
    assert.equal(record.id, wanted.id)
    assert.equal(record.framework_id, wanted.frameworkId)
    assert.equal(record.agent_id, wanted.agentId)
  })
})
