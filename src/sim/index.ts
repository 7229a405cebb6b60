import type {IncomingMessage, ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {AuthService} from './auth.js'
import {ClusterModel, type Json, type SimTask} from './cluster-model.js'
import {stderrLine, stdoutLine} from './content.js'
import {FaultBook, validateFault, type Fault} from './faults.js'
import {newReadStats, type DcosLogReadStats} from './file-reader.js'
import type {JournalEntryInput, RawJournalEntry} from './journal.js'
import {MASTER_UNITS, agentUnits, journalTaskLines, makeNode} from './nodes.js'
import {Rng} from './random.js'
import {Sandboxes} from './sandbox.js'
import {createFront, readBody, type RecordedRequest} from './server.js'
import {dcosVersion} from './versions.js'
import type {LogNode, World} from './world.js'

export type {Fault, FaultMatch} from './faults.js'
export type {SimTask} from './cluster-model.js'
export type {RawJournalEntry} from './journal.js'
export type {DcosLogReadStats} from './file-reader.js'
export type {RecordedRequest} from './server.js'
export {KNOWN_VERSIONS} from './versions.js'
export {DEFAULT_USER} from './auth.js'

export interface SimOptions {
  /** Default 0 (a free port); the host is always 127.0.0.1. */
  port?: number
  /** '2.2' (default), '2.1', '2.0', '1.13', '1.12', '1.11' serve logging v2; '1.10', '1.9' v1 + files; '1.8' files only. */
  dcosVersion?: string
  /** Default 1; every generated id and line follows from it. */
  seed?: number
  /** A recorded master state (`/master/state` JSON) to serve instead of a generated cluster. */
  statePath?: string
  /** Require `Authorization: token=<t>` on every route but dcos-version.json and the login endpoints. */
  auth?: boolean
  /** dcos-log's own token check on task routes (401 without a `token=` header). Default: same as auth. */
  requireTaskToken?: boolean
  /** Running tasks append one generated line per interval; 0 (default) = never. */
  lineIntervalMs?: number
  /** stdout/stderr rotate to .1 … .9 past this size. Default 1 MiB. */
  rotateBytes?: number
  /** Extra running tasks (tiny sandboxes) for big-state benchmarks. */
  streamTaskCount?: number
  /** Journal keep-alive `: ping` interval while idle (real: 15 s); the first comes after pingFirstMs (real: ~1 s). */
  pingIntervalMs?: number
  pingFirstMs?: number
  /** How often an idle task-file stream re-reads (real: ~1 s); appends wake it at once. Default 250. */
  filePollMs?: number
  /** The Operator API event stream (SUBSCRIBE) sends a HEARTBEAT this often. Default 15000, as Mesos. */
  heartbeatIntervalMs?: number
  /**
   * 'real' (default): dcos-log reads task files as the real server does, defects included (lines over
   * 32 KiB cut, text cut at byte 512, empty lines dropped, reads stuck before a line of 64 KiB or more);
   * 'none': as it was meant to.
   */
  dcosLogDefects?: 'real' | 'none'
}

export interface Sim {
  url: string
  close(): Promise<void>
  tasks(): SimTask[]
  appendLines(taskId: string, lines: string[], file?: string): void
  appendBytes(taskId: string, bytes: Buffer, file?: string): void
  writeFile(taskId: string, file: string, content: string | Buffer): void
  finishTask(taskId: string, state?: string): void
  /**
   * Starts a new instance of app `name` (id `<name>.<uuid>`, a command task in the framework of that app's
   * newest task, else Marathon's; on that task's agent unless `agentId` says): TASK_STAGING, then
   * TASK_STARTING and TASK_RUNNING a few ms apart, each reported on the event stream. `lines` are written
   * to its stdout once it runs. Resolves with the task running (as it is, should the sim close first).
   */
  startTask(options: {name: string; agentId?: string; lines?: string[]}): Promise<SimTask>
  /** Ends a task (`state`, default TASK_FAILED) and starts a new instance of its app on its agent. */
  restartTask(taskId: string, options?: {state?: string}): Promise<SimTask>
  addJournal(node: 'leader' | string, entries: JournalEntryInput[]): void
  /** Replaces a node's journal with entries exactly as captured (cursors and timestamps kept). */
  loadJournal(node: 'leader' | string, entries: RawJournalEntry[]): void
  inject(fault: Fault): void
  clearFaults(): void
  issueToken(uid: string, options?: {permissions?: string[]; expiresInSec?: number}): string
  addUser(uid: string, password: string, permissions?: string[]): void
  addServiceAccount(uid: string, publicKeyPem: string, permissions?: string[]): void
  /** A new running task whose stdout holds `lines` generated lines (for benchmarks). */
  addSyntheticTask(options: {lines: number; name?: string}): SimTask
  /** The Mesos reads the agents' dcos-log made: a spinning read shows in stuckReads and readsAfterClientLeft. */
  dcosLogStats(): DcosLogReadStats
  readonly requests: RecordedRequest[]
}

/** The time a started task spends in TASK_STAGING and in TASK_STARTING. */
const TASK_STEP_MS = 10

/** Lines of a synthetic stdout: fixed shape, about 90 bytes each, numbered from 1. */
function syntheticStdout(lines: number): Buffer {
  const parts: Buffer[] = []
  const batch = 10_000
  for (let from = 1; from <= lines; from += batch) {
    let text = ''
    for (let n = from; n < Math.min(from + batch, lines + 1); n++) {
      text += `2024-01-15T10:00:00.000Z INFO [bench] line ${String(n).padStart(7, '0')} the quick brown fox jumps over the lazy dog\n`
    }
    parts.push(Buffer.from(text))
  }
  return Buffer.concat(parts)
}

export async function startSim(options: SimOptions = {}): Promise<Sim> {
  const seed = options.seed ?? 1
  if (options.heartbeatIntervalMs !== undefined && !(options.heartbeatIntervalMs > 0)) throw new Error('sim: heartbeatIntervalMs must be positive')
  let closing = false
  /** Pending pauses (spinning text reads, tasks starting), ended on close(). */
  const pauses = new Map<NodeJS.Timeout, (stopped: boolean) => void>()
  /** Waits `ms`; true once the cluster closes (what waits then stops). */
  const pause = (ms: number): Promise<boolean> =>
    closing
      ? Promise.resolve(true)
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            pauses.delete(timer)
            resolve(closing)
          }, ms)
          pauses.set(timer, resolve)
        })
  const version = dcosVersion(options.dcosVersion ?? '2.2')
  const sandboxes = new Sandboxes(options.rotateBytes ?? 1024 * 1024)
  const cluster = new ClusterModel({seed, version, statePath: options.statePath, streamTaskCount: options.streamTaskCount}, sandboxes)
  const auth = new AuthService()
  const leaderNode = makeNode(seed, 'master', cluster.leader.id, cluster.leader.ip, MASTER_UNITS)
  /** Agents' dcos-log nodes, each made on first use (a recorded state can have thousands of agents). */
  const agentNodes = new Map<string, LogNode>()
  const nodeOf = (agentId: string): LogNode | undefined => {
    let node = agentNodes.get(agentId)
    const agent = node === undefined ? cluster.agent(agentId) : undefined
    if (agent !== undefined) {
      node = makeNode(seed, 'agent', agent.id, cluster.agentIp(agent), agentUnits(agent))
      agentNodes.set(agentId, node)
    }
    return node
  }
  const journaldLogger = version.journaldLogger
  if (journaldLogger) {
    cluster.onSandboxOutput = (task, file, text) => {
      const node = nodeOf(task.agentId)
      if (node) journalTaskLines(node, task, file, text.split('\n').filter((l) => l !== ''))
    }
  }
  /** An agent's node as routes and the API see it: under the journald logger its journal holds its sandboxes' output. */
  const agentNode = (agentId: string): LogNode | undefined => {
    const node = nodeOf(agentId)
    if (node && journaldLogger) cluster.provideAgentSandboxes(agentId)
    return node
  }
  const world: World = {
    version,
    cluster,
    sandboxes,
    auth,
    authEnabled: options.auth ?? false,
    requireTaskToken: options.requireTaskToken ?? options.auth ?? false,
    leaderNode,
    agentNode,
    pingFirstMs: options.pingFirstMs ?? 1000,
    pingIntervalMs: options.pingIntervalMs ?? 15_000,
    filePollMs: options.filePollMs ?? 250,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15_000,
    streams: new Set(),
    dcosLog: {ideal: options.dcosLogDefects === 'none', stats: newReadStats(), spin: pause},
  }
  const faults = new FaultBook()
  const requests: RecordedRequest[] = []

  const record = (taskId: string) => {
    const found = cluster.find(taskId)
    if (found === undefined) throw new Error(`sim: no task ${taskId}`)
    return {...found.task}
  }
  const nodeFor = (node: string): LogNode => {
    const found = node === 'leader' ? leaderNode : agentNode(node)
    if (found === undefined) throw new Error(`sim: no node ${node} (use 'leader' or an agent id)`)
    return found
  }
  const appendBytes = (taskId: string, bytes: Buffer, file = 'stdout') => {
    const task = record(taskId)
    sandboxes.append(`${task.sandboxDir}/${file}`, bytes)
    const node = journaldLogger ? nodeOf(task.agentId) : undefined
    if (node) journalTaskLines(node, task, file, bytes.toString().split('\n').filter((l) => l !== ''))
  }
  const appendLines = (taskId: string, lines: string[], file = 'stdout') => {
    if (lines.length > 0) appendBytes(taskId, Buffer.from(`${lines.join('\n')}\n`), file)
  }
  const startTask: Sim['startTask'] = async ({name, agentId, lines = []}) => {
    if (typeof name !== 'string' || name === '') throw new Error('sim: a task to start needs a name')
    if (!Array.isArray(lines)) throw new Error('sim: lines must be an array of strings')
    const {id} = cluster.launch(name, {agentId})
    for (const state of ['TASK_STARTING', 'TASK_RUNNING']) {
      if (await pause(TASK_STEP_MS)) return record(id)
      cluster.update(id, state)
    }
    appendLines(id, lines)
    return record(id)
  }

  const sim: Sim = {
    url: '',
    requests,
    tasks: () => cluster.tasks(),
    appendLines,
    appendBytes,
    writeFile: (taskId, file, content) => {
      sandboxes.write(`${record(taskId).sandboxDir}/${file}`, typeof content === 'string' ? Buffer.from(content) : content)
    },
    finishTask: (taskId, state) => cluster.finish(taskId, state),
    startTask,
    restartTask: (taskId, restartOptions) => {
      const {name, agentId} = record(taskId)
      cluster.finish(taskId, restartOptions?.state ?? 'TASK_FAILED')
      return startTask({name, agentId})
    },
    addJournal: (node, entries) => {
      const journal = nodeFor(node).journal
      for (const entry of entries) journal.add(entry)
    },
    loadJournal: (node, entries) => {
      const journal = nodeFor(node).journal
      journal.clear()
      for (const entry of entries) journal.push(entry)
    },
    inject: (fault) => {
      const problem = validateFault(fault)
      if (problem) throw new Error(`sim: ${problem}`)
      faults.add(fault)
    },
    clearFaults: () => faults.clear(),
    issueToken: (uid, tokenOptions) => auth.issueToken(uid, tokenOptions),
    addUser: (uid, password, permissions) => auth.addUser(uid, password, permissions),
    addServiceAccount: (uid, key, permissions) => auth.addServiceAccount(uid, key, permissions),
    addSyntheticTask: ({lines, name}) => {
      const task = cluster.addRunningTask(name ?? 'bench')
      sandboxes.write(`${task.sandboxDir}/stdout`, syntheticStdout(lines))
      sandboxes.write(`${task.sandboxDir}/stderr`, '')
      return task
    },
    dcosLogStats: () => ({...world.dcosLog.stats}),
    close: async () => {},
  }

  const admin = (req: IncomingMessage, res: ServerResponse, path: string) => handleAdmin(sim, faults, req, res, path)
  const server = createFront({world, faults, requests, admin})
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const {port} = server.address() as AddressInfo
  sim.url = `http://127.0.0.1:${port}`

  // Live output: each running task gets a line per interval; journals get an entry now and then.
  let timer: NodeJS.Timeout | undefined
  const interval = options.lineIntervalMs ?? 0
  if (interval > 0) {
    const rng = new Rng(seed + 7)
    let tick = 0
    timer = setInterval(() => {
      tick++
      const now = Date.now()
      for (const task of cluster.liveTasks()) {
        appendLines(task.id, [stdoutLine(rng, task.name || task.id, tick, now)])
        if (tick % 5 === 0) appendLines(task.id, [stderrLine(rng, task.name || task.id, tick, now)], 'stderr')
      }
      if (tick % 3 === 0) {
        const units = MASTER_UNITS
        const unit = rng.pick(units)
        leaderNode.journal.add({unit, message: `${unit.replace(/\.service$/, '')} live entry ${tick}`, fields: {SYSLOG_IDENTIFIER: unit.replace(/^dcos-|\.service$/g, '')}})
        // An agent node not made yet gets its history when first used instead.
        const agent = agentNodes.get(rng.pick(cluster.agents())?.id)
        agent?.journal.add({unit: 'dcos-mesos-slave.service', message: `agent live entry ${tick}`, fields: {SYSLOG_IDENTIFIER: 'mesos-agent'}})
      }
    }, interval)
    timer.unref()
  }

  sim.close = async () => {
    if (timer) clearInterval(timer)
    closing = true
    for (const [timer, stop] of pauses) {
      clearTimeout(timer)
      stop(true)
    }
    pauses.clear()
    for (const stream of world.streams) stream.abort()
    world.streams.clear()
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
  return sim
}

