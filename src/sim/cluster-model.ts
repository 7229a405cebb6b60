import {readFileSync} from 'node:fs'
import {executorPreamble, stderrLine, stdoutLine} from './content.js'
import {Rng, hash64} from './random.js'
import {Sandboxes} from './sandbox.js'
import type {DcosVersion} from './versions.js'

/**
 * The simulated cluster's Mesos view: a master state object shaped exactly like `/master/state`
 * (generated, or loaded from a recorded file), the tasks derived from it, and their sandboxes.
 * Mutations (a task starting, changing state, finishing) edit the state object in place, so every
 * endpoint stays consistent, and are told to event listeners the way the master's event stream reports them.
 * A task's sandbox is made on first use (any access at or under its path), so a recorded state of
 * 100,000 tasks loads in seconds.
 */

export const WORK_DIR = '/var/lib/mesos/slave'
/** A path at or under an executor run directory: [run directory, its container id]. */
const RUN_DIR_PATH = new RegExp(`^(${WORK_DIR}/slaves/[^/]+/frameworks/[^/]+/executors/[^/]+/runs/([^/]+))(?:/|$)`)
/** History is stamped in the hour before this instant, so generated content is the same on every run. */
export const HISTORY_END_MS = Date.UTC(2024, 0, 15, 10, 0, 0)

export interface SimTask {
  id: string
  name: string
  frameworkId: string
  frameworkName: string
  agentId: string
  state: string
  /** The executor id on disk: the task's executor_id, or its own id for a command task. */
  executorId: string
  /** The task's own container (the nested one for pod tasks). */
  containerId: string
  /** For pod tasks: the executor's container, whose run directory holds the task's sandbox. */
  parentContainerId?: string
  isPod: boolean
  sandboxDir: string
}

/* eslint-disable @typescript-eslint/no-explicit-any -- master state is free-form JSON, as Mesos writes it */
export type Json = any

interface TaskRecord {
  task: SimTask
  raw: Json
  framework: Json
  /** The executor's run directory (the sandbox of a command task). */
  runDir: string
  synthetic: boolean
  /** Tasks of the loaded or generated state start with an hour of output; tasks started later with none. */
  history: boolean
  sandboxMade: boolean
}

/** A change as the master's event stream reports it; `task` is the master-state task object. */
export type MasterEvent = {type: 'TASK_ADDED'; task: Json} | {type: 'TASK_UPDATED'; task: Json; status: Json}

export interface ClusterOptions {
  seed: number
  version: DcosVersion
  statePath?: string
  streamTaskCount?: number
}

export interface MasterNode {
  id: string
  ip: string
  hostname: string
}

export class ClusterModel {
  readonly state: Json
  readonly masters: MasterNode[]
  readonly records = new Map<string, TaskRecord>()
  /** Task ids can repeat across frameworks; this keeps every record in state order. */
  readonly ordered: TaskRecord[] = []
  private stateText?: string
  readonly rng: Rng
  readonly clusterId: string
  /** Told the output a sandbox is made with (the journald container logger copies it to the agent's journal). */
  onSandboxOutput?: (task: SimTask, file: string, text: string) => void
  private readonly listeners = new Set<(event: MasterEvent) => void>()
  /** Records by their run directory's container id, to find the sandbox a path is in. */
  private readonly byContainer = new Map<string, TaskRecord[]>()
  private sandboxesPending = 0
  private readonly agentsMade = new Set<string>()

  constructor(readonly options: ClusterOptions, readonly sandboxes: Sandboxes) {
    this.rng = new Rng(options.seed)
    this.clusterId = this.rng.uuid()
    this.masters = [0, 1, 2].map((n) => ({id: this.rng.uuid(), ip: `10.0.0.${n + 1}`, hostname: `10.0.0.${n + 1}`}))
    this.state = options.statePath === undefined ? this.generate() : JSON.parse(readFileSync(options.statePath, 'utf8'))
    this.index()
    sandboxes.provider = (path) => this.provideSandboxes(path)
  }

  get leader(): MasterNode {
    return this.masters[0]
  }

  tasks(): SimTask[] {
    return this.ordered.map((r) => ({...r.task}))
  }

  agents(): Json[] {
    return this.state.slaves ?? []
  }

