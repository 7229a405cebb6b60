/**
 * Following through a storm of faults: 100,000 lines through 1,000 faults drawn with a fixed seed
 * (resets, clean closes, stalls past the idle window, cuts in the middle of a chunk, 502/503 bursts,
 * delayed answers). The output must be what the task wrote, line for line: none lost, none twice, in
 * order; and the follow must end by itself once the task ends. Then the same for a component (journal
 * cursors), and once more end to end through the built CLI.
 *
 * The big runs are in-process (the real sources, follow() and HTTP client, over real sockets to the sim)
 * so they can shorten the idle window that a stall must outlast; the CLI run leaves stalls out.
 */
import {after, before, describe, test} from 'node:test'
import assert from 'node:assert/strict'
import type {ResolvedCluster} from '../../src/cluster/config.js'
import {createHttpClient, type HttpClient} from '../../src/cluster/http.js'
import type {LogEvent, LogSource} from '../../src/logs/entry.js'
import {follow, type FollowPolicy} from '../../src/logs/follow.js'
import {createV2ComponentSource} from '../../src/logs/sources/v2-component.js'
import {createV2TaskSource} from '../../src/logs/sources/v2-task.js'
import {fetchMasterState} from '../../src/mesos/master.js'
import {sleep} from '../../src/run/create-deps.js'
import {taskStateWatcher} from '../../src/run/task-state.js'
import {startSim, type Sim, type SimTask} from '../../src/sim/index.js'
import {Rng} from '../../src/sim/random.js'
import {startCli} from '../helpers/cli.js'
import {
  armFirst,
  compareLines,
  describeStorm,
  playStorm,
  startCuttingProxy,
  stormLine,
  stormSchedule,
  type CuttingProxy,
  type StormStep,
} from '../helpers/faults.js'

const SEED = 20240115
const LINES = Number(process.env.STORM_LINES ?? 100_000)
const FAULTS = Number(process.env.STORM_FAULTS ?? 1000)
/** The client's idle window in the in-process runs, and a stall that outlasts it. */
const IDLE_MS = 100
const STALL_MS = 160

let sim: Sim
let proxy: CuttingProxy
let http: HttpClient

before(async () => {
  // No rotation: a resume across a rotated file is a limit of the protocol (offsets into a replaced file), not of the client.
  sim = await startSim({filePollMs: 10, pingFirstMs: 20, pingIntervalMs: 40, rotateBytes: 1 << 30})
  proxy = await startCuttingProxy(sim.url)
  const cluster: ResolvedCluster = {
    url: proxy.url,
    tls: {verify: true},
    timeoutMs: 10_000,
    sources: {url: 'test', token: 'test', tls: 'test', timeout: 'test', cluster: 'test'},
  }
  http = createHttpClient(cluster)
})

after(async () => {
  await proxy.close()
  await sim.close()
})

interface Outcome {
  lines: string[]
  reconnects: number
  last?: LogEvent
}

async function collect(events: AsyncIterable<LogEvent>): Promise<Outcome> {
  const outcome: Outcome = {lines: [], reconnects: 0}
  for await (const event of events) {
    if (event.type === 'entries') for (const entry of event.entries) outcome.lines.push(entry.message)
    else if (event.status.state === 'reconnecting') outcome.reconnects++
    outcome.last = event
    if (process.env.STORM_DEBUG && event.type === "status" && event.status.state !== "reconnecting" && event.status.state !== "live") console.log(Date.now() % 100000, event.status.state, event.status.detail, outcome.lines.length)
  }
  return outcome
}

/** Lines written in seeded batches to wherever `append` puts them, up to `total`. */
function lineWriter(seed: number, total: number, append: (lines: string[]) => void) {
  const rng = new Rng(seed)
  const written: string[] = []
  return {
    written,
    write(n: number): number {
      const batch: string[] = []
      while (batch.length < n && written.length < total) {
        const line = stormLine(rng, written.length + 1)
        written.push(line)
        batch.push(line)
      }
      if (batch.length > 0) append(batch)
      return batch.length
    },
  }
}

function policy(extra: Partial<FollowPolicy>): FollowPolicy {
  return {follow: true, signal: new AbortController().signal, now: Date.now, sleep, idleCheckMs: 100, backoff: {initialMs: 5, maxMs: 20}, ...extra}
}

