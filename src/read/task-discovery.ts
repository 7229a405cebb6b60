/**
 * Following a pattern follows what appears: tasks that start while dcos-ts follows (a deploy, a scale-up,
 * the next run of a crash loop) join the follow, read from their first line, and a task that ends leaves
 * it with its final state. The tasks come from watchTasks (the master's event stream, or master state
 * polled), matched the way the pattern matched at the start; a snapshot after a reconnect is diffed against
 * what is known, so a task that started while the watch was away is found too, and none joins twice.
 */
import {isTerminalState, type MesosTask, type TaskName} from '../mesos/state.js'
import type {WatchEvent} from '../mesos/task-watch.js'
import type {StreamSpec} from './stream-logs.js'

/**
 * What joins a follow while it runs: a stream, and why it joined; a line for the user; or that a task of
 * the follow has ended (a stream of a task still running may take its place under --max-streams).
 */
export type Joining = {type: 'stream'; spec: StreamSpec; why: string} | {type: 'notice'; text: string} | {type: 'ended'}

/** States a task's sandbox exists in, so that its files can be read. */
const STARTED_STATES = new Set(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'])

const keyOf = (task: {frameworkId: string; id: string}) => `${task.frameworkId}/${task.id}`

export class TaskDiscovery {
  /** Tasks the pattern matches, as the watch last told them (those followed from the start too). */
  private readonly tasks = new Map<string, MesosTask>()
  /** Tasks not to join: every task the state at the start listed (followed, or out of scope), and those joined since. */
  private readonly settled: Set<string>
  private watching = true
  /** How many times a matching task went from running to ended, as the watch told it. */
  private endedCount = 0

  /**
   * @param known every task the master state read at the start listed (whatever their state)
   * @param matches whether a task belongs to the follow (resolve-task.ts stageMatcher)
   */
  constructor(
    known: readonly MesosTask[],
    private readonly matches: (task: TaskName) => boolean,
  ) {
    this.settled = new Set(known.map(keyOf))
    for (const task of known) if (matches(task)) this.tasks.set(keyOf(task), task)
  }

  /**
   * The stop condition of a followed task: its state as the watch knows it, free of requests; once the watch
   * has stopped, `ask` (a request) instead.
   */
  isFinished(task: MesosTask, ask: (task: MesosTask) => Promise<string | undefined>): () => Promise<string | undefined> {
    return async () => {
      if (!this.watching) return ask(task)
      const state = this.tasks.get(keyOf(task))?.state
      return state !== undefined && isTerminalState(state) ? state : undefined
    }
  }

  /** The streams of tasks as they appear, and what the user should know, until the watch ends. */
  async *joining(watch: AsyncIterable<WatchEvent>, streamOf: (task: MesosTask) => Promise<StreamSpec>): AsyncGenerator<Joining> {
    try {
      for await (const event of watch) {
        if (event.type === 'notice') {
          yield event
          continue
        }
        const endedBefore = this.endedCount
        for (const task of this.learn(event)) {
          this.settled.add(keyOf(task))
          if (task.containerIds.length === 0 && isTerminalState(task.state)) {
            yield {type: 'notice', text: `${task.id} ended before it started (${task.state})`}
            continue
          }
          yield {type: 'stream', spec: await streamOf(task), why: `new task, ${task.state}`}
        }
        if (this.endedCount > endedBefore) yield {type: 'ended'}
      }
    } catch (error) {
      yield {type: 'notice', text: `no longer watching for new tasks: ${error instanceof Error ? error.message : String(error)}`}
    } finally {
      this.watching = false
    }
  }

  /** Takes in what the watch said; returns the tasks that should join now. */
  private learn(event: Exclude<WatchEvent, {type: 'notice'}>): MesosTask[] {
    switch (event.type) {
      case 'snapshot':
        for (const task of event.tasks) {
          if (!this.matches(task)) continue
          this.noteEnd(this.tasks.get(keyOf(task))?.state, task.state)
          this.tasks.set(keyOf(task), task)
        }
        return event.tasks.filter((task) => this.ready(task))
      case 'added':
        if (!this.matches(event.task)) return []
        this.tasks.set(keyOf(event.task), event.task)
        return this.ready(event.task) ? [event.task] : []
      case 'updated': {
        const {update} = event
        const task = this.tasks.get(keyOf({frameworkId: update.frameworkId, id: update.taskId}))
        if (task === undefined) return []
        this.noteEnd(task.state, update.state)
        task.state = update.state
        if (task.containerIds.length === 0) task.containerIds = update.containerIds
        if (update.at !== undefined) task.updatedAt = update.at
        return this.ready(task) ? [task] : []
      }
    }
  }

  private noteEnd(before: string | undefined, after: string): void {
    if (before !== undefined && !isTerminalState(before) && isTerminalState(after)) this.endedCount++
  }

  /** A matching task not yet settled whose files can be read: started, or ended after it started. */
  private ready(task: MesosTask): boolean {
    if (this.settled.has(keyOf(task)) || !this.matches(task)) return false
    return STARTED_STATES.has(task.state) || isTerminalState(task.state)
  }
}
