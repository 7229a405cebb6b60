import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import fc from 'fast-check'
import {CliError} from '../../src/errors.js'
import {globToRegExp, resolveTasks, summarizeRunningTasks, taskMatcher, type TaskScope} from '../../src/mesos/resolve-task.js'
import {scanMasterState} from '../../src/mesos/state-scanner.js'
import {isRunningTask, type MasterState, type MesosTask} from '../../src/mesos/state.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const needsShared = existsSync(shared) ? {} : {skip: 'needs ../shared beside the repository'}
const pods = () => scanMasterState(readFileSync(`${shared}fixtures/real/dcos-go__master-state__mesos-1.5.0__pods.json`))

const RUNNING: TaskScope = {running: true, completed: false}
const COMPLETED: TaskScope = {running: false, completed: true}
const ALL: TaskScope = {running: true, completed: true}

function testTask(fields: Partial<MesosTask> & {id: string}): MesosTask {
  return {
    name: fields.id.split('.')[0],
    frameworkId: 'fw-marathon',
    frameworkName: 'marathon',
    frameworkActive: true,
    completedFramework: false,
    executorId: '',
    agentId: 'S1',
    state: 'TASK_RUNNING',
    containerIds: ['c1'],
    list: 'tasks',
    ...fields,
  }
}

function testState(tasks: MesosTask[]): MasterState {
  return {agents: [], frameworks: [], tasks}
}

function notFound(run: () => unknown): CliError {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof CliError)
    assert.equal(error.kind, 'not-found')
    return error
  }
  return assert.fail('expected a not-found error')
}

const ids = (tasks: MesosTask[]) => tasks.map((task) => task.id)

describe('resolveTasks stages: exact id, then name, then id substring, then wildcard', () => {
  const state = testState([
    testTask({id: 'web.1111'}),
    testTask({id: 'web.2222'}),
    testTask({id: 'webhook.3333'}),
    testTask({id: 'app.1', name: 'app'}),
    testTask({id: 'app.10', name: 'app'}),
    testTask({id: 'app.11', name: 'app'}),
    testTask({id: 'web.4444', state: 'TASK_FINISHED', list: 'completed_tasks'}),
  ])

  test('a name means every running instance of the app, not apps whose name starts the same', () => {
    const found = resolveTasks(state, 'web', RUNNING)
    assert.equal(found.stage, 'name')
    assert.deepEqual(ids(found.matches), ['web.1111', 'web.2222'])
  })

  test('an exact id wins over ids that contain it', () => {
    const found = resolveTasks(state, 'app.1', RUNNING)
    assert.equal(found.stage, 'id')
    assert.deepEqual(ids(found.matches), ['app.1'])
  })

  test('part of an id', () => {
    const found = resolveTasks(state, 'hook.33', RUNNING)
    assert.equal(found.stage, 'substring')
    assert.deepEqual(ids(found.matches), ['webhook.3333'])
  })

  test('a wildcard over the whole id', () => {
    assert.deepEqual(ids(resolveTasks(state, 'web*', RUNNING).matches), ['web.1111', 'web.2222', 'webhook.3333'])
    assert.deepEqual(ids(resolveTasks(state, 'app.1?', RUNNING).matches), ['app.10', 'app.11'])
    assert.deepEqual(ids(resolveTasks(state, 'web.[12]*', RUNNING).matches), ['web.1111', 'web.2222'])
    assert.equal(resolveTasks(state, '*', RUNNING).stage, 'glob')
  })

  test('the scope decides which tasks take part; --all sees both', () => {
    assert.deepEqual(ids(resolveTasks(state, 'web', COMPLETED).matches), ['web.4444'])
    assert.deepEqual(ids(resolveTasks(state, 'web', ALL).matches), ['web.1111', 'web.2222', 'web.4444'])
  })

  test('nothing running matches: the error counts the completed matches and names the flag', () => {
    const error = notFound(() => resolveTasks(state, '4444', RUNNING))
    assert.equal(error.message, "no running task matches '4444'")
    assert.equal(error.hint, '1 completed task matches: run with --completed')
    const none = notFound(() => resolveTasks(state, 'db', RUNNING))
    assert.equal(none.message, "no running task matches 'db'")
    assert.equal(none.hint, "'dcos-ts task list' shows the running tasks")
  })

  test('nothing completed matches: the error counts the running ones', () => {
    const error = notFound(() => resolveTasks(state, 'app', COMPLETED))
    assert.equal(error.message, "no completed task matches 'app'")
    assert.equal(error.hint, '3 running tasks match: run without --completed')
    assert.equal(notFound(() => resolveTasks(state, 'db', ALL)).message, "no task matches 'db'")
  })

  test('an empty or broken pattern is a usage error', () => {
    assert.throws(() => resolveTasks(state, '', RUNNING), (error: unknown) => error instanceof CliError && error.kind === 'usage')
    assert.throws(() => resolveTasks(state, 'web[z-a]', RUNNING), (error: unknown) => error instanceof CliError && error.kind === 'usage')
  })
})

