/**
 * Reads `/master/state` as it streams in and keeps only what dcos-ts needs (see state.ts), through the
 * selective byte reader: task objects in `frameworks[]` and `completed_frameworks[]` (`tasks`,
 * `unreachable_tasks`, `completed_tasks`), each agent in `slaves[]`, and the scalar fields of each framework.
 * Resources, offers, executors, discovery and container info are skipped without being decoded.
 *
 * A `keep` predicate drops tasks as soon as they are read, so memory is bounded by the tasks that can
 * matter (a pattern that matches 5 of 100,000 tasks keeps 5), whatever the size of the state.
 */
import {CliError} from '../errors.js'
import {arrayNode, objectNode, readSelected, SKIP_REST, valueNode, type SchemaNode} from './json-select.js'
import {
  agentFromJson,
  containerChain,
  idValue,
  labelsFromJson,
  leaderFromJson,
  type MasterState,
  type MesosFramework,
  type MesosTask,
  type RawAgentFields,
  type TaskList,
  type TaskName,
} from './state.js'

export interface ScanOptions {
  /**
   * Decides from a task's id and name, as soon as both are read (Mesos writes them first), whether to keep
   * it; the rest of a dropped task is skipped without being decoded. Without it every task is kept.
   */
  keep?: (task: TaskName) => boolean
}

/** The master state from a whole body or a stream of chunks (the body of HttpClient.stream). */
export async function scanMasterState(
  input: Buffer | AsyncIterable<Buffer | string>,
  options: ScanOptions = {},
): Promise<MasterState> {
  const builder = new MasterStateBuilder(options.keep)
  await readSelected(input, builder.schema(), 'the master state')
  return builder.result()
}

interface FrameworkDraft {
  id: string
  name: string
  active?: boolean
  webuiUrl?: string
  labels?: Record<string, string>
}

interface TaskDraft {
  id: string
  name: string
  /** Which of id and name were read; keep is asked once both are. */
  named: number
  dropped: boolean
  frameworkId: string
  executorId: string
  /** JSON state says slave_id, the v1 operator API agent_id; slave_id wins. */
  slaveId: string
  agentId: string
  state: string
  containerIds: string[]
  labels?: Record<string, string>
  updatedAt?: number
}

const ID_READ = 1
const NAME_READ = 2

