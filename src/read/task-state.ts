/**
 * The stop condition of `task log --follow`: has the task reached a terminal state? Asked only when a
 * stream has been idle or ended, so it must be cheap: `/mesos/master/tasks` filtered to the one task
 * (Mesos 1.4+) instead of the whole master state, which on a large cluster is 100+ MB. Older masters
 * ignore the filter, so when the answer does not name the task, the state is read (keeping that task only).
 */
import type {HttpClient} from '../cluster/http.js'
import {fetchMasterState} from '../mesos/master.js'
import {isTerminalState, type MesosTask} from '../mesos/state.js'

interface TasksAnswer {
  tasks?: Array<{id?: unknown; framework_id?: unknown; state?: unknown}>
}

/** Resolves to the terminal state (e.g. TASK_FINISHED), or undefined while the task may still write. */
export function taskStateWatcher(http: HttpClient, signal: AbortSignal): (task: MesosTask) => Promise<string | undefined> {
  return async (task) => {
    const state = (await filteredState(http, task, signal)) ?? (await stateFromMaster(http, task, signal))
    return isTerminalState(state) ? state : undefined
  }
}

async function filteredState(http: HttpClient, task: MesosTask, signal: AbortSignal): Promise<string | undefined> {
  const {response, body} = await http.text('/mesos/master/tasks', {
    query: {task_id: task.id, framework_id: task.frameworkId},
    signal,
    purpose: `checking the state of task ${task.id}`,
    allowStatuses: [404],
  })
  if (response.status !== 200) return undefined
  try {
    const answer = JSON.parse(body) as TasksAnswer
    const found = answer.tasks?.find((candidate) => candidate.id === task.id && candidate.framework_id === task.frameworkId)
    return typeof found?.state === 'string' ? found.state : undefined
  } catch {
    return undefined
  }
}

/** A task the master no longer lists at all has long finished (it aged out of completed_tasks). */
async function stateFromMaster(http: HttpClient, task: MesosTask, signal: AbortSignal): Promise<string> {
  const state = await fetchMasterState(http, {signal, keep: (candidate) => candidate.id === task.id})
  const found = state.tasks.find((candidate) => candidate.id === task.id && candidate.frameworkId === task.frameworkId)
  return found?.state ?? 'TASK_GONE'
}
