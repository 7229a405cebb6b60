/**
 * Case 9, live task discovery (issue #16): how soon a task that starts while `task log PATTERN --follow`
 * runs is followed, and what watching a 100,000-task cluster costs.
 *
 * Attach: `task log web --follow` on the generated cluster. Each round first writes a line to a task
 * already followed (the baseline: the way a line takes when nothing has to be found), then starts a new
 * `web` task through the sim's admin API (/__sim/start-task, its one line written once it runs) and times
 * that request to the line on the CLI's stdout. Once over the Mesos event stream (SUBSCRIBE), once with
 * SUBSCRIBE refused as Mesos 1.0 refuses it, so that the CLI reads master state every 5 s; there a pause
 * before each start spreads the starts evenly over the polling interval. A warm-up round first, which also
 * proves the watch is up.
 *
 * Big cluster: the sim loads a 100,000-task state (test/helpers/big-state.ts; one running task is named
 * `needle`). `task log needle --follow`: its startup (master state, then the SUBSCRIBED snapshot of all
 * 100,000 tasks, scanned) ends when a needle started after the CLI's first line has printed its own line;
 * then 30 s of watching (a HEARTBEAT every 15 s, as Mesos sends them) with the peak RSS reset at its
 * start; then attach rounds there. The same with SUBSCRIBE refused shows what polling 100,000 tasks costs.
 * Baseline: the one-shot `task log needle` on the same cluster (its master state read alone).
 *
 * Targets: over the event stream, a new task's first line within 2 s (the worst round); peak RSS under
 * 150 MB while watching 100,000 tasks.
 */
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {writeBigState} from '../../test/helpers/big-state.js'
import {reps, type BenchContext} from '../lib/context.js'
import {cli, cpuTimeMs, resetPeakRss, runMeasured, statusKb, type RunResult} from '../lib/process.js'
import {mb, median, wallRow, type Row} from '../lib/report.js'
import {expectLines, rounds} from '../lib/rounds.js'
import {startSimProcess} from '../lib/sim.js'

const CASE = '9 live discovery'
const ATTACH_LIMIT_MS = 2000
const RSS_LIMIT_MB = 150
const TASKS = 100_000
/** The CLI's interval between two reads of master state when the master has no event stream. */
const POLL_MS = 5000
/** Over this much the follow stops as failed: a round that never sees its line. */
const RUN_TIMEOUT_MS = 600_000

