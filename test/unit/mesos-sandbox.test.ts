import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {CliError} from '../../src/errors.js'
import type {HttpClient, RequestOptions} from '../../src/cluster/http.js'
import {findSandbox, loggingV2TaskPath} from '../../src/mesos/sandbox.js'
import {scanMasterState} from '../../src/mesos/state-scanner.js'
import type {MasterState, MesosTask} from '../../src/mesos/state.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const needsShared = existsSync(shared) ? {} : {skip: 'needs ../shared beside the repository'}
const fixture = (name: string) => readFileSync(`${shared}fixtures/real/${name}`)

/** An HttpClient that answers json() from a table of paths (a CliError answer is thrown). */
function fakeHttp(answers: Record<string, unknown>) {
  const requests: Array<{path: string; options?: RequestOptions}> = []
  const http: HttpClient = {
    baseUrl: 'http://127.0.0.1:1',
    async json<T>(path: string, options?: RequestOptions): Promise<T> {
      requests.push({path, options})
      const answer = answers[path]
      if (answer instanceof Error) throw answer
      if (answer === undefined) throw new Error(`unexpected request ${path}`)
      return answer as T
    },
    text: () => Promise.reject(new Error('not used')),
    stream: () => Promise.reject(new Error('not used')),
  }
  return {http, requests}
}

function taskOf(state: MasterState, id: string): MesosTask {
  const task = state.tasks.find((candidate) => candidate.id === id)
  assert.ok(task, `no task ${id}`)
  return task
}

async function rejection(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => assert.fail('expected an error'),
    (caught: unknown) => caught,
  )
  assert.ok(error instanceof CliError)
  return error
}

const PODS_AGENT = 'db10f9b1-5b82-4187-aa47-4fbcefc7cdca-S1'
const MARATHON = 'db10f9b1-5b82-4187-aa47-4fbcefc7cdca-0000'
const POD_TASK = 'parent-pod.instance-da6ef080-b81f-11e7-a9ac-52ad791ffaa8.container-1'
const POD_EXECUTOR = 'instance-parent-pod.da6ef080-b81f-11e7-a9ac-52ad791ffaa8'
const POD_RUN = '1eb53d03-e8f2-4de7-8a51-be17b42a3a29'
const COMMAND_TASK = 'single-mesos-container.c1f5ae3f-b81f-11e7-a9ac-52ad791ffaa8'

