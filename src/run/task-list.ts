/**
 * `dcos-ts task list [PATTERN]`: the tasks in scope, or exactly the tasks `task log PATTERN` would read
 * (the same resolution: exact id, then name, then id substring, then wildcard). A table on a terminal or a
 * pipe, or NDJSON (one object per line, stable fields) with --json.
 */
import type {ChalkInstance} from 'chalk'
import {fetchMasterState} from '../mesos/master.js'
import {inScope, resolveTasks, taskMatcher, type TaskScope} from '../mesos/resolve-task.js'
import {isRunningTask, isTerminalState, type MesosTask} from '../mesos/state.js'
import {createChalk, decideColorLevel} from '../output/color.js'
import {whenDrained, type IO} from '../output/io.js'
import {jsonTerminalSafe} from '../output/sanitize.js'
import {formatTable} from '../output/table.js'
import type {Deps} from '../deps.js'

export interface TaskListOptions {
  /** Only the tasks this pattern resolves to (a 'not-found' error when none). */
  pattern?: string
  /** Only finished tasks. */
  completed: boolean
  /** Running and finished tasks. */
  all: boolean
  json: boolean
}

/** One NDJSON line of `task list --json`; the field names are a stable interface. */
export interface TaskListRecord {
  id: string
  name: string
  /** The Mesos TASK_* state. */
  state: string
  framework_id: string
  framework: string
  agent_id: string
  /** The agent's hostname; null when the agent is gone from the cluster. */
  agent: string | null
  /** True for a finished task (see isRunningTask). */
  completed: boolean
}

export function scopeOf(options: Pick<TaskListOptions, 'completed' | 'all'>): TaskScope {
  if (options.all) return {running: true, completed: true}
  return options.completed ? {running: false, completed: true} : {running: true, completed: false}
}

export async function runTaskList(options: TaskListOptions, deps: Deps): Promise<void> {
  const scope = scopeOf(options)
  const {pattern} = options
  const keep = pattern === undefined ? undefined : taskMatcher(pattern)
  const state = await fetchMasterState(await deps.http(), {signal: deps.signal, keep})
  const tasks = pattern === undefined ? state.tasks.filter((task) => inScope(task, scope)) : resolveTasks(state, pattern, scope).matches
  const hosts = new Map(state.agents.map((agent) => [agent.id, agent.hostname]))
  const records = tasks.map((task) => taskRecord(task, hosts)).sort(compareRecords)
  const {io} = deps
  if (options.json) {
    await writeLines(
      records.map((record) => jsonTerminalSafe(JSON.stringify(record))),
      io,
    )
    return
  }
  if (records.length === 0) {
    if (io.isStderrTTY) io.stderr.write(`no ${scope.running && scope.completed ? '' : scope.running ? 'running ' : 'completed '}tasks\n`)
    return
  }
  const level = decideColorLevel('auto', io.isStdoutTTY, io.env)
  const chalk = level > 0 ? createChalk(level) : undefined
  const rows = records.map((record) => [
    record.id,
    record.name,
    record.state.replace(/^TASK_/, ''),
    record.framework,
    record.agent ?? `${record.agent_id} (gone)`,
  ])
  const table = formatTable(['ID', 'NAME', 'STATE', 'FRAMEWORK', 'HOST'], rows, {
    chalk,
    cellStyle: chalk === undefined ? undefined : (column, text) => (column === 2 ? stateColor(chalk, text) : undefined),
  })
  await writeLines([table.slice(0, -1)], io)
}

function taskRecord(task: MesosTask, hosts: ReadonlyMap<string, string>): TaskListRecord {
  return {
    id: task.id,
    name: task.name,
    state: task.state,
    framework_id: task.frameworkId,
    framework: task.frameworkName,
    agent_id: task.agentId,
    agent: hosts.get(task.agentId) ?? null,
    completed: !isRunningTask(task),
  }
}

/** Running before finished, then by name and id, so the instances of an app sit together. */
function compareRecords(a: TaskListRecord, b: TaskListRecord): number {
  return Number(a.completed) - Number(b.completed) || compare(a.name, b.name) || compare(a.id, b.id) || compare(a.framework, b.framework)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function stateColor(chalk: ChalkInstance, state: string): ChalkInstance | undefined {
  if (state === 'RUNNING') return chalk.green
  if (state === 'FAILED' || state === 'ERROR' || state === 'LOST' || state === 'DROPPED') return chalk.red
  if (isTerminalState(`TASK_${state}`)) return chalk.dim
  return chalk.yellow // staging, starting, killing, unreachable: in between
}

const WRITE_BATCH = 1000

/** Writes lines in batches, waiting while stdout is full; stops quietly once its reader has gone. */
async function writeLines(lines: readonly string[], io: IO): Promise<void> {
  for (let start = 0; start < lines.length && !io.closed.aborted; start += WRITE_BATCH) {
    const text = lines.slice(start, start + WRITE_BATCH).join('\n') + '\n'
    if (!io.stdout.write(text)) await whenDrained(io.stdout, io.closed)
  }
}