/** The sim's admin API (src/sim/index.ts handleAdmin), JSON in and out. */
async function simAdmin<T>(simUrl: string, endpoint: string, body: object): Promise<T> {
  const response = await fetch(`${simUrl}/__sim/${endpoint}`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
  if (!response.ok) throw new Error(`sim ${endpoint}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

/** From now on the master answers SUBSCRIBE as Mesos 1.0 does (it has no such call): the CLI polls master state. */
function refuseSubscribe(simUrl: string): Promise<unknown> {
  const body = "Failed to convert JSON into Call protobuf: Failed to find enum for 'SUBSCRIBE'"
  return simAdmin(simUrl, 'faults', {kind: 'status', status: 400, count: 1_000_000, match: 'subscribe', body})
}

/** The CLI's stdout as it arrives, and when it first passed a test. */
class Stdout {
  private text = ''
  private ended = false
  private readonly waiting: Array<{test: (text: string) => boolean; resolve: (atMs: number) => void; fail: () => void}> = []

  readonly take = (chunk: Buffer): void => {
    const atMs = performance.now()
    this.text += chunk.toString()
    for (const wait of [...this.waiting]) {
      if (!wait.test(this.text)) continue
      this.waiting.splice(this.waiting.indexOf(wait), 1)
      wait.resolve(atMs)
    }
  }

  /** When (performance.now()) stdout passed `test`: asked before acting, so that the time is the arrival's. */
  when(test: (text: string) => boolean, what: string): Promise<number> {
    const ended = new Error(`the CLI ended before ${what}`)
    if (test(this.text)) return Promise.resolve(performance.now())
    if (this.ended) return Promise.reject(ended)
    return new Promise((resolve, reject) => this.waiting.push({test, resolve, fail: () => reject(ended)}))
  }

  line(line: string): Promise<number> {
    return this.when((text) => text.includes(`${line}\n`), `the line '${line}'`)
  }

  /** The task of the first line (lines carry their task's prefix, since others may join). */
  async firstTask(): Promise<string> {
    await this.when((text) => /^\[[^\]]+\] .*\n/.test(text), 'a first line')
    return /^\[([^\]]+)\] /.exec(this.text)![1]
  }

  end(): void {
    this.ended = true
    for (const wait of this.waiting.splice(0)) wait.fail()
  }
}

/** A follow run while `script` acts on the cluster; stopped when the script is done. */
async function scripted<T>(args: string[], simUrl: string, script: (stdout: Stdout, pid: Promise<number>) => Promise<T>): Promise<{run: RunResult; value: T}> {
  const stdout = new Stdout()
  let started: (pid: number) => void
  const pid = new Promise<number>((resolve) => (started = resolve))
  const spawnedAt = performance.now()
  const acting = script(stdout, pid)
  const run = await runMeasured({...cli(args, {DCOS_URL: simUrl}), onData: stdout.take, onStart: (found) => started(found), until: acting, timeoutMs: RUN_TIMEOUT_MS})
  stdout.end()
  try {
    return {run, value: await acting}
  } catch (error) {
    const seconds = ((performance.now() - spawnedAt) / 1000).toFixed(1)
    throw new Error(`${args.join(' ')} (${seconds} s, exit ${run.code}): ${(error as Error).message}\nstderr: ${run.stderr.slice(0, 2000)}`)
  }
}

interface Attach {
  /** A line written to a task already followed, to the CLI's stdout (ms). */
  line: number[]
  /** A new matching task's start request, to its first line on the CLI's stdout (ms). */
  attach: number[]
}

/**
 * `count` rounds (after a warm-up) of: a line written to `followed`, then a new task `name` started
 * `spreadMs * (round + 0.5) / count` later, each timed to its line on stdout.
 */
async function attachRounds(stdout: Stdout, simUrl: string, options: {followed: string; name: string; count: number; spreadMs: number}): Promise<Attach> {
  const result: Attach = {line: [], attach: []}
  for (let round = -1; round < options.count; round++) {
    const mark = `${options.name} round ${round} ${Date.now()}`
    const lineSeen = stdout.line(`line ${mark}`)
    const lineSent = performance.now()
    await simAdmin(simUrl, 'append-lines', {taskId: options.followed, lines: [`line ${mark}`]})
    const lineMs = (await lineSeen) - lineSent
    await sleep((options.spreadMs * (Math.max(round, 0) + 0.5)) / options.count)
    const attachSeen = stdout.line(`new ${mark}`)
    const attachSent = performance.now()
    await simAdmin(simUrl, 'start-task', {name: options.name, lines: [`new ${mark}`]})
    const attachMs = (await attachSeen) - attachSent
    if (round < 0) continue
    result.line.push(lineMs)
    result.attach.push(attachMs)
  }
  return result
}

/** `task log web --follow` on the generated cluster, with the event stream or with master state polled. */
async function attachSmall(context: BenchContext, poll: boolean): Promise<Attach> {
  const sim = await startSimProcess()
  try {
    if (poll) await refuseSubscribe(sim.simUrl)
    const {value} = await scripted(['task', 'log', 'web', '--follow'], sim.simUrl, async (stdout) =>
      attachRounds(stdout, sim.simUrl, {followed: await stdout.firstTask(), name: 'web', count: context.quick ? 2 : 9, spreadMs: poll ? POLL_MS : 0}),
    )
    return value
  } finally {
    await sim.close()
  }
}

interface Watching {
  run: RunResult
  /** Spawn to the first line of a needle started after the CLI's first line: master state and the snapshot read. */
  startupMs: number
  startupCpuMs: number
  startupPeakKb: number
  idleCpuPercent: number
  /** The peak RSS while idle (VmHWM reset at its start). */
  idlePeakKb: number
  attach?: Attach
}

/** `task log needle --follow` on the 100,000-task cluster: startup, `idleMs` of watching, then `attach` rounds. */
async function watchBig(simUrl: string, idleMs: number, attach: number): Promise<Watching> {
  const spawnedAt = performance.now()
  const {run, value} = await scripted(['task', 'log', 'needle', '--follow'], simUrl, async (stdout, started) => {
    const followed = await stdout.firstTask()
    const pid = await started
    const joined = stdout.line('new needle at startup')
    await simAdmin(simUrl, 'start-task', {name: 'needle', lines: ['new needle at startup']})
    const startupMs = (await joined) - spawnedAt
    const startupCpuMs = cpuTimeMs(pid)
    const startupPeakKb = statusKb(pid, 'VmHWM')
    resetPeakRss(pid)
    const idleFrom = {atMs: performance.now(), cpuMs: cpuTimeMs(pid)}
    await sleep(idleMs)
    const idleCpuPercent = (100 * (cpuTimeMs(pid) - idleFrom.cpuMs)) / (performance.now() - idleFrom.atMs)
    const idlePeakKb = statusKb(pid, 'VmHWM')
    const attached = attach > 0 ? await attachRounds(stdout, simUrl, {followed, name: 'needle', count: attach, spreadMs: 0}) : undefined
    return {startupMs, startupCpuMs, startupPeakKb, idleCpuPercent, idlePeakKb, attach: attached}
  })
  return {run, ...value}
}

export async function liveDiscovery(context: BenchContext): Promise<Row[]> {
  const stream = await attachSmall(context, false)
  const polled = await attachSmall(context, true)
  const line = median([...stream.line, ...polled.line])
  const attachRow = (what: string, values: number[], extra: Partial<Row>): Row => ({
    case: CASE,
    what,
    unit: 'ms',
    values,
    ratio: `${(median(values) / line).toFixed(0)}x a followed task's line`,
    ...extra,
  })
  const worst = Math.max(...stream.attach)
  const rows: Row[] = [
    {case: CASE, what: "baseline: a line written to a followed task, to the CLI's stdout", unit: 'ms', values: [...stream.line, ...polled.line]},
    attachRow('a new task, its start to its first line: Mesos event stream', stream.attach, {
      target: `worst <= ${ATTACH_LIMIT_MS / 1000} s`,
      met: worst <= ATTACH_LIMIT_MS,
      note: `worst ${worst.toFixed(0)} ms against ${ATTACH_LIMIT_MS} ms: a task joins at TASK_STARTING, before it wrote a line, and until its file has a newline to stream after it is read over the files API once a second (src/logs/task-file/plan.ts)`,
    }),
    attachRow(`the same, master state polled every ${POLL_MS / 1000} s (no SUBSCRIBE)`, polled.attach, {
      note: `starts spread over the polling interval: a task is found by the first read of master state after it starts, so up to ${POLL_MS / 1000} s, plus that read and its stream's first read.`,
    }),
  ]
  return [...rows, ...(await bigCluster(context))]
}

