import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {ClusterModel, WORK_DIR} from '../../src/sim/cluster-model.js'
import {Sandboxes} from '../../src/sim/sandbox.js'
import {dcosVersion} from '../../src/sim/versions.js'
import {writeBigState} from '../helpers/big-state.js'

/** A recorded state's sandboxes are made when something first looks at or under them, not at load. */
describe('sim: sandboxes of a recorded state, made on first use', () => {
  let dir: string
  let statePath: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-lazy-'))
    statePath = join(dir, 'state.json')
    writeBigState(statePath, {tasks: 2000})
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  const load = () => {
    const sandboxes = new Sandboxes(1024 * 1024)
    return {sandboxes, cluster: new ClusterModel({seed: 1, version: dcosVersion('2.2'), statePath}, sandboxes)}
  }

  test('nothing is made at load; a read makes that sandbox, with the same history every time', () => {
    const {sandboxes, cluster} = load()
    assert.equal(cluster.tasks().length, 2000)
    assert.deepEqual(cluster.liveTasks(), [], 'no running task has a sandbox yet')
    const task = cluster.tasks().find((t) => t.state === 'TASK_RUNNING' && !t.isPod)!
    const stdout = sandboxes.get(`${task.sandboxDir}/stdout`)
    assert.ok(stdout !== undefined && stdout.size > 0)
    assert.deepEqual(
      cluster.liveTasks().map((t) => t.id),
      [task.id],
    )
    const again = load()
    assert.equal(again.sandboxes.get(`${task.sandboxDir}/stdout`)?.slice(0, stdout.size).toString(), stdout.slice(0, stdout.size).toString())
  })

  test('a pod task is made with its executor run directory; writes and appends land after the history', () => {
    const {sandboxes, cluster} = load()
    const pod = cluster.tasks().find((t) => t.isPod)!
    const runDir = pod.sandboxDir.slice(0, pod.sandboxDir.lastIndexOf('/tasks/'))
    assert.ok(sandboxes.isDirectory(`${runDir}/tasks`))
    assert.ok(sandboxes.get(`${runDir}/stdout`), 'the executor has its own stdout')
    const other = cluster.tasks().find((t) => !t.isPod && t.id !== pod.id)!
    sandboxes.append(`${other.sandboxDir}/stdout`, Buffer.from('appended\n'))
    const text = sandboxes.get(`${other.sandboxDir}/stdout`)!
    const content = text.slice(0, text.size).toString()
    assert.ok(content.endsWith('appended\n') && content.length > 'appended\n'.length, 'history first, then the appended line')
  })

  test('a listing above run directories makes what is under it', () => {
    const {sandboxes, cluster} = load()
    const task = cluster.tasks()[0]
    const runs = task.sandboxDir.slice(0, task.sandboxDir.indexOf('/runs/') + '/runs'.length)
    assert.deepEqual(
      sandboxes.browse(runs).map((entry) => entry.path),
      [`${runs}/${task.parentContainerId ?? task.containerId}`],
    )
    assert.equal(sandboxes.get('/elsewhere/stdout'), undefined)
    assert.ok(sandboxes.isDirectory(WORK_DIR))
  })

  test('an agent can have all its sandboxes made at once (its journald journal needs them)', () => {
    const {cluster} = load()
    const seen: string[] = []
    cluster.onSandboxOutput = (task, file) => seen.push(`${task.id}/${file}`)
    const agentId = cluster.tasks()[0].agentId
    cluster.provideAgentSandboxes(agentId)
    const onAgent = cluster.tasks().filter((t) => t.agentId === agentId)
    assert.deepEqual(seen.sort(), onAgent.flatMap((t) => [`${t.id}/stderr`, `${t.id}/stdout`]).sort())
  })
})