describe('resolveTasks on the real pods master state', needsShared, () => {
  test('an id shared by a running and a completed task: each scope gets its own, --all both', async () => {
    const state = await pods()
    const id = 'single-docker-container.ac0b2d2e-b81f-11e7-a9ac-52ad791ffaa8'
    assert.deepEqual(resolveTasks(state, id, RUNNING).matches.map((task) => task.list), ['tasks'])
    assert.deepEqual(resolveTasks(state, id, COMPLETED).matches.map((task) => task.name), ['single-docker-completed'])
    const all = resolveTasks(state, id, ALL)
    assert.equal(all.stage, 'id')
    assert.equal(all.matches.length, 2)
  })

  test('two tasks with the same name are both meant', async () => {
    const found = resolveTasks(await pods(), 'test123', RUNNING)
    assert.equal(found.stage, 'name')
    assert.deepEqual(ids(found.matches), ['test123-123', 'test123-345'])
  })

  test('a task of a completed framework is completed, with the --completed hint', async () => {
    const state = await pods()
    const error = notFound(() => resolveTasks(state, 'node-0-server', RUNNING))
    assert.equal(error.hint, '1 completed task matches: run with --completed')
    const [task] = resolveTasks(state, 'node-0-server', COMPLETED).matches
    assert.equal(task.frameworkName, 'cassandra')
    assert.equal(isRunningTask(task), false)
  })

  test('a pod container by name', async () => {
    const found = resolveTasks(await pods(), 'container-1', RUNNING)
    assert.equal(found.stage, 'name')
    assert.deepEqual(ids(found.matches), ['parent-pod.instance-da6ef080-b81f-11e7-a9ac-52ad791ffaa8.container-1'])
  })

  test('summarizeRunningTasks names what is running, most instances first', async () => {
    assert.equal(
      summarizeRunningTasks(await pods()),
      'running tasks: test123 (2), container-1, container-2, single-docker-container, single-mesos-container',
    )
    assert.equal(summarizeRunningTasks(await pods(), 2), 'running tasks: test123 (2), container-1 and 3 more')
    assert.equal(summarizeRunningTasks(testState([])), 'no tasks are running')
  })
})

describe('taskMatcher as the keep predicate', () => {
  test('reading with it resolves exactly as reading everything', async () => {
    const name = fc.constantFrom('web', 'web.1', 'app', 'a*b', 'x', '')
    const id = fc.oneof(fc.constantFrom('web.1', 'web.12', 'app.1', 'a-b', 'a*b', 'x'), fc.string({maxLength: 6}))
    const task = fc.record({id, name, state: fc.constantFrom('TASK_RUNNING', 'TASK_FAILED')})
    const pattern = fc.oneof(fc.constantFrom('web', 'web.1', 'app', 'a*', '*b', '?', '[aw]*', 'x'), fc.string({minLength: 1, maxLength: 3}))
    await fc.assert(
      fc.asyncProperty(fc.array(task, {maxLength: 12}), pattern, async (tasks, text) => {
        const body = JSON.stringify({frameworks: [{id: 'fw', name: 'marathon', active: true, tasks}]})
        const resolve = (state: MasterState) => {
          try {
            return resolveTasks(state, text, RUNNING)
          } catch (error) {
            return (error as CliError).message + (error as CliError).hint
          }
        }
        const kept = await scanMasterState(Buffer.from(body), {keep: taskMatcher(text)})
        assert.deepEqual(resolve(kept), resolve(await scanMasterState(Buffer.from(body))))
      }),
      {numRuns: 300},
    )
  })
})

describe('globToRegExp', () => {
  const cases: Array<[string, string, boolean]> = [
    ['web.*', 'web.1234', true],
    ['web.*', 'web', false],
    ['*', 'anything at all/with slashes', true],
    ['?', '😀', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['[abc]x', 'bx', true],
    ['[!abc]x', 'bx', false],
    ['[!abc]x', 'dx', true],
    ['[a-c]1', 'b1', true],
    ['[]]', ']', true],
    ['[a-]', '-', true],
    ['web[', 'web[', true],
    ['ct:1413913764000:0:Core Open Source*', 'ct:1413913764000:0:Core Open Source Weekly Report', true],
    ['(a)+.$^|{1}', '(a)+.$^|{1}', true],
    ['etcd-* 192.168.65.111 *', 'etcd-1471132631 192.168.65.111 1025 1026 1027', true],
  ]
  for (const [pattern, text, expected] of cases) {
    test(`'${pattern}' ${expected ? 'matches' : 'does not match'} '${text}'`, () => {
      assert.equal(globToRegExp(pattern).test(text), expected)
    })
  }
})
