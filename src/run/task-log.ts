/**
 * `dcos-ts task log`: resolve the pattern against Mesos master state (asking the DC/OS version at the same
 * time), then read the matching tasks' files (task-sources.ts).
 */
import {CliError} from '../errors.js'
import {fetchClusterVersion} from '../logs/transport.js'
import {fetchMasterState} from '../mesos/master.js'
import {resolveTasks, summarizeRunningTasks, taskMatcher, type TaskScope} from '../mesos/resolve-task.js'
import type {Deps} from '../deps.js'
import {type TaskReadOptions, readTaskLogs} from '../read/task-sources.js'

export interface TaskLogOptions extends TaskReadOptions {
  /** Task id, name, substring or glob; undefined lists the running tasks in a usage error. */
  pattern?: string
  scope: TaskScope
}

export async function runTaskLog(options: TaskLogOptions, deps: Deps): Promise<void> {
  const http = await deps.http()
  const {signal} = deps
  if (options.pattern === undefined) {
    const state = await fetchMasterState(http, {signal})
    throw new CliError('usage', 'missing TASK: name the task whose log to read', {hint: summarizeRunningTasks(state)})
  }
  const pattern = options.pattern
  const [state, version] = await Promise.all([fetchMasterState(http, {signal, keep: taskMatcher(pattern)}), fetchClusterVersion(http, signal)])
  const {matches} = resolveTasks(state, pattern, options.scope)
  await readTaskLogs(http, matches, version, options, deps)
}
