/**
 * Following a task through a storm: 100,000 lines through 1,000 faults drawn with a fixed seed (resets,
 * clean closes, stalls past the idle window, cuts in the middle of a chunk, 502/503 bursts, delayed
 * answers). The output is what the task wrote, line for line: none lost, none twice, in order; and the
 * follow ends by itself once the task finishes (the real task-state watcher asks the sim).
 *
 * In-process (the real task-file source, follow() and HTTP client over real sockets to the sim, through
 * a proxy that cuts chunks), so the idle window a stall must outlast can be 100 ms instead of a minute.
 * The sim does not rotate the file here (rotation is tested in test/e2e/task-log.test.ts).
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createHttpClient} from '../../src/cluster/http.js'
import {fetchMasterState} from '../../src/mesos/master.js'
import {sleep} from '../../src/run/create-deps.js'
import {taskStateWatcher} from '../../src/read/task-state.js'
import {lineWriter, stormSchedule, weatherStorm, stormCluster} from '../helpers/faults.js'
import {simTaskSource} from '../helpers/sim-task-file.js'

const SEED = 20240115
const LINES = 100_000
const FAULTS = 1000

const storm = stormCluster({filePollMs: 10, rotateBytes: 1 << 30})

test(`a task followed over logging v2: ${LINES} lines through ${FAULTS} faults (seed ${SEED})`, {timeout: 110_000}, async () => {
  const {sim, proxy} = storm
  const http = createHttpClient({url: proxy.url, tls: {verify: true}, timeoutMs: 10_000, sources: {url: 't', token: 't', tls: 't', timeout: 't', cluster: 't'}})
  const task = sim.addSyntheticTask({lines: 0, name: 'storm'})
  const mesosTask = (await fetchMasterState(http, {keep: (t) => t.id === task.id})).tasks.find((t) => t.id === task.id)
  assert.ok(mesosTask)
  const watch = taskStateWatcher(http, new AbortController().signal)
  const source = await simTaskSource(http, task.id, 'stdout', {kind: 'all'}, {idleMs: 100})
  const writer = lineWriter(SEED, LINES, (lines) => sim.appendLines(task.id, lines))
  const steps = stormSchedule({seed: SEED, count: FAULTS, match: 'task-stream', stallMs: 160})
  const policy = {follow: true, signal: new AbortController().signal, now: Date.now, sleep, idleCheckMs: 100, backoff: {initialMs: 5, maxMs: 20}, isFinished: () => watch(mesosTask)}
  const outcome = await weatherStorm('task follow', {sim, proxy, steps, writer}, LINES, source, policy, () => sim.finishTask(task.id, 'TASK_FINISHED'))
  assert.equal(writer.written.length, LINES)
  assert.equal(outcome.lost, 0, 'no line lost')
  assert.equal(outcome.repeated, 0, 'no line twice')
  assert.ok(outcome.inOrder, 'in the order written')
  assert.ok(outcome.reconnects >= FAULTS, `every fault made the client reconnect (${outcome.reconnects})`)
  const last = outcome.last
  assert.equal(last?.type === 'status' && `${last.status.state} ${last.status.detail}`, 'ended TASK_FINISHED', 'the follow ended by itself with the task')
})
