/**
 * Reading a task file in-process against the simulated cluster, the way `task log` does: the real HTTP
 * client over a socket, the task resolved from master state, the target built by the run function's own
 * taskFileTarget, follow() on top. Output is collected as the bytes a plain sink prints.
 */
import assert from 'node:assert/strict'
import type {ResolvedCluster} from '../../src/cluster/config.js'
import {createHttpClient, type HttpClient} from '../../src/cluster/http.js'
import {ByteEntry, type LogEntry, type LogEvent, type LogSource} from '../../src/logs/entry.js'
import {follow, type FollowPolicy} from '../../src/logs/follow.js'
import type {LogWindow} from '../../src/logs/sources/window.js'
import {type TaskFileOptions, createTaskFileSource} from '../../src/logs/task-file/source.js'
import type {LogTransport} from '../../src/logs/transport.js'
import {fetchMasterState} from '../../src/mesos/master.js'
import {resolveTasks} from '../../src/mesos/resolve-task.js'
import {taskFileTarget} from '../../src/read/task-sources.js'
import {sleep} from '../../src/run/create-deps.js'
import type {Sim} from '../../src/sim/index.js'

export function simHttp(sim: Sim, token?: string): HttpClient {
  const cluster: ResolvedCluster = {
    url: sim.url,
    token,
    tls: {verify: true},
    timeoutMs: 10_000,
    sources: {url: 'test', token: 'test', tls: 'test', timeout: 'test', cluster: 'test'},
  }
  return createHttpClient(cluster)
}

/** The run's own sleep: it resolves after ms or rejects when the signal aborts, and leaves no listener. */
export {sleep} from '../../src/run/create-deps.js'

/** Quick quiet spells: the sim's dcos-log polls every filePollMs (20 ms in these tests), not every second. */
export const FAST: Partial<TaskFileOptions> = {quietMs: 150, graceMs: 100, intervalMs: 30}

export async function simTaskSource(http: HttpClient, taskId: string, file: string, window: LogWindow, options: Partial<TaskFileOptions> & {transport?: LogTransport} = {}): Promise<LogSource> {
  const state = await fetchMasterState(http)
  const [task] = resolveTasks(state, taskId, {running: true, completed: true}).matches
  assert.ok(task, `the sim has task ${taskId}`)
  const stream = {id: `${task.frameworkId}/${task.id}/${file}`, kind: 'task' as const, label: task.id, task: task.id, file}
  const target = await taskFileTarget(http, task, stream, file, options.transport ?? 'v2', new AbortController().signal)
  return createTaskFileSource(http, target, window, {sleep, now: Date.now, ...FAST, ...options})
}

/** The bytes a plain sink prints for these entries: each line's bytes and a newline. */
export function printed(entries: readonly LogEntry[]): Buffer {
  return Buffer.concat(entries.flatMap((e) => [e instanceof ByteEntry ? e.bytes.subarray(e.start, e.end) : Buffer.from(e.message), Buffer.from('\n')]))
}

/** One read without following, as `task log` does it (follow() with its retries), all entries. */
export async function readOnce(source: LogSource, after?: string): Promise<LogEntry[]> {
  const entries: LogEntry[] = []
  for await (const event of follow(source, {follow: false, after, signal: new AbortController().signal, now: Date.now, sleep})) {
    if (event.type === 'entries') entries.push(...event.entries)
  }
  return entries
}

export interface Followed {
  entries: LogEntry[]
  statuses: string[]
  lastCursor: string | undefined
}

/**
 * Follows until the stream ends (the task finished, or `stop` aborts it); `onEntries` sees the entries so
 * far after each batch (to append more once some arrived).
 */
export async function followSource(source: LogSource, policy: Partial<FollowPolicy> & {isFinished?: FollowPolicy['isFinished']}, onEntries?: (entries: LogEntry[]) => void): Promise<Followed> {
  const entries: LogEntry[] = []
  const statuses: string[] = []
  const events: AsyncIterable<LogEvent> & {lastCursor: string | undefined} = follow(source, {
    follow: true,
    signal: new AbortController().signal,
    now: Date.now,
    sleep,
    idleCheckMs: 100,
    backoff: {initialMs: 10, maxMs: 100},
    ...policy,
  })
  for await (const event of events) {
    if (event.type === 'entries') {
      entries.push(...event.entries)
      onEntries?.(entries)
    } else statuses.push(event.status.state + (event.status.detail ? `:${event.status.detail}` : ''))
  }
  return {entries, statuses, lastCursor: events.lastCursor}
}

/** Stops following once the sim says the task is terminal. */
export function finishedIn(sim: Sim, taskId: string): () => Promise<string | undefined> {
  return async () => {
    const state = sim.tasks().find((t) => t.id === taskId)?.state
    return state === undefined || state === 'TASK_RUNNING' ? undefined : state
  }
}