describe('loggingV2TaskPath', needsShared, () => {
  test('a pod task: the executor run is the root of the chain, then tasks/<task id>', async () => {
    const state = await scanMasterState(fixture('dcos-go__master-state__mesos-1.5.0__pods.json'))
    assert.equal(
      loggingV2TaskPath(taskOf(state, POD_TASK), 'stdout'),
      `/system/v1/agent/${PODS_AGENT}/logs/v2/task/frameworks/${MARATHON}/executors/${POD_EXECUTOR}/runs/${POD_RUN}/tasks/${POD_TASK}/stdout`,
    )
  })

  test('a command task: its executor is the task id, no tasks/ segment', async () => {
    const state = await scanMasterState(fixture('dcos-go__master-state__mesos-1.5.0__pods.json'))
    assert.equal(
      loggingV2TaskPath(taskOf(state, COMMAND_TASK), 'stderr'),
      `/system/v1/agent/${PODS_AGENT}/logs/v2/task/frameworks/${MARATHON}/executors/${COMMAND_TASK}/runs/1a69d257-48ca-4d3b-aead-332ad881fcc7/stderr`,
    )
  })

  test('a custom executor without nesting (Mesos 1.2, Kafka broker) reads its executor sandbox', async () => {
    const state = await scanMasterState(fixture('dcos-ui__master-state__mesos-1.2.0.json'))
    const path = loggingV2TaskPath(taskOf(state, 'broker-0__3c7ab984-a9b9-41fb-bb73-0569f88c657e'), 'stdout')
    assert.match(path ?? '', /\/executors\/broker-0__d7edb331-2d31-46ad-a1f9-5aa34bc3b1a7\/runs\/dde2ffda-afcf-4f73-8568-bd8b11d02c76\/stdout$/)
  })

  test('ids are percent-encoded; no container id (Mesos < 1.2) gives undefined', async () => {
    const task: MesosTask = {
      ...taskOf(await scanMasterState(fixture('dcos-go__master-state__mesos-1.5.0__pods.json')), COMMAND_TASK),
      id: 'etcd-1 192.168.65.111 1025',
    }
    assert.match(loggingV2TaskPath(task, 'stdout') ?? '', /\/executors\/etcd-1%20192\.168\.65\.111%201025\/runs\//)
    const old = await scanMasterState(fixture('dcos-ui__master-state__mesos-0.27.0.json'))
    assert.equal(loggingV2TaskPath(taskOf(old, 'server-0_10a'), 'stdout'), undefined)
  })
})

describe('findSandbox', needsShared, () => {
  const OLD_AGENT = 'b3bd182c-c6d7-463e-8bf0-06cd5807df4e-S2'

  test("Mesos 0.27 (no container ids): the directory from the agent's state, with its own work dir", async () => {
    const state = await scanMasterState(fixture('dcos-ui__master-state__mesos-0.27.0.json'))
    const {http, requests} = fakeHttp({[`/agent/${OLD_AGENT}/state`]: JSON.parse(fixture('dcos-ui__agent-state__mesos-0.27.0.json').toString())})
    const sandbox = await findSandbox(http, taskOf(state, 'server-0_10a'))
    assert.deepEqual(sandbox, {
      agentId: OLD_AGENT,
      directory: `/var/lib/mesos/agent/slaves/${OLD_AGENT}/frameworks/b3bd182c-c6d7-463e-8bf0-06cd5807df4e-0001/executors/server-0_10a_executor/runs/6ce1f063-3838-49b9-b6aa-428127094507`,
      source: 'agent-state',
    })
    assert.equal(requests[0].options?.purpose, `reading the state of agent ${OLD_AGENT}`)
  })

  test('DC/OS 1.7 agents are reached through /slave/<id>', async () => {
    const state = await scanMasterState(fixture('dcos-ui__master-state__mesos-0.27.0.json'))
    const {http, requests} = fakeHttp({[`/slave/${OLD_AGENT}/state`]: JSON.parse(fixture('dcos-ui__agent-state__mesos-0.27.0.json').toString())})
    await findSandbox(http, taskOf(state, 'server-0_10a'), {agentRoute: 'slave'})
    assert.equal(requests[0].path, `/slave/${OLD_AGENT}/state`)
  })

  test('an agent that does not list the task, and no container id: a clear not-found', async () => {
    const state = await scanMasterState(fixture('dcos-ui__master-state__mesos-0.27.0.json'))
    const task = {...taskOf(state, 'server-0_10a'), id: 'server-9_gone'}
    const {http} = fakeHttp({[`/agent/${OLD_AGENT}/state`]: JSON.parse(fixture('dcos-ui__agent-state__mesos-0.27.0.json').toString())})
    const error = await rejection(findSandbox(http, task))
    assert.equal(error.kind, 'not-found')
    assert.equal(error.message, `cannot find the sandbox of task 'server-9_gone' on agent ${OLD_AGENT}`)
  })

  test('a pod task the agent does not list: built from the work dir and the container chain', async () => {
    const state = await scanMasterState(fixture('dcos-go__master-state__mesos-1.5.0__pods.json'))
    const {http} = fakeHttp({[`/agent/${PODS_AGENT}/state`]: {flags: {work_dir: '/data/mesos/'}, frameworks: []}})
    assert.deepEqual(await findSandbox(http, taskOf(state, POD_TASK)), {
      agentId: PODS_AGENT,
      directory: `/data/mesos/slaves/${PODS_AGENT}/frameworks/${MARATHON}/executors/${POD_EXECUTOR}/runs/${POD_RUN}/tasks/${POD_TASK}`,
      source: 'work-dir',
    })
  })

  test('reading agent state forbidden: the default DC/OS work dir', async () => {
    const state = await scanMasterState(fixture('dcos-go__master-state__mesos-1.5.0__pods.json'))
    const {http} = fakeHttp({[`/agent/${PODS_AGENT}/state`]: new CliError('forbidden', 'permission denied (403)', {status: 403})})
    const sandbox = await findSandbox(http, taskOf(state, COMMAND_TASK))
    assert.equal(
      sandbox.directory,
      `/var/lib/mesos/slave/slaves/${PODS_AGENT}/frameworks/${MARATHON}/executors/${COMMAND_TASK}/runs/1a69d257-48ca-4d3b-aead-332ad881fcc7`,
    )
  })

  test('the completed cassandra task on an agent that is gone', async () => {
    const state = await scanMasterState(fixture('dcos-go__master-state__mesos-1.5.0__pods.json'))
    const task = taskOf(state, 'node-0-server__29de48bb-dfd7-4ccc-a5ba-7918b2eb880c')
    const {http} = fakeHttp({[`/agent/${task.agentId}/state`]: new CliError('not-found', '404 Not Found: agent unknown', {status: 404})})
    const error = await rejection(findSandbox(http, task))
    assert.equal(error.kind, 'not-found')
    assert.equal(error.message, `agent ${task.agentId} of task '${task.id}' is gone: the cluster no longer knows it`)
  })

  test('other failures (network, auth) are not hidden behind a guess', async () => {
    const state = await scanMasterState(fixture('dcos-go__master-state__mesos-1.5.0__pods.json'))
    const {http} = fakeHttp({[`/agent/${PODS_AGENT}/state`]: new CliError('network', 'connection refused', {retryable: true})})
    assert.equal((await rejection(findSandbox(http, taskOf(state, POD_TASK)))).kind, 'network')
  })

  test('a DEFAULT executor: tasks/<id> below its directory; the run in the task container wins', async () => {
    const state = await scanMasterState(fixture('dcos-go__master-state__mesos-1.5.0__pods.json'))
    const task = taskOf(state, 'parent-pod.instance-da6ef080-b81f-11e7-a9ac-52ad791ffaa8.container-2')
    const run = (container: string) => ({
      id: POD_EXECUTOR,
      type: 'DEFAULT',
      container,
      directory: `/w/slaves/${PODS_AGENT}/frameworks/${MARATHON}/executors/${POD_EXECUTOR}/runs/${container}`,
      tasks: [],
      completed_tasks: [{id: task.id}],
    })
    const agentState = {
      frameworks: [
        {id: 'other-framework', executors: [{...run(POD_RUN), directory: '/wrong'}]},
        {id: MARATHON, executors: [run('a-later-run')], completed_executors: [run(POD_RUN)]},
      ],
    }
    const {http} = fakeHttp({[`/agent/${PODS_AGENT}/state`]: agentState})
    const sandbox = await findSandbox(http, task)
    assert.equal(sandbox.directory, `/w/slaves/${PODS_AGENT}/frameworks/${MARATHON}/executors/${POD_EXECUTOR}/runs/${POD_RUN}/tasks/${task.id}`)
    assert.equal(sandbox.source, 'agent-state')
  })
})
