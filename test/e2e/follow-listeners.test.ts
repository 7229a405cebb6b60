/**
 * A long follow holds a fixed number of abort listeners on the run's signal, however many lines, polls and
 * reconnects it goes through: a listener left behind per request or per wait would grow without end (and
 * Node warns past 10). Sampled while the follow runs, over logging v2 (streams cut every few events) and
 * over the files API by polling.
 */
import assert from 'node:assert/strict'
import {getEventListeners} from 'node:events'
import {describe, test} from 'node:test'
import {sleep} from '../../src/run/create-deps.js'
import {startSim} from '../../src/sim/index.js'
import {finishedIn, followSource, simHttp, simTaskSource} from '../helpers/sim-task-file.js'

const LINES = 150

describe('abort listeners during a long follow', {timeout: 120_000}, () => {
  for (const [name, dcosVersion] of [['logging v2, reconnecting', '2.2'], ['files API, polling', '1.8']] as const) {
    test(`${name}: one listener per stream throughout, none left at the end`, async () => {
      const sim = await startSim({filePollMs: 20, dcosVersion})
      try {
        if (dcosVersion === '2.2') sim.inject({kind: 'end-stream', afterEvents: 7, match: 'task-stream', times: 15})
        const task = sim.tasks().find((t) => t.state === 'TASK_RUNNING')
        assert.ok(task)
        sim.writeFile(task.id, 'stdout', 'start\n')
        const controller = new AbortController()
        const source = await simTaskSource(simHttp(sim), task.id, 'stdout', {kind: 'tail', lines: 1}, {sleep})
        const counts: number[] = []
        let appended = 0
        const result = await followSource(source, {signal: controller.signal, sleep, isFinished: finishedIn(sim, task.id)}, (entries) => {
          counts.push(getEventListeners(controller.signal, 'abort').length)
          // One more line once the last one printed, so that the follow goes through as many reads as lines.
          if (entries.length === appended + 1) {
            if (appended < LINES) sim.appendBytes(task.id, Buffer.from(`line ${++appended}\n`))
            else sim.finishTask(task.id)
          }
        })
        assert.equal(result.entries.length, LINES + 1, 'every line, once')
        assert.ok(Math.max(...counts) <= 2, `listeners while following: at most 2, saw up to ${Math.max(...counts)}`)
        assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'none left once the follow ended')
      } finally {
        await sim.close()
      }
    })
  }
})
