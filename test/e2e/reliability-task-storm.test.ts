/**
 * Following a task through a storm: 100,000 lines through 1,000 faults drawn with a fixed seed (resets,
 * clean closes, stalls past the idle window, cuts in the middle of a chunk, 502/503 bursts, delayed
 * answers). The output is what the task wrote, line for line: none lost, none twice, in order; and the
 * follow ends by itself once the task finishes (the real task-state watcher asks the sim).
 *
 * In-process (the real logging v2 source, follow() and HTTP client over real sockets to the sim, through
 * a proxy that cuts chunks), so the idle window a stall must outlast can be 100 ms instead of a minute.
 * The sim does not rotate the file here: a resume across a rotation is a limit of logging v2 itself
 * (byte offsets into a replaced file), not of the client.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createHttpClient} from '../../src/cluster/http.js'
import {fetchMasterState} from '../../src/mesos/master.js'
import {createV2TaskSource} from '../../src/logs/sources/v2-task.js'
import {sleep} from '../../src/run/create-deps.js'
import {taskStateWatcher} from '../../src/run/task-state.js'
import {lineWriter, stormSchedule, weatherStorm, stormCluster} from '../helpers/faults.js'

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
  const route = {agentId: task.agentId, frameworkId: task.frameworkId, executorId: task.executorId, containerId: task.containerId}
  const source = createV2TaskSource(http, {stream: {id: task.id, kind: 'task', label: task.id}, taskId: task.id, file: 'stdout', route, idleMs: 100}, {kind: 'all'})
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
