/**
 * The log sources, follow() and a real HttpClient against the simulated cluster, in-process: following a
 * task through injected faults and a component stream, checked line for line.
 */
import {after, before, describe, test} from 'node:test'
import assert from 'node:assert/strict'
import type {HttpClient} from '../../src/cluster/http.js'
import type {LogEvent} from '../../src/logs/entry.js'
import {follow} from '../../src/logs/follow.js'
import {createV2ComponentSource} from '../../src/logs/sources/v2-component.js'
import {type Sim, type SimTask, startSim} from '../../src/sim/index.js'
import {simHttp, simTaskSource, sleep} from '../helpers/sim-task-file.js'

let sim: Sim
let http: HttpClient

before(async () => {
  sim = await startSim({filePollMs: 20, pingFirstMs: 50, pingIntervalMs: 200})
  http = simHttp(sim)
})

after(async () => {
  await sim.close()
})

function runningTask(pod: boolean): SimTask {
  const task = sim.tasks().find((t) => t.state === 'TASK_RUNNING' && t.isPod === pod)
  assert.ok(task, `the sim has a running ${pod ? 'pod' : 'command'} task`)
  return task
}

const line = (n: number) => `line ${String(n).padStart(5, '0')} ${'the quick brown fox jumps over the lazy dog '.repeat(2)}ünïcödé`

/** Follows until the task is terminal, appending `more` lines (in three bursts) once the window arrived. */
async function followTask(events: AsyncIterable<LogEvent>, windowSize: number, onWindow: () => Promise<void>) {
  const lines: string[] = []
  const statuses: string[] = []
  let appending: Promise<void> | undefined
  for await (const event of events) {
    if (event.type === 'entries') lines.push(...event.entries.map((e) => e.message))
    else statuses.push(event.status.state)
    if (appending === undefined && lines.length >= windowSize) appending = onWindow()
  }
  await appending
  return {lines, statuses}
}

describe('log sources against the sim', {timeout: 30_000}, () => {
  test('logging v2: a big window exact, then following through resets, 503s and a truncated body', async () => {
    const task = runningTask(false)
    const total = 3000
    sim.writeFile(task.id, 'stdout', Array.from({length: total}, (_, i) => line(i + 1)).join('\n') + '\n')
    const window = 1200 // ~160 KB: beyond dcos-log's 64 KiB skip-back limit
    const more = 60
    sim.inject({kind: 'end-stream', afterEvents: 1300, mode: 'reset', match: 'task-stream'})
    sim.inject({kind: 'status', status: 503, count: 2, match: 'task-stream'})
    const controller = new AbortController()
    const source = await simTaskSource(http, task.id, 'stdout', {kind: 'tail', lines: window})
    const events = follow(source, {
      follow: true,
      signal: controller.signal,
      now: Date.now,
      sleep,
      idleCheckMs: 100,
      backoff: {initialMs: 20, maxMs: 100},
      isFinished: async () => sim.tasks().find((t) => t.id === task.id)?.state.replace(/^TASK_RUNNING$/, '') || undefined,
    })
    const {lines, statuses} = await followTask(events, window, async () => {
      for (let burst = 0; burst < 3; burst++) {
        const from = total + 1 + burst * (more / 3)
        sim.appendLines(task.id, Array.from({length: more / 3}, (_, i) => line(from + i)))
        if (burst === 0) {
          sim.inject({kind: 'end-stream', afterEvents: 5, mode: 'close', match: 'task-stream'})
          sim.inject({kind: 'truncate', match: 'task-stream'})
        }
        await sleep(150)
      }
      sim.finishTask(task.id, 'TASK_FINISHED')
    })
    const want = Array.from({length: window + more}, (_, i) => line(total - window + 1 + i))
    assert.equal(lines.length, want.length, 'no line lost, none twice')
    assert.deepEqual(lines, want)
    assert.equal(statuses.at(-1), 'ended')
    assert.ok(statuses.includes('reconnecting'), statuses.join(','))
  })

  test('files API: a nested file followed by polling through a 503', async () => {
    const task = runningTask(false)
    sim.writeFile(task.id, 'logs/app.log', 'a1\na2\n')
    sim.inject({kind: 'status', status: 503, count: 1, match: 'files'})
    const controller = new AbortController()
    const source = await simTaskSource(http, task.id, 'logs/app.log', {kind: 'all'})
    const events = follow(source, {follow: true, signal: controller.signal, now: Date.now, sleep, backoff: {initialMs: 10, maxMs: 50}})
    const lines: string[] = []
    for await (const event of events) {
      if (event.type !== 'entries') continue
      lines.push(...event.entries.map((e) => e.message))
      if (lines.length === 2) sim.writeFile(task.id, 'logs/app.log', 'a1\na2\na3 née\n')
      if (lines.length === 3) controller.abort()
    }
    assert.deepEqual(lines, ['a1', 'a2', 'a3 née'])
    assert.equal(events.lastCursor, String(Buffer.byteLength('a1\na2\na3 née')))
  })

  test('logging v2 component: a window then new entries across a dropped stream', async () => {
    const unit = 'dcos-ts-test.service'
    sim.addJournal('leader', Array.from({length: 6}, (_, i) => ({message: `old ${i}`, unit})))
    sim.inject({kind: 'end-stream', afterEvents: 1, mode: 'reset', match: 'component-stream'})
    const controller = new AbortController()
    const source = createV2ComponentSource(http, {stream: {id: 'leader', kind: 'component', label: 'leader'}, node: {kind: 'leader'}, unit}, {kind: 'tail', lines: 2})
    const events = follow(source, {follow: true, signal: controller.signal, now: Date.now, sleep, backoff: {initialMs: 10, maxMs: 50}})
    const lines: string[] = []
    for await (const event of events) {
      if (event.type !== 'entries') continue
      lines.push(...event.entries.map((e) => e.message))
      if (lines.length === 2) sim.addJournal('leader', [{message: 'new 1', unit}, {message: 'new 2', unit}])
      if (lines.length === 3) setTimeout(() => sim.addJournal('leader', [{message: 'new 3', unit}]), 50)
      if (lines.length >= 5) controller.abort()
    }
    assert.deepEqual(lines, ['old 4', 'old 5', 'new 1', 'new 2', 'new 3'])
  })
})