/**
 * The admin endpoint (`/__sim/…`, JSON bodies): the Sim API over HTTP, for tests in other processes.
 * GET tasks|requests|faults|dcos-log-stats; POST append-lines {taskId, lines, file?}, append-bytes {taskId, base64, file?},
 * write-file {taskId, file, content?|base64?}, finish-task {taskId, state?}, journal {node, entries},
 * faults (a Fault), token {uid, permissions?, expiresInSec?}, user {uid, password, permissions?},
 * service-account {uid, publicKey, permissions?}, synthetic-task {lines, name?}, start-task {name, agentId?, lines?}
 * and restart-task {taskId, state?} (both answer the new task once it runs); DELETE faults|requests.
 */
async function handleAdmin(sim: Sim, faults: FaultBook, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const reply = (status: number, value: unknown) => {
    const body = JSON.stringify(value)
    res.writeHead(status, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)})
    res.end(body)
  }
  const name = path.slice('/__sim/'.length)
  try {
    if (req.method === 'GET') {
      if (name === 'tasks') return reply(200, sim.tasks())
      if (name === 'requests') return reply(200, sim.requests)
      if (name === 'faults') return reply(200, faults.list())
      if (name === 'dcos-log-stats') return reply(200, sim.dcosLogStats())
      return reply(404, {error: `unknown admin endpoint GET ${path}`})
    }
    if (req.method === 'DELETE') {
      if (name === 'faults') faults.clear()
      else if (name === 'requests') sim.requests.length = 0
      else return reply(404, {error: `unknown admin endpoint DELETE ${path}`})
      return reply(200, {ok: true})
    }
    const text = await readBody(req)
    const body = (text === '' ? {} : JSON.parse(text)) as Json
    switch (name) {
      case 'append-lines':
        sim.appendLines(body.taskId, body.lines, body.file)
        return reply(200, {ok: true})
      case 'append-bytes':
        sim.appendBytes(body.taskId, Buffer.from(body.base64, 'base64'), body.file)
        return reply(200, {ok: true})
      case 'write-file':
        sim.writeFile(body.taskId, body.file, body.base64 === undefined ? String(body.content ?? '') : Buffer.from(body.base64, 'base64'))
        return reply(200, {ok: true})
      case 'finish-task':
        sim.finishTask(body.taskId, body.state)
        return reply(200, {ok: true})
      case 'journal':
        sim.addJournal(body.node ?? 'leader', body.entries ?? [])
        return reply(200, {ok: true})
      case 'faults': {
        const problem = validateFault(body)
        if (problem) return reply(400, {error: problem})
        sim.inject(body)
        return reply(200, {ok: true})
      }
      case 'token':
        return reply(200, {token: sim.issueToken(body.uid, {permissions: body.permissions, expiresInSec: body.expiresInSec})})
      case 'user':
        sim.addUser(body.uid, body.password, body.permissions)
        return reply(200, {ok: true})
      case 'service-account':
        sim.addServiceAccount(body.uid, body.publicKey, body.permissions)
        return reply(200, {ok: true})
      case 'synthetic-task':
        return reply(200, sim.addSyntheticTask({lines: Number(body.lines ?? 1000), name: body.name}))
      case 'start-task':
        return reply(200, await sim.startTask({name: body.name, agentId: body.agentId, lines: body.lines}))
      case 'restart-task':
        return reply(200, await sim.restartTask(body.taskId, {state: body.state}))
      default:
        return reply(404, {error: `unknown admin endpoint POST ${path}`})
    }
  } catch (error) {
    return reply(400, {error: (error as Error).message})
  }
}
