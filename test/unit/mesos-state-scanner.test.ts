import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {Readable} from 'node:stream'
import {fileURLToPath} from 'node:url'
import fc from 'fast-check'
import {CliError} from '../../src/errors.js'
import {scanMasterState} from '../../src/mesos/state-scanner.js'
import {
  agentFromJson,
  containerChain,
  idValue,
  isRecord,
  labelsFromJson,
  leaderFromJson,
  type MasterState,
  type MesosTask,
  type TaskList,
  type TaskName,
} from '../../src/mesos/state.js'
import {bigStateText} from '../helpers/big-state.js'
import {splitAt} from '../helpers/chunks.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const needsShared = existsSync(shared) ? {} : {skip: 'needs ../shared beside the repository'}
const fixture = (name: string) => readFileSync(`${shared}fixtures/real/${name}`)
const MASTER_STATES = [
  'dcos-go__master-state__mesos-1.5.0__pods.json',
  'dcos-ui__master-state__mesos-0.27.0.json',
  'dcos-ui__master-state__mesos-1.2.0.json',
]

/** The reference: what the scanner must produce, computed from JSON.parse of the whole body. */
function reference(text: string, keep?: (task: TaskName) => boolean): MasterState {
  const json: unknown = JSON.parse(text)
  if (!isRecord(json) || !Array.isArray(json.frameworks)) throw new Error('no frameworks')
  const state: MasterState = {agents: [], frameworks: [], tasks: []}
  for (const slave of Array.isArray(json.slaves) ? json.slaves : []) {
    if (isRecord(slave)) state.agents.push(agentFromJson(slave))
  }
  const frameworkLists: Array<[unknown, boolean]> = [
    [json.frameworks, false],
    [json.completed_frameworks, true],
  ]
  for (const [list, completed] of frameworkLists) {
    for (const framework of Array.isArray(list) ? list : []) {
      if (!isRecord(framework)) continue
      const id = idValue(framework.id)
      const name = typeof framework.name === 'string' ? framework.name : ''
      const active = 'active' in framework ? framework.active === true : !completed
      // Lists in document order, as a stream reads them.
      const lists = Object.keys(framework).filter((key) => ['tasks', 'unreachable_tasks', 'completed_tasks'].includes(key))
      for (const key of lists as TaskList[]) {
        const tasks = framework[key]
        for (const raw of Array.isArray(tasks) ? tasks : []) {
          if (!isRecord(raw)) continue
          const taskId = idValue(raw.id)
          const taskName = typeof raw.name === 'string' ? raw.name : ''
          if (keep && !keep({id: taskId, name: taskName})) continue
          const statuses = Array.isArray(raw.statuses) ? raw.statuses : []
          let containerIds: string[] = []
          for (const status of statuses) {
            if (!isRecord(status) || !isRecord(status.container_status)) continue
            containerIds = containerChain(status.container_status.container_id)
            if (containerIds.length > 0) break
          }
          const task: MesosTask = {
            id: taskId,
            name: taskName,
            frameworkId: idValue(raw.framework_id) || id,
            frameworkName: name,
            frameworkActive: active,
            completedFramework: completed,
            executorId: idValue(raw.executor_id),
            agentId: idValue(raw.slave_id) || idValue(raw.agent_id),
            state: typeof raw.state === 'string' ? raw.state : '',
            containerIds,
            list: key,
          }
          const labels = labelsFromJson(raw.labels)
          if (labels) task.labels = labels
          const times = statuses.flatMap((status) => (isRecord(status) && typeof status.timestamp === 'number' ? [status.timestamp] : []))
          if (times.length > 0) task.updatedAt = Math.max(...times)
          state.tasks.push(task)
        }
      }
      const entry: MasterState['frameworks'][number] = {id, name, active, completed}
      const labels = labelsFromJson(framework.labels)
      if (labels) entry.labels = labels
      if (typeof framework.webui_url === 'string' && framework.webui_url !== '') entry.webuiUrl = framework.webui_url
      state.frameworks.push(entry)
    }
  }
  if (typeof json.version === 'string') state.version = json.version
  if (typeof json.hostname === 'string') state.hostname = json.hostname
  if (typeof json.cluster === 'string') state.clusterName = json.cluster
  const leader = leaderFromJson(json.leader_info, json.leader)
  if (leader) state.leader = leader
  return state
}

