/**
 * Reading tasks already resolved (task log, service log): one source each on the protocol the cluster
 * speaks (a sandbox file through src/logs/task-file, or logging v1's journal where the journald container
 * logger serves the task), through streamLogs.
 */
import type {HttpClient} from '../cluster/http.js'
import type {LogSource, StreamInfo} from '../logs/entry.js'
import {createV1TaskSource} from '../logs/sources/v1.js'
import type {LogWindow} from '../logs/sources/window.js'
import {type TaskFileTarget, createTaskFileSource} from '../logs/task-file/source.js'
import {transportFor, type ClusterVersion, type LogTransport} from '../logs/transport.js'
import {executorIdOf, findSandbox, loggingV2SandboxDirectory, loggingV2TaskPath, runContainerId} from '../mesos/sandbox.js'
import {isRunningTask, type MesosTask, type TaskName} from '../mesos/state.js'
import {watchTasks, type WatchOptions} from '../mesos/task-watch.js'
import type {OutputOptions} from '../output/choose-sink.js'
import type {ResumeCommand} from '../output/sinks.js'
import type {Deps} from '../deps.js'
import {CliError} from '../errors.js'
import {checkStreamCount, streamLogs, type StreamSpec} from './stream-logs.js'
import {type Joining, TaskDiscovery} from './task-discovery.js'
import {taskStateWatcher} from './task-state.js'

/** A --cursor: a byte offset, and the task it belongs to (`TASK=OFFSET`), which only one task read may omit. */
export interface TaskCursor {
  /** The task's id, or `<framework>/<id>` as the stream's label says it where ids repeat. */
  task?: string
  offset: string
}

/** What reading resolved tasks needs: the options less how the tasks were found. */
export interface TaskReadOptions {
  /** A sandbox file: stdout by default, nested paths allowed. */
  file: string
  window: LogWindow
  follow: boolean
  /** Where to resume: a task with a cursor starts after it, one without from its first line. */
  cursors: TaskCursor[]
  maxStreams: number
  /** Files API poll interval while following. */
  intervalMs: number
  output: OutputOptions
  resume: ResumeCommand
  /** How often the cluster is watched for tasks that start (task-watch.ts' defaults): no flag sets it, tests shorten it. */
  watch?: Pick<WatchOptions, 'pollMs' | 'backoff'>
}

/** Whether `name` (from a cursor) is this task: its id, or its label where ids repeat. */
export function taskNamedBy(task: MesosTask, name: string): boolean {
  return name === task.id || name === `${task.frameworkName}/${task.id}` || name === `${task.frameworkId}/${task.id}`
}

/** Each task's cursor, checked against the tasks read: a bare one needs a single task, a named one its task. */
function cursorsOf(tasks: MesosTask[], cursors: TaskCursor[]): Map<MesosTask, string> {
  const found = new Map<MesosTask, string>()
  for (const cursor of cursors) {
    if (cursor.task === undefined) {
      if (tasks.length > 1 || cursors.length > 1) {
        throw new CliError('usage', `--cursor ${cursor.offset} does not say which task it resumes, and ${tasks.length > 1 ? `${tasks.length} tasks match` : 'there are several cursors'}`, {
          hint: 'give each as --cursor TASK=OFFSET, as the resume line prints them',
        })
      }
      found.set(tasks[0], cursor.offset)
      continue
    }
    const task = tasks.find((candidate) => taskNamedBy(candidate, cursor.task as string))
    if (task === undefined) throw new CliError('not-found', `--cursor ${cursor.task}=${cursor.offset}: no task ${cursor.task} is read`, {hint: 'the task must match the TASK pattern'})
    if (found.has(task)) throw new CliError('usage', `two cursors for task ${cursor.task}`, {hint: 'give one --cursor per task'})
    found.set(task, cursor.offset)
  }
  return found
}

/** Following a pattern: the tasks that start later join (task-discovery.ts). */
export interface LiveTasks {
  /** Every task the master state read at the start listed, whatever its state: none of them joins later. */
  known: MesosTask[]
  /** Whether a task belongs to the follow (resolve-task.ts stageMatcher). */
  matches: (task: TaskName) => boolean
  /** A line for the user before anything joins (none of the tasks runs yet). */
  notice?: string
}

/**
 * Reads tasks already resolved (task log, service log): one source each on the protocol the cluster
 * speaks, through streamLogs; with `live`, also the tasks that start while following.
 */
