/**
 * Watching the cluster's tasks for as long as a follow lasts: the master's event stream (event-stream.ts)
 * where it has one, re-subscribed with backoff after any break; on a master without it (Mesos < 1.1), or
 * one whose stream cannot be read, master state polled every few seconds. Either way the consumer gets a
 * snapshot first (and after every reconnect: events missed while away are found only by diffing it), then
 * task changes as they happen.
 */
import type {HttpClient} from '../cluster/http.js'
import {isCliError} from '../errors.js'
import type {Clock} from '../logs/idle-race.js'
import {NoEventStream, subscribe, type TaskUpdate} from './event-stream.js'
import {fetchMasterState} from './master.js'
import type {MesosTask, TaskName} from './state.js'

export type WatchEvent =
  /** Every task `keep` wants, as the master knows them now. */
  | {type: 'snapshot'; tasks: MesosTask[]}
  | {type: 'added'; task: MesosTask}
  | {type: 'updated'; update: TaskUpdate}
  /** Something the user should see: a reconnect, a switch to polling. */
  | {type: 'notice'; text: string}

export interface WatchOptions extends Clock {
  keep: (task: TaskName) => boolean
  signal: AbortSignal
  /** Between two reads of master state when polling (default 5 s). */
  pollMs?: number
  /** Waits before re-subscribing: initialMs, doubling up to maxMs (default 1 s to 15 s). */
  backoff?: {initialMs?: number; maxMs?: number}
}

const EVENT_STREAM = 'the Mesos event stream'

/** Ends only when the signal aborts; a failure that no retry can mend (401, 403) is thrown. */
export async function* watchTasks(http: HttpClient, options: WatchOptions): AsyncGenerator<WatchEvent> {
  const pollMs = options.pollMs ?? 5000
  const initialMs = options.backoff?.initialMs ?? 1000
  const maxMs = options.backoff?.maxMs ?? 15_000
  let polling = false
  let failures = 0
  const pause = (ms: number) => options.sleep(ms, options.signal).then(
    () => true,
    () => false,
  )
  while (!options.signal.aborted) {
    let reason: string
    try {
      if (polling) {
        const state = await fetchMasterState(http, {signal: options.signal, keep: options.keep})
        if (failures > 0) yield {type: 'notice', text: 'reading master state again'}
        failures = 0
        yield {type: 'snapshot', tasks: state.tasks}
        if (!(await pause(pollMs))) return
        continue
      }
      const subscription = await subscribe(http, options)
      if (failures > 0) yield {type: 'notice', text: `reconnected to ${EVENT_STREAM}`}
      failures = 0
      try {
        yield {type: 'snapshot', tasks: subscription.tasks}
        for await (const event of subscription.events) yield event
      } finally {
        subscription.close()
      }
      reason = 'the master ended it'
    } catch (error) {
      if (options.signal.aborted) return
      if (error instanceof NoEventStream || (!polling && isCliError(error) && error.kind === 'protocol')) {
        polling = true
        const why = error instanceof NoEventStream ? 'this master has no event stream' : `${EVENT_STREAM} could not be read: ${error.message}`
        yield {type: 'notice', text: `${why}; watching for new tasks by reading master state every ${pollMs / 1000} s`}
        continue
      }
      if (!isCliError(error) || !error.retryable) throw error
      reason = error.message
    }
    failures++
    yield {type: 'notice', text: `reconnecting to ${polling ? 'master state' : EVENT_STREAM} (attempt ${failures}): ${reason}`}
    if (!(await pause(Math.min(maxMs, initialMs * 2 ** (failures - 1))))) return
  }
}