function asString(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function newTaskDraft(): TaskDraft {
  return {id: '', name: '', named: 0, dropped: false, frameworkId: '', executorId: '', slaveId: '', agentId: '', state: '', containerIds: []}
}

/** The framework a task is read under, as far as known when the task ends. */
export interface TaskContext {
  frameworkId: string
  frameworkName: string
  frameworkActive: boolean
  completedFramework: boolean
  list: TaskList
}

/**
 * Task objects as `/master/state` writes them (`id`, `slave_id`) and as the v1 operator API does (`task_id:
 * {value}`, `agent_id: {value}`): the fields dcos-ts keeps, with `keep` asked as soon as id and name are
 * read (Mesos writes them first) so that the rest of a dropped task is skipped undecoded. Ids and states
 * repeat across thousands of tasks: one string each.
 */
export class TaskObjectReader {
  private draft: TaskDraft = newTaskDraft()
  private readonly interned = new Map<string, string>()

  constructor(private readonly keep: ((task: TaskName) => boolean) | undefined) {}

  /** The node of one task object; `done` gets each task kept, with the context it was read in. */
  node(context: () => TaskContext, done: (task: MesosTask) => void): SchemaNode {
    const draft = () => this.draft
    const containerId = valueNode((value) => {
      draft().containerIds = containerChain(value)
    })
    // Each status's time (the newest is when the task last changed), and its container until one has it.
    const status = objectNode({
      timestamp: valueNode((value) => {
        if (typeof value === 'number' && !(value <= (draft().updatedAt ?? -Infinity))) draft().updatedAt = value
      }),
      container_status: objectNode({container_id: containerId}, {want: () => draft().containerIds.length === 0}),
    })
    const id = valueNode((value) => {
      draft().id = idValue(value)
      return this.named(ID_READ)
    })
    return objectNode(
      {
        id,
        task_id: id,
        name: valueNode((value) => {
          draft().name = asString(value)
          return this.named(NAME_READ)
        }),
        framework_id: valueNode((value) => (draft().frameworkId = idValue(value))),
        executor_id: valueNode((value) => (draft().executorId = idValue(value))),
        slave_id: valueNode((value) => (draft().slaveId = idValue(value))),
        agent_id: valueNode((value) => (draft().agentId = idValue(value))),
        state: valueNode((value) => (draft().state = asString(value))),
        labels: valueNode((value) => (draft().labels = labelsFromJson(value))),
        statuses: arrayNode(status),
      },
      {
        open: () => (this.draft = newTaskDraft()),
        close: () => {
          const task = this.finish(context())
          if (task !== undefined) done(task)
        },
      },
    )
  }

  intern(text: string): string {
    const known = this.interned.get(text)
    if (known !== undefined) return known
    this.interned.set(text, text)
    return text
  }

  /** Once id and name are both read, asks keep; the rest of a dropped task is skipped unread. */
  private named(field: number): typeof SKIP_REST | undefined {
    const draft = this.draft
    draft.named |= field
    if (draft.named === ID_READ + NAME_READ) draft.dropped = this.keep !== undefined && !this.keep(draft)
    return draft.dropped ? SKIP_REST : undefined
  }

  private finish(context: TaskContext): MesosTask | undefined {
    const draft = this.draft
    // A task without an id or a name field is judged at its end.
    if (draft.named !== ID_READ + NAME_READ) draft.dropped = this.keep !== undefined && !this.keep(draft)
    if (draft.dropped) return undefined
    const task: MesosTask = {
      id: draft.id,
      name: draft.name,
      frameworkId: this.intern(draft.frameworkId || context.frameworkId),
      frameworkName: context.frameworkName,
      frameworkActive: context.frameworkActive,
      completedFramework: context.completedFramework,
      executorId: draft.executorId,
      agentId: this.intern(draft.slaveId || draft.agentId),
      state: this.intern(draft.state),
      containerIds: draft.containerIds,
      list: context.list,
    }
    if (draft.labels !== undefined) task.labels = draft.labels
    if (draft.updatedAt !== undefined) task.updatedAt = draft.updatedAt
    return task
  }
}

class MasterStateBuilder {
  private readonly state: MasterState = {agents: [], frameworks: [], tasks: []}
  private leaderPid: unknown
  private leaderInfo: unknown
  private sawFrameworks = false
  private framework: FrameworkDraft = {id: '', name: ''}
  /** Kept tasks of the framework being read, settled when it ends. */
  private frameworkTasks: MesosTask[] = []
  private agent: RawAgentFields = {}
  private readonly tasks: TaskObjectReader

  constructor(keep: ((task: TaskName) => boolean) | undefined) {
    this.tasks = new TaskObjectReader(keep)
  }

  schema(): SchemaNode {
    const state = this.state
    const agentNode = objectNode(
      {
        id: valueNode((value) => (this.agent.id = value)),
        hostname: valueNode((value) => (this.agent.hostname = value)),
        pid: valueNode((value) => (this.agent.pid = value)),
        port: valueNode((value) => (this.agent.port = value)),
        attributes: valueNode((value) => (this.agent.attributes = value)),
      },
      {
        open: () => (this.agent = {}),
        close: () => state.agents.push(agentFromJson(this.agent)),
      },
    )
    return objectNode({
      version: valueNode((value) => typeof value === 'string' && (state.version = value)),
      hostname: valueNode((value) => typeof value === 'string' && (state.hostname = value)),
      cluster: valueNode((value) => typeof value === 'string' && (state.clusterName = value)),
      leader: valueNode((value) => (this.leaderPid = value)),
      leader_info: valueNode((value) => (this.leaderInfo = value)),
      slaves: arrayNode(agentNode),
      frameworks: arrayNode(this.frameworkNode(false), {open: () => (this.sawFrameworks = true)}),
      completed_frameworks: arrayNode(this.frameworkNode(true)),
    })
  }

  result(): MasterState {
    if (!this.sawFrameworks) throw new CliError('protocol', 'master state has no frameworks')
    const leader = leaderFromJson(this.leaderInfo, this.leaderPid)
    if (leader !== undefined) this.state.leader = leader
    return this.state
  }

  private frameworkNode(completed: boolean): SchemaNode {
    const framework = () => this.framework
    return objectNode(
      {
        id: valueNode((value) => (framework().id = idValue(value))),
        name: valueNode((value) => (framework().name = asString(value))),
        active: valueNode((value) => (framework().active = value === true)),
        webui_url: valueNode((value) => typeof value === 'string' && value !== '' && (framework().webuiUrl = value)),
        labels: valueNode((value) => (framework().labels = labelsFromJson(value))),
        tasks: arrayNode(this.taskNode('tasks', completed)),
        unreachable_tasks: arrayNode(this.taskNode('unreachable_tasks', completed)),
        completed_tasks: arrayNode(this.taskNode('completed_tasks', completed)),
      },
      {
        open: () => {
          this.framework = {id: '', name: ''}
          this.frameworkTasks = []
        },
        close: () => this.finishFramework(completed),
      },
    )
  }

  private taskNode(list: TaskList, completedFramework: boolean): SchemaNode {
    // The framework's name and activity come after its tasks: finishFramework sets them.
    const context = (): TaskContext => ({frameworkId: this.framework.id, frameworkName: '', frameworkActive: !completedFramework, completedFramework, list})
    return this.tasks.node(context, (task) => this.frameworkTasks.push(task))
  }

  private finishFramework(completed: boolean): void {
    const {id, name, webuiUrl, labels} = this.framework
    const active = this.framework.active ?? !completed
    for (const task of this.frameworkTasks) {
      task.frameworkName = name
      task.frameworkActive = active
      if (task.frameworkId === '') task.frameworkId = id
      this.state.tasks.push(task)
    }
    this.frameworkTasks = []
    const framework: MesosFramework = {id, name, active, completed}
    if (labels !== undefined) framework.labels = labels
    if (webuiUrl !== undefined) framework.webuiUrl = webuiUrl
    this.state.frameworks.push(framework)
  }
}