/** Runs a storm against a followed source, writes the rest, ends the writer, and checks the output. */
async function weather(name: string, steps: StormStep[], source: LogSource, writer: ReturnType<typeof lineWriter>, end: () => void, isFinished: FollowPolicy['isFinished']) {
  const linesPerStreamFault = Math.ceil(LINES / steps.filter((s) => s.kind !== 'burst' && s.kind !== 'delay').length)
  const run = {sim, proxy, steps, write: writer.write, linesPerStreamFault}
  const cutsBefore = proxy.cuts
  const first = armFirst(run)
  const outcome = collect(follow(source, policy({isFinished})))
  await playStorm(run, first)
  writer.write(LINES)
  end()
  const {lines, reconnects, last} = await outcome
  const {lost, repeated, inOrder} = compareLines(lines, writer.written)
  if (process.env.STORM_DEBUG) {
    const i = lines.findIndex((line, n) => line !== writer.written[n])
    console.log('first mismatch', i, JSON.stringify(lines[i]?.slice(0, 200)), JSON.stringify(writer.written[i]?.slice(0, 200)), JSON.stringify(lines.at(-1)?.slice(0, 100)))
  }
  console.log(`${name}: faults: ${describeStorm(steps)}; cuts done ${proxy.cuts - cutsBefore}; lines: ${lines.length} of ${writer.written.length}, lost ${lost}, repeated ${repeated}, in order ${inOrder}; reconnects ${reconnects}`)
  assert.equal(writer.written.length, LINES)
  assert.equal(lost, 0, 'no line lost')
  assert.equal(repeated, 0, 'no line twice')
  assert.ok(inOrder, 'the lines in the order written')
  assert.ok(reconnects >= FAULTS, `every fault made the client reconnect (${reconnects})`)
  return last
}

describe('following through a storm of faults', {timeout: 240_000}, () => {
  test(`task file over logging v2: ${LINES} lines, ${FAULTS} faults (seed ${SEED})`, async () => {
    const task: SimTask = sim.addSyntheticTask({lines: 0, name: 'storm-v2'})
    const state = await fetchMasterState(http, {keep: (t) => t.id === task.id})
    const mesosTask = state.tasks.find((t) => t.id === task.id)
    assert.ok(mesosTask)
    const watch = taskStateWatcher(http, new AbortController().signal)
    const route = {agentId: task.agentId, frameworkId: task.frameworkId, executorId: task.executorId, containerId: task.containerId}
    const source = createV2TaskSource(http, {stream: {id: task.id, kind: 'task', label: task.id}, taskId: task.id, file: 'stdout', route, idleMs: IDLE_MS}, {kind: 'all'})
    const writer = lineWriter(SEED, LINES, (lines) => sim.appendLines(task.id, lines))
    const steps = stormSchedule({seed: SEED, count: FAULTS, match: 'task-stream', stallMs: STALL_MS})
    const last = await weather('task follow', steps, source, writer, () => sim.finishTask(task.id, 'TASK_FINISHED'), () => watch(mesosTask))
    assert.equal(last?.type === 'status' && `${last.status.state} ${last.status.detail}`, 'ended TASK_FINISHED', 'the follow ended by itself with the task')
  })

  test(`component journal over logging v2: ${LINES} entries, ${FAULTS} faults (seed ${SEED + 1})`, async () => {
    const unit = 'dcos-storm.service'
    const source = createV2ComponentSource(http, {stream: {id: 'leader', kind: 'component', label: 'leader'}, node: {kind: 'leader'}, unit, idleMs: IDLE_MS}, {kind: 'all'})
    const writer = lineWriter(SEED + 1, LINES, (lines) => sim.addJournal('leader', lines.map((message) => ({unit, message}))))
    const steps = stormSchedule({seed: SEED + 1, count: FAULTS, match: 'component-stream', stallMs: STALL_MS})
    let ended = false
    const last = await weather('component follow', steps, source, writer, () => (ended = true), async () => (ended ? 'writer done' : undefined))
    assert.equal(last?.type === 'status' && `${last.status.state} ${last.status.detail}`, 'ended writer done')
  })

  test('the built CLI follows a task through faults and exits 0 when it finishes', async () => {
    const total = 5000
    const task = sim.addSyntheticTask({lines: 0, name: 'storm-cli'})
    const writer = lineWriter(SEED + 2, total, (lines) => sim.appendLines(task.id, lines))
    const steps = stormSchedule({seed: SEED + 2, count: 40, match: 'task-stream', stallMs: 0, without: ['stall']})
    const run = {sim, proxy, steps, write: writer.write, linesPerStreamFault: Math.ceil(total / steps.filter((s) => s.kind !== 'burst' && s.kind !== 'delay').length)}
    const first = armFirst(run)
    const cli = startCli(['task', 'log', '--follow', '--lines', 'all', 'storm-cli'], {env: {DCOS_URL: proxy.url}, timeoutMs: 60_000})
    await playStorm(run, first)
    writer.write(total)
    sim.finishTask(task.id, 'TASK_FINISHED')
    const result = await cli.done
    const lines = result.stdout.split('\n').slice(0, -1)
    const {lost, repeated, inOrder} = compareLines(lines, writer.written)
    console.log(`cli follow: faults: ${describeStorm(steps)}; lines: ${lines.length} of ${total}, lost ${lost}, repeated ${repeated}`)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(lost, 0)
    assert.equal(repeated, 0)
    assert.ok(inOrder)
    assert.match(result.stderr, /reconnecting to /)
    assert.match(result.stderr, /ended \(TASK_FINISHED\)\n$/)
  })
})