export async function readTaskLogs(
  http: HttpClient,
  matches: MesosTask[],
  version: ClusterVersion | undefined,
  options: TaskReadOptions,
  deps: Deps,
  live?: LiveTasks,
): Promise<void> {
  const {signal} = deps
  checkStreamCount(matches.length, options.maxStreams, 'tasks', 'read the newest runs with --latest N, narrow the pattern, or raise --max-streams')
  const transport = transportFor(version)
  const askState = taskStateWatcher(http, signal)
  const discovery = live && options.follow ? new TaskDiscovery(live.known, live.matches) : undefined
  const labels = streamLabels(matches)
  const cursors = cursorsOf(matches, options.cursors)
  const spec = async (task: MesosTask, label: string, window: LogWindow): Promise<StreamSpec> => {
    const stream: StreamInfo = {
      id: `${task.frameworkId}/${task.id}/${options.file}`,
      kind: 'task',
      label,
      task: task.id,
      file: options.file,
      agent: task.agentId,
      framework: task.frameworkId,
    }
    const source = await taskSource(http, task, stream, transport, {...options, window}, deps)
    const finished = !isRunningTask(task) ? async () => task.state : discovery ? discovery.isFinished(task, askState) : () => askState(task)
    return {source, after: cursors.get(task), isFinished: finished}
  }
  // Resuming: a task without a cursor printed nothing before, so all of it is new; so is a task that starts later.
  const window: LogWindow = options.cursors.length > 0 ? {kind: 'all'} : options.window
  const specs = await Promise.all(matches.map((task) => spec(task, labels.get(task) ?? task.id, window)))
  const watch = discovery && watchTasks(http, {...options.watch, keep: (live as LiveTasks).matches, signal, sleep: deps.sleep, now: deps.now})
  const joining = watch && discovery.joining(watch, (task) => spec(task, task.id, {kind: 'all'}))
  const more = joining && live?.notice ? startingWith({type: 'notice', text: live.notice}, joining) : joining
  await streamLogs(specs, {follow: options.follow, maxStreams: options.maxStreams, output: options.output, resume: options.resume, more}, deps)
}

async function* startingWith(first: Joining, rest: AsyncIterable<Joining>): AsyncGenerator<Joining> {
  yield first
  yield* rest
}

/**
 * The task id, or `<framework>/<task id>` where several frameworks share that id (ids are unique only per
 * framework): the framework's name when that tells them apart, else its id.
 */
function streamLabels(tasks: MesosTask[]): Map<MesosTask, string> {
  return new Map(
    tasks.map((task) => {
      const twins = tasks.filter((other) => other.id === task.id)
      if (twins.length === 1) return [task, task.id]
      const nameIsUnique = twins.filter((twin) => twin.frameworkName === task.frameworkName).length === 1
      return [task, `${nameIsUnique && task.frameworkName ? task.frameworkName : task.frameworkId}/${task.id}`]
    }),
  )
}

async function taskSource(http: HttpClient, task: MesosTask, stream: StreamInfo, transport: LogTransport, options: TaskReadOptions, deps: Deps): Promise<LogSource> {
  const {file} = options
  const run = runContainerId(task)
  if (transport === 'v1' && run !== undefined && (file === 'stdout' || file === 'stderr') && (await journaldHasContainer(http, task.agentId, run, deps.signal))) {
    const containerId = [...task.containerIds].reverse().join('.')
    return createV1TaskSource(http, {stream, agentId: task.agentId, frameworkId: task.frameworkId, executorId: executorIdOf(task), containerId, file}, options.window)
  }
  const target = await taskFileTarget(http, task, stream, file, transport, deps.signal)
  return createTaskFileSource(http, target, options.window, {sleep: deps.sleep, now: deps.now, intervalMs: options.intervalMs})
}

/**
 * Where one task file is read: its path for the files API (the ground truth) and, where the cluster has it,
 * logging v2's route to the same file. Logging v2 carries only top-level files (one path segment) and
 * needs the task's container id (Mesos 1.2+); its files-API path is the directory dcos-log reads (no
 * request), any other the sandbox the agent reports.
 */
export async function taskFileTarget(http: HttpClient, task: MesosTask, stream: StreamInfo, file: string, transport: LogTransport, signal: AbortSignal): Promise<TaskFileTarget> {
  const loggingV2Path = transport === 'v2' && !file.includes('/') ? loggingV2TaskPath(task, file) : undefined
  const directory = loggingV2Path !== undefined ? loggingV2SandboxDirectory(task) : (await findSandbox(http, task, {signal})).directory
  return {stream, agentId: task.agentId, path: `${directory}/${file}`, loggingV2Path, name: `${file} of task ${task.id}`}
}

/**
 * Logging v1 serves task logs only where the journald container logger is on (it is off by default):
 * the agent's journal then knows the task's container. One request, asked of the journal itself.
 */
async function journaldHasContainer(http: HttpClient, agentId: string, containerId: string, signal: AbortSignal): Promise<boolean> {
  const path = `/system/v1/agent/${encodeURIComponent(agentId)}/logs/v1/fields/CONTAINER_ID`
  const {response, body} = await http.text(path, {signal, purpose: 'asking logging v1 for task containers', allowStatuses: [204, 404]})
  if (response.status !== 200) return false
  try {
    const ids: unknown = JSON.parse(body)
    return Array.isArray(ids) && ids.some((id) => typeof id === 'string' && id.includes(containerId))
  } catch {
    return false
  }
}
