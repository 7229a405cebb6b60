/**
 * Where a task's sandbox is (mesos-api.md §2, §7):
 * - the logging v2 agent route, built from master-state ids alone;
 * - the absolute directory for the agent files API: from the agent's own `/state` (exact on every Mesos
 *   version and work dir), else built from the agent's work dir and the task's container chain.
 *
 * On disk: `<work_dir>/slaves/<agent>/frameworks/<fw>/executors/<executor>/runs/<run container>`, where the
 * executor of a command task (executor_id "") is the task id, and the run container is the root of the
 * task's container chain. A pod task (nested container, DEFAULT executor) lives in `tasks/<task id>` below
 * its executor's run; an old custom-executor task shares its executor's sandbox (dcos-log adds `tasks/`
 * for every non-empty executor id, which is wrong for those: here only a nested chain or DEFAULT does).
 */
import {CliError} from '../errors.js'
import type {HttpClient} from '../cluster/http.js'
import {encodePath} from '../cluster/url.js'
import {isRecord, type MesosTask} from './state.js'

/** DC/OS's default agent work dir (`mesos_agent_work_dir`), used when the agent does not say. */
export const DEFAULT_WORK_DIR = '/var/lib/mesos/slave'

/** The executor id on the agent: a command task's executor has the task's id. */
export function executorIdOf(task: MesosTask): string {
  return task.executorId || task.id
}

/** The container of the executor's run (the `runs/<id>` directory); undefined before Mesos 1.2. */
export function runContainerId(task: MesosTask): string | undefined {
  return task.containerIds[task.containerIds.length - 1]
}

/** A task in a nested container (a pod or task-group task): its files are in `tasks/<task id>`. */
export function isNestedTask(task: MesosTask): boolean {
  return task.containerIds.length > 1
}

/** `frameworks/<fw>/executors/<ex>/runs/<cid>[/tasks/<id>]`, or undefined when Mesos recorded no container. */
function runSegments(task: MesosTask): string[] | undefined {
  const run = runContainerId(task)
  if (run === undefined) return undefined
  const segments = ['frameworks', task.frameworkId, 'executors', executorIdOf(task), 'runs', run]
  if (isNestedTask(task)) segments.push('tasks', task.id)
  return segments
}

/**
 * The logging v2 agent route of one sandbox file (DC/OS 1.11+), the same Location the discovery route
 * `/system/v1/logs/v2/task/<id>/file/<file>` would redirect to; undefined when the task has no container id.
 */
export function loggingV2TaskPath(task: MesosTask, file: string): string | undefined {
  const segments = runSegments(task)
  if (segments === undefined) return undefined
  return encodePath('system', 'v1', 'agent', task.agentId, 'logs', 'v2', 'task', ...segments, file)
}

/**
 * The directory dcos-log reads for the logging v2 route above (its work dir is hard-coded to DC/OS's
 * default): the files API read there names the very file the route streams. Undefined without a container id.
 */
export function loggingV2SandboxDirectory(task: MesosTask): string | undefined {
  const segments = runSegments(task)
  return segments === undefined ? undefined : [DEFAULT_WORK_DIR, 'slaves', task.agentId, ...segments].join('/')
}

/** Admin Router's route to an agent: `/agent/<id>` (DC/OS 1.8+) or `/slave/<id>` (1.7). */
export type AgentRoute = 'agent' | 'slave'

export function agentPath(agentId: string, route: AgentRoute, ...segments: string[]): string {
  return encodePath(route, agentId, ...segments)
}

export interface SandboxOptions {
  signal?: AbortSignal
  agentRoute?: AgentRoute
}

export interface Sandbox {
  agentId: string
  /** Absolute path on the agent, for `/files/read?path=<directory>/<file>`. */
  directory: string
  /** Where the directory came from: the agent's `/state` (exact) or built from the work dir and container ids. */
  source: 'agent-state' | 'work-dir'
}

interface AgentExecutor {
  id?: unknown
  container?: unknown
  directory?: unknown
  type?: unknown
  tasks?: unknown
  queued_tasks?: unknown
  completed_tasks?: unknown
}

/**
 * The task's sandbox directory for the agent files API. Reads `GET /agent/<id>/state`, and falls back to
 * `<work_dir>/slaves/...` when the agent does not list the task (or forbids reading its state) but Mesos
 * recorded the task's container; a CliError 'not-found' when neither works.
 */
export async function findSandbox(http: HttpClient, task: MesosTask, options: SandboxOptions = {}): Promise<Sandbox> {
  const route = options.agentRoute ?? 'agent'
  let agentState: unknown
  try {
    agentState = await http.json(agentPath(task.agentId, route, 'state'), {signal: options.signal, purpose: `reading the state of agent ${task.agentId}`})
  } catch (error) {
    if (error instanceof CliError && error.kind === 'not-found') {
      throw new CliError('not-found', `agent ${task.agentId} of task '${task.id}' is gone: the cluster no longer knows it`, {
        cause: error,
        hint: "its sandbox went with it; 'dcos-ts node list' shows the agents",
      })
    }
    // Reading sandbox files may be allowed where reading the agent's state is not.
    if (!(error instanceof CliError && error.kind === 'forbidden')) throw error
  }
  const executor = findExecutor(agentState, task)
  if (executor !== undefined && typeof executor.directory === 'string' && executor.directory !== '') {
    const pod = executor.type === 'DEFAULT' || isNestedTask(task)
    return {agentId: task.agentId, directory: pod ? `${executor.directory}/tasks/${task.id}` : executor.directory, source: 'agent-state'}
  }
  const segments = runSegments(task)
  if (segments === undefined) {
    throw new CliError('not-found', `cannot find the sandbox of task '${task.id}' on agent ${task.agentId}`, {
      hint: 'the agent lists no executor for it (its sandbox may have been garbage-collected) and Mesos recorded no container id',
    })
  }
  const workDir = workDirOf(agentState)
  return {agentId: task.agentId, directory: [workDir, 'slaves', task.agentId, ...segments].join('/'), source: 'work-dir'}
}

function workDirOf(agentState: unknown): string {
  const workDir = isRecord(agentState) && isRecord(agentState.flags) ? agentState.flags.work_dir : undefined
  return typeof workDir === 'string' && workDir !== '' ? workDir.replace(/\/+$/, '') : DEFAULT_WORK_DIR
}

/**
 * The executor that ran the task: its id is the task's executor (or the task id), and one of its task lists
 * holds the task. Several runs can qualify (a custom executor restarted); the one in the task's own
 * container wins, then a live executor over a completed one.
 */
function findExecutor(agentState: unknown, task: MesosTask): AgentExecutor | undefined {
  if (!isRecord(agentState)) return undefined
  const executorId = executorIdOf(task)
  const candidates: AgentExecutor[] = []
  for (const framework of [...records(agentState.frameworks), ...records(agentState.completed_frameworks)]) {
    if (framework.id !== task.frameworkId) continue
    for (const executor of [...records(framework.executors), ...records(framework.completed_executors)]) {
      if (executor.id === executorId && runsTask(executor, task.id)) candidates.push(executor)
    }
  }
  const run = runContainerId(task)
  return candidates.find((executor) => run !== undefined && executor.container === run) ?? candidates[0]
}

function runsTask(executor: AgentExecutor, taskId: string): boolean {
  return [executor.tasks, executor.queued_tasks, executor.completed_tasks].some((list) => records(list).some((task) => task.id === taskId))
}

function records(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isRecord) : []
}