async function bigCluster(context: BenchContext): Promise<Row[]> {
  const statePath = join(context.tmp, 'state-100k-discovery.json')
  const bytes = writeBigState(statePath, {tasks: TASKS})
  const idleMs = context.quick ? 5000 : 30_000
  const sizes = `${TASKS.toLocaleString('en')} tasks, ${(bytes / 1e6).toFixed(0)} MB of master state`
  const sim = await startSimProcess({sim: {statePath}})
  try {
    const oneShot = (await rounds([{name: 'cli', spec: cli(['task', 'log', 'needle'], {DCOS_URL: sim.simUrl}), check: expectLines(10)}], reps(context, {warmup: 1, runs: 3}))).get('cli')!
    const stream = await watchBig(sim.simUrl, idleMs, context.quick ? 2 : 5)
    await refuseSubscribe(sim.simUrl)
    const polled = await watchBig(sim.simUrl, idleMs, 0)
    const oneShotWall = median(oneShot.map((run) => run.wallMs))
    const oneShotCpu = median(oneShot.map((run) => run.cpuMs))
    const idle = `${idleMs / 1000} s idle`
    const underLimit = (kb: number) => mb(kb) < RSS_LIMIT_MB
    // GNU time's peak counts from the reset at the start of the idle phase.
    const wholeRunPeakKb = Math.max(stream.startupPeakKb, stream.run.peakRssKb)
    return [
      {
        ...wallRow(CASE, `baseline: task log needle, one-shot (${sizes})`, oneShot),
        note: `CPU ${oneShotCpu.toFixed(0)} ms`,
      },
      {
        case: CASE,
        what: 'task log needle --follow, spawn to following (master state, then the SUBSCRIBED snapshot of every task, scanned)',
        unit: 'ms',
        values: [stream.startupMs],
        peakRssKb: [stream.startupPeakKb],
        ratio: `${(stream.startupMs / oneShotWall).toFixed(1)}x the one-shot; CPU ${stream.startupCpuMs.toFixed(0)} ms, ${(stream.startupCpuMs / oneShotCpu).toFixed(1)}x`,
        target: `RSS < ${RSS_LIMIT_MB} MB`,
        met: underLimit(stream.startupPeakKb),
      },
      {
        case: CASE,
        what: `... then watching, ${idle} (a HEARTBEAT every 15 s): CPU of one core`,
        unit: '%',
        values: [stream.idleCpuPercent],
        peakRssKb: [stream.idlePeakKb],
        ratio: `whole run's peak RSS ${mb(wholeRunPeakKb).toFixed(0)} MB`,
        target: `RSS < ${RSS_LIMIT_MB} MB, whole run too`,
        met: underLimit(wholeRunPeakKb),
      },
      {
        case: CASE,
        what: 'the same, a new needle, its start to its first line',
        unit: 'ms',
        values: stream.attach!.attach,
        ratio: `${(median(stream.attach!.attach) / median(stream.attach!.line)).toFixed(0)}x a followed task's line (${median(stream.attach!.line).toFixed(0)} ms)`,
        target: `worst <= ${ATTACH_LIMIT_MS / 1000} s`,
        met: Math.max(...stream.attach!.attach) <= ATTACH_LIMIT_MS,
      },
      {
        case: CASE,
        what: `master state polled every ${POLL_MS / 1000} s instead (no SUBSCRIBE), ${idle}: CPU of one core`,
        unit: '%',
        values: [polled.idleCpuPercent],
        peakRssKb: [polled.idlePeakKb],
        note: `every read of master state is the one-shot's read again (${sizes}); spawn to following ${polled.startupMs.toFixed(0)} ms, CPU ${polled.startupCpuMs.toFixed(0)} ms`,
      },
    ]
  } finally {
    await sim.close()
  }
}