async function* stream(chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks
}

async function protocolError(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => assert.fail('expected a protocol error'),
    (caught: unknown) => caught,
  )
  assert.ok(error instanceof CliError, `not a CliError: ${String(error)}`)
  assert.equal(error.kind, 'protocol')
  return error
}

describe('scanMasterState on real master states', needsShared, () => {
  for (const name of MASTER_STATES) {
    test(`${name}: equals the JSON.parse reference, whole and in random chunks`, async () => {
      const bytes = fixture(name)
      const expected = reference(bytes.toString())
      assert.deepEqual(await scanMasterState(bytes), expected)
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(), {maxLength: 60}), async (cuts) => {
          assert.deepEqual(await scanMasterState(stream(splitAt(bytes, cuts))), expected)
        }),
        {numRuns: 60},
      )
    })
  }

  test('one byte per chunk gives the same state', async () => {
    const bytes = fixture(MASTER_STATES[0])
    const chunks = Array.from({length: bytes.length}, (_, index) => bytes.subarray(index, index + 1))
    assert.deepEqual(await scanMasterState(stream(chunks)), reference(bytes.toString()))
  })

  test('pods: nested container chains, the completed framework and its gone agent', async () => {
    const state = await scanMasterState(fixture(MASTER_STATES[0]))
    const pod = state.tasks.find((task) => task.id.endsWith('.container-1'))
    assert.deepEqual(pod?.containerIds, ['e7ed292a-8390-4da4-8c2a-c13b554e2c2a', '1eb53d03-e8f2-4de7-8a51-be17b42a3a29'])
    assert.equal(pod?.executorId, 'instance-parent-pod.da6ef080-b81f-11e7-a9ac-52ad791ffaa8')
    const cassandra = state.tasks.find((task) => task.name === 'node-0-server')
    assert.equal(cassandra?.completedFramework, true)
    assert.equal(cassandra?.frameworkName, 'cassandra')
    assert.equal(cassandra?.frameworkActive, false)
    assert.equal(cassandra?.list, 'completed_tasks')
    assert.equal(cassandra?.labels?.task_type, 'node')
    assert.ok(!state.agents.some((agent) => agent.id === cassandra?.agentId))
    assert.deepEqual(state.leader, {hostname: '10.0.4.125', pid: 'master@10.0.4.125:5050'})
    assert.equal(state.clusterName, 'mnaboka-ewam5mm')
    assert.deepEqual(
      state.agents.map((agent) => [agent.hostname, agent.ip, agent.port, agent.public]),
      [
        ['10.0.0.157', '10.0.0.157', 5051, false],
        ['10.0.6.133', '10.0.6.133', 5051, true],
      ],
    )
  })

  test('Mesos 0.27: no container ids, leader from the pid string, executors in the v1 {value} form skipped', async () => {
    const state = await scanMasterState(fixture(MASTER_STATES[1]))
    assert.equal(state.version, '0.27.0')
    assert.deepEqual(state.leader, {hostname: '10.0.7.122', pid: 'master@10.0.7.122:5050'})
    assert.ok(state.tasks.length > 0)
    assert.ok(state.tasks.every((task) => task.containerIds.length === 0))
    assert.equal(state.tasks.find((task) => task.id === 'server-0_10a')?.executorId, 'server-0_10a_executor')
  })

  test('keep drops tasks by id and name and keeps the rest whole', async () => {
    const bytes = fixture(MASTER_STATES[0])
    const keep = (task: TaskName) => task.name === 'test123' || task.id.startsWith('node-')
    const state = await scanMasterState(bytes, {keep})
    assert.deepEqual(state, reference(bytes.toString(), keep))
    assert.deepEqual(
      state.tasks.map((task) => task.id),
      ['test123-123', 'test123-345', 'node-0-server__29de48bb-dfd7-4ccc-a5ba-7918b2eb880c'],
    )
  })

  test('reads a Node Readable stream (the HttpClient.stream body)', async () => {
    const bytes = fixture(MASTER_STATES[2])
    const body = Readable.from(splitAt(bytes, [1, 100, 5000, 5001, 9000]))
    assert.deepEqual(await scanMasterState(body), reference(bytes.toString()))
  })
})

