/**
 * `dcos-ts task log`: resolve the pattern against Mesos master state (asking the DC/OS version at the same
 * time), then read the matching tasks' files (task-sources.ts).
 */
import {CliError, isCliError} from '../errors.js'
import {fetchClusterVersion} from '../logs/transport.js'
import {fetchMasterState} from '../mesos/master.js'
import {resolveTasks, stageMatcher, summarizeRunningTasks, taskMatcher, type TaskResolution, type TaskScope} from '../mesos/resolve-task.js'
import type {MasterState, MesosTask} from '../mesos/state.js'
import type {Deps} from '../deps.js'
import {type TaskCursor, type TaskReadOptions, readTaskLogs, taskNamedBy} from '../read/task-sources.js'

export interface TaskLogOptions extends TaskReadOptions {
  /** Task id, name, substring or glob; undefined lists the running tasks in a usage error. */
  pattern?: string
  scope: TaskScope
  /** Only the N matching tasks that changed state last (the newest runs of an app that restarts). */
  latest?: number
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
  let resolution: TaskResolution & {notice?: string}
  try {
    resolution = withCursorTasks(state, pattern, options.cursors, () => newest(resolveTasks(state, pattern, options.scope), options.latest))
  } catch (error) {
    resolution = nextRunOf(state, pattern, options, error)
  }
  const {matches, stage, notice} = resolution
  // Following a pattern of running tasks follows the ones that start too; an exact id ends with its task.
  const live = options.follow && options.scope.running && stage !== 'id' && options.latest === undefined
  await readTaskLogs(http, matches, version, options, deps, live ? {known: state.tasks, matches: stageMatcher(pattern, stage), notice} : undefined)
}

/**
 * Following an app by name (or a wildcard) while none of its tasks runs, between two runs of a crash loop
 * or during a redeploy: no task yet, and the next that starts joins. Its ended runs show the name is
 * real; a pattern nothing ever matched, an id or part of one, or a read without --follow keep the error.
 */
function nextRunOf(state: MasterState, pattern: string, options: TaskLogOptions, error: unknown): TaskResolution & {notice: string} {
  const waits = options.follow && options.scope.running && !options.scope.completed && options.latest === undefined && options.cursors.length === 0
  if (!waits || !isCliError(error) || error.kind !== 'not-found') throw error
  let ended: TaskResolution
  try {
    ended = resolveTasks(state, pattern, {running: false, completed: true})
  } catch {
    throw error
  }
  if (ended.stage !== 'name' && ended.stage !== 'glob') throw error
  const count = ended.matches.length
  const notice = `no running task matches '${pattern}' (${count} ended): waiting for one to start`
  return {matches: [], stage: ended.stage, notice}
}

/** The `latest` tasks whose newest status is newest (all of them without a count), newest first. */
function newest(resolution: TaskResolution, latest: number | undefined): TaskResolution {
  if (latest === undefined) return resolution
  const byTime = [...resolution.matches].sort((a, b) => (b.updatedAt ?? -Infinity) - (a.updatedAt ?? -Infinity))
  return {...resolution, matches: byTime.slice(0, latest)}
}

/**
 * Resuming, the tasks the cursors name are read whatever their state (a task that ended since still has
 * lines after its cursor), and with the tasks the pattern matches now (those from their first line).
 */
function withCursorTasks(state: MasterState, pattern: string, cursors: TaskCursor[], resolve: () => TaskResolution): TaskResolution {
  const named = state.tasks.filter((task) => cursors.some((cursor) => cursor.task !== undefined && taskNamedBy(task, cursor.task)))
  let resolution: TaskResolution
  try {
    resolution = resolve()
  } catch (error) {
    if (named.length === 0 || !isCliError(error) || error.kind !== 'not-found') throw error
    // None runs now: the tasks named, and the pattern matched the way it matches them.
    return {matches: named, stage: resolveTasks(state, pattern, {running: true, completed: true}).stage}
  }
  return {...resolution, matches: [...resolution.matches, ...named.filter((task) => !resolution.matches.includes(task))]}
}
