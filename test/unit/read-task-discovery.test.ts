/**
 * Which tasks join a follow, from what the watch says: new ones once they started (never twice, whether an
 * event or a snapshot after a reconnect tells of them), none of those the start already knew, the stop
 * condition answered from the watch while it lasts.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {CliError} from '../../src/errors.js'
import {stageMatcher} from '../../src/mesos/resolve-task.js'
import type {MesosTask} from '../../src/mesos/state.js'
import type {WatchEvent} from '../../src/mesos/task-watch.js'
import {type Joining, TaskDiscovery} from '../../src/read/task-discovery.js'
import type {StreamSpec} from '../../src/read/stream-logs.js'

const task = (id: string, state: string, containerIds = state === 'TASK_STAGING' ? [] : [`c-${id}`]): MesosTask => ({
  id,
  name: id.split('.')[0],
  frameworkId: 'F1',
  frameworkName: 'marathon',
  frameworkActive: true,
  completedFramework: false,
  executorId: '',
  agentId: 'S1',
  state,
  containerIds,
  list: 'tasks',
})

const streamOf = async (joined: MesosTask): Promise<StreamSpec> => ({
  source: {stream: {id: joined.id, kind: 'task', label: joined.id}, cursorOrder: 'byte-offset', open: async function* () {}},
})

async function joins(discovery: TaskDiscovery, events: Array<WatchEvent | Error>): Promise<string[]> {
  const watch = (async function* () {
    for (const event of events) {
      if (event instanceof Error) throw event
      yield event
    }
  })()
  const said: string[] = []
  for await (const joining of discovery.joining(watch, streamOf)) said.push(spoken(joining))
  return said
}

const spoken = (joining: Joining) =>
  joining.type === 'stream' ? `join ${joining.spec.source.stream.id} (${joining.why})` : joining.type === 'notice' ? `notice ${joining.text}` : 'a task ended'

const webByName = stageMatcher('web', 'name')

describe('task discovery', () => {
  test('a new task joins once it started, from an event or a later snapshot, and only once', async () => {
    const known = [task('web.1', 'TASK_RUNNING'), task('web.0', 'TASK_FAILED'), task('webhook.1', 'TASK_RUNNING')]
    const discovery = new TaskDiscovery(known, webByName)
    const said = await joins(discovery, [
      {type: 'snapshot', tasks: [...known, task('web.2', 'TASK_RUNNING')]},
      {type: 'added', task: task('web.3', 'TASK_STAGING')},
      {type: 'added', task: task('webhook.2', 'TASK_RUNNING')},
      {type: 'updated', update: {frameworkId: 'F1', taskId: 'web.3', state: 'TASK_RUNNING', containerIds: ['c3']}},
      {type: 'updated', update: {frameworkId: 'F1', taskId: 'web.3', state: 'TASK_RUNNING', containerIds: ['c3']}},
      {type: 'notice', text: 'reconnecting to the Mesos event stream (attempt 1): connection reset'},
      // After the reconnect: web.2 and web.3 again (already joined), web.4 started and ended while away.
      {type: 'snapshot', tasks: [...known, task('web.2', 'TASK_RUNNING'), task('web.3', 'TASK_RUNNING'), task('web.4', 'TASK_FAILED')]},
      {type: 'added', task: task('web.5', 'TASK_STAGING')},
      {type: 'updated', update: {frameworkId: 'F1', taskId: 'web.5', state: 'TASK_FAILED', containerIds: []}},
    ])
    assert.deepEqual(said, [
      'join web.2 (new task, TASK_RUNNING)',
      'join web.3 (new task, TASK_RUNNING)',
      'notice reconnecting to the Mesos event stream (attempt 1): connection reset',
      'join web.4 (new task, TASK_FAILED)',
      'notice web.5 ended before it started (TASK_FAILED)',
      'a task ended',
    ])
  })

  test('the stop condition comes from the watch while it lasts, then from asking', async () => {
    const web1 = task('web.1', 'TASK_RUNNING')
    const discovery = new TaskDiscovery([web1], webByName)
    let asked = 0
    const finished = discovery.isFinished(web1, async () => {
      asked++
      return 'TASK_KILLED'
    })
    const updates = (async function* (): AsyncGenerator<WatchEvent> {
      yield {type: 'updated', update: {frameworkId: 'F1', taskId: 'web.1', state: 'TASK_RUNNING', containerIds: []}}
      assert.equal(await finished(), undefined, 'running')
      yield {type: 'updated', update: {frameworkId: 'F1', taskId: 'web.1', state: 'TASK_FINISHED', containerIds: []}}
      assert.equal(await finished(), 'TASK_FINISHED')
      throw new CliError('forbidden', '403 Forbidden')
    })()
    const said: string[] = []
    for await (const joining of discovery.joining(updates, streamOf)) said.push(spoken(joining))
    assert.deepEqual(said, ['a task ended', 'notice no longer watching for new tasks: 403 Forbidden'])
    assert.equal(asked, 0, 'no request while the watch lasted')
    assert.equal(await finished(), 'TASK_KILLED')
    assert.equal(asked, 1)
  })
})
