/** service log's resolution of a service name to its scheduler task, on a master state. */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import type {MasterState, MesosTask} from '../../src/mesos/state.js'
import {FRAMEWORK_LABEL, schedulerTasks, taskIdPrefix} from '../../src/run/service-log.js'

function task(id: string, extra: Partial<MesosTask> = {}): MesosTask {
  return {
    id,
    name: id.split('.')[0],
    frameworkId: 'F-marathon',
    frameworkName: 'marathon',
    frameworkActive: true,
    completedFramework: false,
    executorId: '',
    agentId: 'S1',
    state: 'TASK_RUNNING',
    containerIds: [],
    list: 'tasks',
    ...extra,
  }
}

function state(tasks: MesosTask[], frameworks: string[] = []): MasterState {
  return {agents: [], frameworks: frameworks.map((name, n) => ({id: `F${n}`, name, active: true, completed: false})), tasks}
}

describe('taskIdPrefix', () => {
  test("Marathon's task id prefix: no leading slash, '/' as '_', then '.'", () => {
    assert.equal(taskIdPrefix('/kafka'), 'kafka.')
    assert.equal(taskIdPrefix('/dev/data/kafka'), 'dev_data_kafka.')
  })
})

describe('schedulerTasks', () => {
  const kafka = task('kafka.1b2c')
  const kafkaOld = task('kafka.0a1b', {state: 'TASK_FAILED', list: 'completed_tasks'})
  const kafkaZk = task('kafka-zookeeper.9f8e')
  const nested = task('dev_kafka.instance-1._app.1')

  test("the app's running tasks, by task id prefix (never an app whose id merely starts the same)", () => {
    assert.deepEqual(schedulerTasks(state([kafka, kafkaOld, kafkaZk]), 'kafka', '/kafka'), [kafka])
    assert.deepEqual(schedulerTasks(state([nested, kafka]), 'kafka', '/dev/kafka'), [nested])
  })

  test('tasks carrying the package label, for clusters where Marathon cannot be asked', () => {
    const labelled = task('confluent-kafka.77', {labels: {[FRAMEWORK_LABEL]: 'kafka'}})
    assert.deepEqual(schedulerTasks(state([labelled, kafkaZk]), 'kafka', undefined), [labelled])
  })

  test('a framework registered under the name: the Marathon app of that name', () => {
    assert.deepEqual(schedulerTasks(state([kafka, kafkaZk], ['kafka']), 'kafka', undefined), [kafka])
    assert.deepEqual(schedulerTasks(state([kafka, kafkaZk]), 'kafka', undefined), [])
  })
})