  agent(id: string): Json | undefined {
    return this.agents().find((a: Json) => a.id === id)
  }

  agentIp(agent: Json): string {
    return String(agent.pid ?? '').split('@')[1]?.split(':')[0] ?? agent.hostname
  }

  /** The running (non-synthetic) tasks whose sandbox exists, for live output (one not yet looked at needs none). */
  liveTasks(): SimTask[] {
    return this.ordered.filter((r) => r.sandboxMade && !r.synthetic && r.task.state === 'TASK_RUNNING').map((r) => r.task)
  }

  find(taskId: string): TaskRecord | undefined {
    return this.records.get(taskId)
  }

  stateJson(): string {
    this.stateText ??= JSON.stringify(this.state)
    return this.stateText
  }

  /** Hears every task added or changed from now on; returns the way to stop. */
  onEvent(listener: (event: MasterEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: MasterEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  private recordOf(taskId: string): TaskRecord {
    const record = this.records.get(taskId)
    if (record === undefined) throw new Error(`no task ${taskId}`)
    return record
  }

  /** Moves a task to its framework's completed_tasks with a terminal status. */
  finish(taskId: string, state = 'TASK_FINISHED'): void {
    const record = this.recordOf(taskId)
    const fw = record.framework
    const from: Json[] = fw.tasks ?? []
    const at = from.indexOf(record.raw)
    if (at >= 0) from.splice(at, 1)
    if (!(fw.completed_tasks ??= []).includes(record.raw)) fw.completed_tasks.push(record.raw)
    this.addStatus(record, state)
  }

  /** A task's next status (TASK_STARTING, TASK_RUNNING, …) while it stays in its framework's tasks. */
  update(taskId: string, state: string): void {
    this.addStatus(this.recordOf(taskId), state)
  }

  /** Appends a status like the last one (a first one gets the task's container id) and reports TASK_UPDATED. */
  private addStatus(record: TaskRecord, state: string): void {
    const {raw, task} = record
    const status: Json = {...(raw.statuses?.at(-1) ?? {}), state, timestamp: Date.now() / 1000}
    if (status.container_status === undefined && this.options.version.containerIds) {
      const parent = task.parentContainerId === undefined ? {} : {parent: {value: task.parentContainerId}}
      status.container_status = {container_id: {value: task.containerId, ...parent}}
    }
    raw.state = state
    ;(raw.statuses ??= []).push(status)
    task.state = state
    this.stateText = undefined
    this.emit({type: 'TASK_UPDATED', task: raw, status})
  }

  /**
   * A new instance of app `name` in TASK_STAGING, as the master first knows it (no statuses, reported as
   * TASK_ADDED), with its sandbox made: a command task in the framework of the newest active task of that
   * name (else Marathon's) on that task's agent (else the first), unless told which.
   */
  launch(name: string, options: {agentId?: string; frameworkId?: string} = {}): SimTask {
    const active: Json[] = this.state.frameworks ?? []
    const previous = this.ordered.findLast((r) => r.task.name === name && active.includes(r.framework))
    const fw = active.find((f) => f.id === options.frameworkId) ?? previous?.framework ?? active.find((f) => f.name === 'marathon') ?? active[0]
    if (fw === undefined) throw new Error('no active framework to start a task in')
    const agentId = options.agentId ?? previous?.task.agentId ?? this.agents()[0]?.id
    if (this.agent(agentId) === undefined) throw new Error(`no agent ${agentId}`)
    const raw = {
      id: `${name}.${this.rng.uuid()}`,
      name,
      framework_id: fw.id,
      executor_id: '',
      slave_id: agentId,
      state: 'TASK_STAGING',
      resources: {cpus: 0.1, mem: 32, disk: 0, gpus: 0},
      ...(fw.role === undefined ? {} : {role: fw.role}),
      statuses: [],
    }
    ;(fw.tasks ??= []).push(raw)
    const record = this.indexTask(fw, raw, false)
    this.makeSandbox(record)
    this.emit({type: 'TASK_ADDED', task: raw})
    return {...record.task}
  }

  /** The agent's `/state` with executors and their sandbox directories. */
  agentState(agentId: string): Json {
    const agent = this.agent(agentId)
    const frameworks = new Map<string, {fw: Json; executors: Map<string, Json>}>()
    for (const record of this.ordered) {
      if (record.task.agentId !== agentId) continue
      const entry = frameworks.get(record.task.frameworkId) ?? {fw: record.framework, executors: new Map<string, Json>()}
      frameworks.set(record.task.frameworkId, entry)
      const key = `${record.task.executorId}/${record.runDir}`
      let executor = entry.executors.get(key)
      if (executor === undefined) {
        const cid = record.runDir.slice(record.runDir.lastIndexOf('/') + 1)
        executor = {
          id: record.task.executorId,
          name: record.task.isPod ? `Executor for pod ${record.task.executorId}` : `Command Executor (Task: ${record.task.id})`,
          source: record.task.executorId,
          container: cid,
          directory: record.runDir,
          resources: {cpus: 0.1, mem: 32, disk: 10},
          ...(record.task.isPod ? {type: 'DEFAULT'} : {}),
          tasks: [],
          queued_tasks: [],
          completed_tasks: [],
        }
        entry.executors.set(key, executor)
      }
      const terminal = !['TASK_RUNNING', 'TASK_STAGING', 'TASK_STARTING', 'TASK_KILLING'].includes(record.task.state)
      ;(terminal ? executor.completed_tasks : executor.tasks).push(record.raw)
    }
    const render = ({fw, executors}: {fw: Json; executors: Map<string, Json>}) => {
      const all = [...executors.values()]
      return {
        id: fw.id,
        name: fw.name,
        role: fw.role ?? '*',
        executors: all.filter((e) => e.tasks.length > 0),
        completed_executors: all.filter((e) => e.tasks.length === 0),
      }
    }
    const all = [...frameworks.values()]
    return {
      id: agentId,
      pid: agent?.pid ?? `slave(1)@${agent?.hostname ?? '127.0.0.1'}:5051`,
      hostname: agent?.hostname,
      version: this.state.version,
      attributes: agent?.attributes ?? {},
      resources: agent?.resources ?? {},
      master_hostname: this.leader.hostname,
      flags: {work_dir: WORK_DIR, container_logger: 'org_apache_mesos_LogrotateContainerLogger', gc_delay: '2days', port: '5051'},
      frameworks: all.filter((f) => f.fw.active !== false).map(render),
      completed_frameworks: all.filter((f) => f.fw.active === false).map(render),
    }
  }

  /** Derives SimTasks (and their sandboxes, with generated history) from the state object. */
  private index(): void {
    const frameworks: Json[] = [...(this.state.frameworks ?? []), ...(this.state.completed_frameworks ?? [])]
    for (const fw of frameworks) {
      for (const raw of [...(fw.tasks ?? []), ...(fw.unreachable_tasks ?? []), ...(fw.completed_tasks ?? [])]) this.indexTask(fw, raw)
    }
  }

  private indexTask(fw: Json, raw: Json, history = true): TaskRecord {
    const chain = containerChain(raw)
    const root = chain.at(-1) ?? syntheticContainerId(raw.id, fw.id)
    const isPod = raw.executor_id !== undefined && raw.executor_id !== '' && chain.length > 1
    const executorId = raw.executor_id || raw.id
    const agentId = raw.slave_id ?? raw.agent_id
    const runDir = `${WORK_DIR}/slaves/${agentId}/frameworks/${fw.id}/executors/${executorId}/runs/${root}`
    const task: SimTask = {
      id: raw.id,
      name: raw.name,
      frameworkId: fw.id,
      frameworkName: fw.name,
      agentId,
      state: raw.state,
      executorId,
      containerId: chain[0] ?? root,
      ...(isPod ? {parentContainerId: root} : {}),
      isPod,
      sandboxDir: isPod ? `${runDir}/tasks/${raw.id}` : runDir,
    }
    const synthetic = raw.labels?.some?.((l: Json) => l.key === 'SIM_SYNTHETIC') === true
    const record: TaskRecord = {task, raw, framework: fw, runDir, synthetic, history, sandboxMade: false}
    if (!this.records.has(task.id)) this.records.set(task.id, record)
    this.ordered.push(record)
    const sameRun = this.byContainer.get(root)
    if (sameRun === undefined) this.byContainer.set(root, [record])
    else sameRun.push(record)
    this.sandboxesPending++
    this.stateText = undefined
    return record
  }

  /** A running task started at once, reported as TASK_ADDED and its updates. */
  addRunningTask(name: string): SimTask {
    const task = this.launch(name)
    this.update(task.id, 'TASK_STARTING')
    this.update(task.id, 'TASK_RUNNING')
    return {...this.recordOf(task.id).task}
  }

  /** Makes the pending sandboxes a path is in or under (Sandboxes' provider). */
  private provideSandboxes(path: string): void {
    if (this.sandboxesPending === 0) return
    const run = RUN_DIR_PATH.exec(path)
    if (run) {
      for (const record of this.byContainer.get(run[2]) ?? []) if (record.runDir === run[1]) this.makeSandbox(record)
      return
    }
    // Above run directories (a browse of `…/runs`, or of `/var`): rare, so a scan.
    const prefix = path === '/' ? '/' : `${path}/`
    if (!WORK_DIR.startsWith(prefix) && !prefix.startsWith(`${WORK_DIR}/`)) return
    for (const record of this.ordered) if (record.runDir.startsWith(prefix)) this.makeSandbox(record)
  }

  /** Makes every sandbox on an agent (under the journald logger their output is in the agent's journal). */
  provideAgentSandboxes(agentId: string): void {
    if (this.sandboxesPending === 0 || this.agentsMade.has(agentId)) return
    this.agentsMade.add(agentId)
    for (const record of this.ordered) if (record.task.agentId === agentId) this.makeSandbox(record)
  }

  private makeSandbox(record: TaskRecord): void {
    if (record.sandboxMade) return
    record.sandboxMade = true
    this.sandboxesPending--
    const {task} = record
    const rng = new Rng(Number.parseInt(hash64(`${this.options.seed}:${task.frameworkId}:${task.id}`).slice(0, 8), 16))
    const app = task.name || task.id
    const lines = !record.history ? 0 : record.synthetic ? 3 : rng.int(200, 400)
    const start = HISTORY_END_MS - 3_600_000
    const step = 3_600_000 / lines
    const out: string[] = []
    for (let n = 1; n <= lines; n++) out.push(stdoutLine(rng, app, n, start + n * step))
    const err = executorPreamble(task.id, record.runDir)
    const errLines = !record.history || record.synthetic ? 0 : rng.int(20, 60)
    for (let n = 1; n <= errLines; n++) err.push(stderrLine(rng, app, n, start + n * step * 5))
    const mtime = record.history ? Math.floor(HISTORY_END_MS / 1000) : undefined
    for (const [file, fileLines] of [['stdout', out], ['stderr', err]] as const) {
      const text = fileLines.map((line) => `${line}\n`).join('')
      this.sandboxes.write(`${task.sandboxDir}/${file}`, text, mtime)
      this.onSandboxOutput?.(task, file, text)
    }
    if (task.isPod) {
      this.sandboxes.write(`${record.runDir}/stdout`, `Received SUBSCRIBED event\nLaunching child container for ${task.id}\n`, mtime)
      this.sandboxes.write(`${record.runDir}/stderr`, `I0115 09:00:00.000000  1 executor.cpp:190] Version: ${this.state.version ?? '1.11.0'}\n`, mtime)
      this.sandboxes.mkdir(`${record.runDir}/containers/${task.containerId}`)
    }
  }

  private generate(): Json {
    const rng = this.rng
    const v = this.options.version
    const fwPrefix = rng.uuid()
    const agentPrefix = rng.uuid()
    const startTime = HISTORY_END_MS / 1000 - 86_400
    const agents = [0, 1, 2, 3, 4].map((n) => {
      const isPublic = n === 4
      const ip = isPublic ? '10.0.5.10' : `10.0.1.${10 + n}`
      return {
        id: `${agentPrefix}-S${n}`,
        hostname: ip,
        port: 5051,
        pid: `slave(1)@${ip}:5051`,
        registered_time: startTime + n,
        resources: {cpus: 4, mem: 14_861, disk: 35_577, ports: '[1025-2180, 2182-3887, 3889-5049, 5052-8079, 8082-8180, 8182-32000]'},
        used_resources: {cpus: 1.2, mem: 1024, disk: 0},
        attributes: isPublic ? {public_ip: 'true'} : {},
        active: true,
        version: v.mesos,
        ...(isPublic ? {reserved_resources: {slave_public: {cpus: 4}}} : {}),
      }
    })
    const agentId = (n: number) => agents[n].id
    let clock = startTime + 3600
    const status = (state: string, chain?: string[]) => {
      clock += 7.25
      const s: Json = {state, timestamp: clock}
      if (chain && v.containerIds) {
        let id: Json = {value: chain.at(-1)}
        for (let i = chain.length - 2; i >= 0; i--) id = {value: chain[i], parent: id}
        s.container_status = {container_id: id, network_infos: [{ip_addresses: [{protocol: 'IPv4', ip_address: '9.0.1.2'}]}]}
      }
      return s
    }
    const makeTask = (fw: Json, o: {id: string; name: string; agent: number; state: string; executor?: string; chain: string[]; labels?: Json[]}) => {
      const terminal = o.state !== 'TASK_RUNNING'
      const states = terminal ? ['TASK_STARTING', 'TASK_RUNNING', o.state] : ['TASK_STARTING', 'TASK_RUNNING']
      return {
        id: o.id,
        name: o.name,
        framework_id: fw.id,
        executor_id: o.executor ?? '',
        slave_id: agentId(o.agent),
        state: o.state,
        resources: {cpus: 0.1, mem: 128, disk: 0, gpus: 0},
        role: fw.role,
        statuses: states.map((s) => status(s, o.chain)),
        ...(o.labels ? {labels: o.labels} : {}),
        discovery: {visibility: 'FRAMEWORK', name: o.name},
      }
    }
    const framework = (n: number, name: string, extra: Json = {}) => ({
      id: `${fwPrefix}-${String(n).padStart(4, '0')}`,
      name,
      pid: `scheduler-${rng.uuid()}@10.0.0.1:15101`,
      hostname: '10.0.0.1',
      user: 'root',
      role: '*',
      active: true,
      connected: true,
      recovered: false,
      checkpoint: true,
      failover_timeout: 604_800,
      registered_time: startTime,
      capabilities: ['PARTITION_AWARE', 'TASK_KILLING_STATE'],
      tasks: [] as Json[],
      unreachable_tasks: [] as Json[],
      completed_tasks: [] as Json[],
      offers: [],
      executors: [] as Json[],
      ...extra,
    })
    const marathon = framework(1, 'marathon', {role: 'slave_public', webui_url: 'http://10.0.0.1:8080'})
    const metronome = framework(2, 'metronome', {webui_url: 'http://10.0.0.1:9000'})
    const sdk = framework(3, 'hello-world', {role: 'hello-world-role', principal: 'hello-world-principal'})
    const probeA = framework(4, 'mesos-execute instance', {active: false, connected: false, unregistered_time: startTime + 7200})
    const probeB = framework(5, 'mesos-execute instance', {active: false, connected: false, unregistered_time: startTime + 7300})
    const cmd = (fw: Json, name: string, agent: number, state: string, labels?: Json[]) => {
      const id = `${name}.${rng.uuid()}`
      const t = makeTask(fw, {id, name, agent, state, chain: [rng.uuid()], labels})
      ;(state === 'TASK_RUNNING' ? fw.tasks : fw.completed_tasks).push(t)
    }
    cmd(marathon, 'web', 0, 'TASK_RUNNING')
    cmd(marathon, 'web', 1, 'TASK_RUNNING')
    cmd(marathon, 'api', 2, 'TASK_RUNNING')
    cmd(marathon, 'api', 2, 'TASK_FAILED')
    cmd(marathon, 'hello-world', 3, 'TASK_RUNNING', [{key: 'DCOS_PACKAGE_FRAMEWORK_NAME', value: 'hello-world'}, {key: 'DCOS_PACKAGE_NAME', value: 'hello-world'}])
    if (v.containerIds) {
      const instance = rng.uuid()
      const executor = `instance-pod-web.${instance}`
      const executorCid = rng.uuid()
      for (const container of ['nginx', 'sidecar']) {
        marathon.tasks.push(makeTask(marathon, {id: `pod-web.instance-${instance}.${container}`, name: container, agent: 4, state: 'TASK_RUNNING', executor, chain: [rng.uuid(), executorCid]}))
      }
      marathon.executors.push({executor_id: executor, name: 'pod-web', framework_id: marathon.id, slave_id: agentId(4), type: 'DEFAULT', command: {shell: false}, resources: {cpus: 0.1, mem: 32}})
      for (const [pod, agent] of [['hello-0', 1], ['world-0', 2]] as const) {
        const podExecutor = `${pod.split('-')[0]}__${rng.uuid()}`
        const podCid = rng.uuid()
        sdk.tasks.push(makeTask(sdk, {id: `${pod}-server__${rng.uuid()}`, name: `${pod}-server`, agent, state: 'TASK_RUNNING', executor: podExecutor, chain: [rng.uuid(), podCid]}))
        sdk.executors.push({executor_id: podExecutor, name: pod, framework_id: sdk.id, slave_id: agentId(agent), type: 'DEFAULT', command: {shell: false}, resources: {cpus: 0.1, mem: 32}})
      }
    }
    for (const [n, agent] of [[0, 1], [1, 2]]) {
      const run = `2024011509${String(n * 15).padStart(2, '0')}00${rng.hex(5)}`
      const id = `backup_${run}.${rng.uuid()}`
      metronome.completed_tasks.push(makeTask(metronome, {id, name: 'backup', agent, state: 'TASK_FINISHED', chain: [rng.uuid()]}))
    }
    probeA.completed_tasks.push(makeTask(probeA, {id: 'probe', name: 'probe', agent: 0, state: 'TASK_FINISHED', chain: [rng.uuid()]}))
    probeB.completed_tasks.push(makeTask(probeB, {id: 'probe', name: 'probe', agent: 3, state: 'TASK_FAILED', chain: [rng.uuid()]}))
    const synthetic = this.options.streamTaskCount ?? 0
    for (let n = 0; n < synthetic; n++) {
      marathon.tasks.push(makeTask(marathon, {id: `load-${n}.${rng.uuid()}`, name: `load-${n}`, agent: n % 4, state: 'TASK_RUNNING', chain: [rng.uuid()], labels: [{key: 'SIM_SYNTHETIC', value: 'true'}]}))
    }
    const leader = this.masters[0]
    const pid = `master@${leader.ip}:5050`
    return {
      version: v.mesos,
      git_sha: rng.hex(40),
      build_date: '2021-07-01 12:00:00',
      build_time: 1_625_140_800,
      build_user: 'dcos',
      start_time: startTime,
      elected_time: startTime + 2,
      id: leader.id,
      pid,
      hostname: leader.hostname,
      activated_slaves: agents.length,
      deactivated_slaves: 0,
      unreachable_slaves: 0,
      cluster: 'sim',
      leader: pid,
      ...(v.leaderInfo ? {leader_info: {id: leader.id, pid, port: 5050, hostname: leader.hostname, address: {hostname: leader.hostname, ip: leader.ip, port: 5050}}} : {}),
      log_dir: '/var/log/mesos',
      flags: {work_dir: '/var/lib/dcos/mesos/master', max_completed_frameworks: '50', max_completed_tasks_per_framework: '1000', port: '5050', cluster: 'sim'},
      slaves: agents,
      ...(v.containerIds ? {recovered_slaves: []} : {}),
      frameworks: [marathon, metronome, ...(v.containerIds ? [sdk] : [])],
      completed_frameworks: [probeA, probeB],
      orphan_tasks: [],
      unregistered_frameworks: [],
    }
  }
}

/** Container ids of a task's first status that has one: [own, parent, …, root]. */
export function containerChain(task: Json): string[] {
  for (const status of task.statuses ?? []) {
    const chain: string[] = []
    for (let id = status.container_status?.container_id; id?.value; id = id.parent) chain.push(id.value)
    if (chain.length > 0) return chain
  }
  return []
}

/** dcos-log's choice: every status's chain flattened, the last element (the top of the last status). */
export function dcosLogContainerId(task: Json): string | undefined {
  let last: string | undefined
  for (const status of task.statuses ?? []) {
    const id = status.container_status?.container_id
    if (!id?.value) return undefined
    for (let c = id; c?.value; c = c.parent) last = c.value
  }
  return last
}

function syntheticContainerId(taskId: string, frameworkId: string): string {
  const h = hash64(`${frameworkId}/${taskId}`) + hash64(`${taskId}/${frameworkId}`)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}