describe('scanMasterState on generated states', () => {
  test('a generated large state equals the reference, whole and chunked, with and without keep', async () => {
    const text = bigStateText({tasks: 2000})
    const bytes = Buffer.from(text)
    const expected = reference(text)
    assert.equal(expected.tasks.length, 2000)
    assert.deepEqual(await scanMasterState(bytes), expected)
    const chunks = Array.from({length: Math.ceil(bytes.length / 4093)}, (_, index) => bytes.subarray(index * 4093, (index + 1) * 4093))
    assert.deepEqual(await scanMasterState(stream(chunks)), expected)
    const keep = (task: TaskName) => task.name === 'needle' || task.id.includes('.instance-') || task.id.startsWith('app-12.')
    const kept = await scanMasterState(stream(chunks), {keep})
    assert.deepEqual(kept, reference(text, keep))
    assert.equal(kept.tasks.filter((task) => task.name === 'needle').length, 1)
  })

  const text = fc.oneof(fc.string(), fc.string({unit: 'binary'}), fc.constantFrom('', 'a"b', 'back\\slash', 'tab\tnl\n', 'ü✓😀', '\u2028'))
  const id = fc.oneof(text, fc.record({value: text}), fc.integer())
  const junk = fc.dictionary(fc.constantFrom('resources', 'discovery', 'container', 'role', 'x', 'id"'), fc.jsonValue({maxDepth: 3}), {maxKeys: 3})
  const containerId = fc.letrec<{chain: unknown}>((tie) => ({
    chain: fc.oneof(
      {depthSize: 'small'},
      fc.record({value: text}),
      fc.record({value: text, parent: tie('chain')}),
      fc.constant(null),
      fc.record({value: fc.integer()}),
    ),
  })).chain
  const status = fc.oneof(
    fc.record({state: text, container_status: fc.record({container_id: containerId, network_infos: fc.constant([{ip_addresses: [{ip_address: '10.0.0.1'}]}])}, {requiredKeys: []})}, {requiredKeys: []}),
    fc.jsonValue({maxDepth: 2}),
  )
  const labels = fc.oneof(fc.array(fc.record({key: text, value: text}, {requiredKeys: ['key']})), fc.record({labels: fc.array(fc.record({key: text, value: text}))}), fc.jsonValue({maxDepth: 2}))
  const task = fc.oneof(
    fc.tuple(
      fc.record(
        {
          id,
          name: fc.oneof(text, fc.integer()),
          framework_id: id,
          executor_id: id,
          slave_id: id,
          agent_id: id,
          state: fc.constantFrom('TASK_RUNNING', 'TASK_FINISHED', 'TASK_UNREACHABLE', 'TASK_KILLED'),
          statuses: fc.oneof(fc.array(status, {maxLength: 4}), fc.jsonValue({maxDepth: 1})),
          labels,
        },
        {requiredKeys: []},
      ),
      junk,
    ).map(([fields, extra]) => ({...extra, ...fields})),
    fc.jsonValue({maxDepth: 1}),
  )
  const tasks = fc.oneof(fc.array(task, {maxLength: 5}), fc.jsonValue({maxDepth: 1}))
  const framework = fc.tuple(
    fc.record(
      {id, name: text, active: fc.oneof(fc.boolean(), text), webui_url: text, labels, tasks, unreachable_tasks: tasks, completed_tasks: tasks},
      {requiredKeys: []},
    ),
    junk,
    fc.boolean(),
  ).map(([fields, extra, tasksFirst]) => {
    // Mesos writes id and name before the tasks; other writers may not.
    const {tasks: running, ...rest} = fields
    return tasksFirst ? {tasks: running, ...extra, ...rest} : {...rest, ...extra, tasks: running}
  })
  const agent = fc.oneof(
    fc.record({id, hostname: text, pid: fc.oneof(text, fc.constant('slave(1)@10.1.2.3:5051')), port: fc.integer(), attributes: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean()))}, {requiredKeys: []}),
    fc.jsonValue({maxDepth: 1}),
  )
  const masterState = fc.record(
    {
      version: fc.oneof(text, fc.integer()),
      hostname: text,
      cluster: text,
      leader: text,
      leader_info: fc.oneof(fc.record({pid: text, hostname: text}, {requiredKeys: []}), fc.jsonValue({maxDepth: 1})),
      flags: fc.jsonValue({maxDepth: 2}),
      slaves: fc.array(agent, {maxLength: 3}),
      frameworks: fc.array(framework, {maxLength: 3}),
      completed_frameworks: fc.oneof(fc.array(framework, {maxLength: 2}), fc.jsonValue({maxDepth: 1})),
    },
    {requiredKeys: ['frameworks']},
  )

  test('random states in random chunks equal the reference', async () => {
    await fc.assert(
      fc.asyncProperty(masterState, fc.constantFrom(undefined, 0, 1, 2, '\t', ' \r\n'), fc.array(fc.nat(), {maxLength: 30}), async (state, indent, cuts) => {
        const json = JSON.stringify(state, null, indent)
        const bytes = Buffer.from(json)
        assert.deepEqual(await scanMasterState(stream(splitAt(bytes, cuts))), reference(json))
      }),
      {numRuns: 300},
    )
  })

  test('keep sees every task once and drops exactly what it rejects', async () => {
    await fc.assert(
      fc.asyncProperty(masterState, fc.array(fc.nat(), {maxLength: 10}), fc.string({maxLength: 1}), async (state, cuts, letter) => {
        const json = JSON.stringify(state)
        const keep = (task: TaskName) => task.id.includes(letter) || task.name.includes(letter)
        assert.deepEqual(await scanMasterState(stream(splitAt(Buffer.from(json), cuts)), {keep}), reference(json, keep))
      }),
      {numRuns: 200},
    )
  })
})

