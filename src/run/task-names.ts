/**
 * `dcos-ts task names [PREFIX]` (hidden): what the completion scripts (run/completion.ts) offer for a task
 * argument. The names of the tasks in scope that start with PREFIX, one a line, each once, sorted; where no
 * name does, the ids that do (an id is being typed). A Tab waits on it, so it is bounded twice: each request
 * by the command's short timeout, and the whole run by a deadline.
 */
import {CliError} from '../errors.js'
import {fetchMasterState} from '../mesos/master.js'
import {inScope, type TaskScope} from '../mesos/resolve-task.js'
import type {Deps} from '../deps.js'

export interface TaskNamesOptions {
  prefix: string
  scope: TaskScope
  /** The whole run; past it the run fails as a network timeout, having printed nothing. */
  deadlineMs: number
}

/** A name a shell can offer as one word: a line break or a control character would break the list. */
const OFFERABLE = /^[^\p{Cc}]+$/u

export async function runTaskNames(options: TaskNamesOptions, deps: Deps): Promise<void> {
  const {prefix} = options
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(new CliError('network', `no task names from the cluster within ${options.deadlineMs / 1000} s`)), options.deadlineMs)
  const signal = AbortSignal.any([deps.signal, deadline.signal])
  const state = await fetchMasterState(await deps.http(), {signal, keep: (task) => task.name.startsWith(prefix) || task.id.startsWith(prefix)}).finally(() =>
    clearTimeout(timer),
  )
  const tasks = state.tasks.filter((task) => inScope(task, options.scope))
  const names = tasks.map((task) => task.name).filter((name) => name.startsWith(prefix))
  const offered = new Set((names.length > 0 ? names : tasks.map((task) => task.id)).filter((word) => OFFERABLE.test(word)))
  if (offered.size > 0) deps.io.stdout.write([...offered].sort().join('\n') + '\n')
}