describe('scanMasterState rejects what is not a master state', () => {
  test('an HTML page is not valid JSON at byte 0', async () => {
    const error = await protocolError(scanMasterState(Buffer.from('<html><body>502 Bad Gateway</body></html>')))
    assert.equal(error.message, 'the master state is not valid JSON at byte 0')
  })

  test('a body cut anywhere is rejected', async () => {
    const bytes = Buffer.from(bigStateText({tasks: 30}))
    await fc.assert(
      fc.asyncProperty(fc.integer({min: 0, max: bytes.length - 1}), fc.array(fc.nat(), {maxLength: 5}), async (end, cuts) => {
        const error = await protocolError(scanMasterState(stream(splitAt(bytes.subarray(0, end), cuts))))
        assert.match(error.message, /^the master state is not valid JSON at byte \d+/)
      }),
      {numRuns: 200},
    )
  })

  test('errors name the byte where the JSON breaks', async () => {
    const cases: Array<[string, string]> = [
      ['{"frameworks":[]} x', 'the master state is not valid JSON at byte 18'],
      ['{"slaves":[{]],"frameworks":[]}', 'the master state is not valid JSON at byte 12'],
      ['{"frameworks":[{"tasks":[{"id":"a","labels":[1,]}]}]}', 'the master state is not valid JSON at byte 44'],
      ['{"frameworks":[{"tasks":[{"id" "a"}]}]}', 'the master state is not valid JSON at byte 31'],
      ['{"frameworks":[],}', 'the master state is not valid JSON at byte 17'],
      ['{"frameworks":[', 'the master state is not valid JSON at byte 15: it ends early'],
      ['', 'the master state is not valid JSON at byte 0: it ends early'],
    ]
    for (const [body, message] of cases) {
      assert.equal((await protocolError(scanMasterState(Buffer.from(body)))).message, message, body)
    }
  })

  test('valid JSON without a frameworks array', async () => {
    for (const body of ['[]', '{"slaves":[]}', '{"frameworks":null}', '"state"', '42']) {
      assert.equal((await protocolError(scanMasterState(Buffer.from(body)))).message, 'master state has no frameworks', body)
    }
  })
})
