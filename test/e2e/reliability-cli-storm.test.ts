/**
 * The built CLI end to end through a smaller storm: `dcos-ts task log --follow` as a process, against the
 * sim behind a chunk-cutting proxy, prints every line once and in order, tells the reconnects on stderr,
 * and exits 0 by itself when the task finishes. Stalls are left out: the CLI's idle window is a minute.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {startCli} from '../helpers/cli.js'
import {armFirst, compareLines, describeStorm, lineWriter, linesPerStreamFault, playStorm, stormSchedule, stormCluster} from '../helpers/faults.js'

const SEED = 20240117
const LINES = 5000
const FAULTS = 40

const storm = stormCluster({filePollMs: 10, rotateBytes: 1 << 30})

test(`task log --follow: ${LINES} lines through ${FAULTS} faults, exit 0 when the task finishes`, {timeout: 110_000}, async () => {
  const {sim, proxy} = storm
  const task = sim.addSyntheticTask({lines: 0, name: 'storm-cli'})
  const writer = lineWriter(SEED, LINES, (lines) => sim.appendLines(task.id, lines))
  const steps = stormSchedule({seed: SEED, count: FAULTS, match: 'task-stream', stallMs: 0, without: ['stall']})
  // The CLI backs off for real (up to seconds after a burst), so the pacing waits longer before a cut.
  const run = {sim, proxy, steps, writer, linesPerStreamFault: linesPerStreamFault(steps, LINES), nudges: 0, nudgeMs: 3000}
  const first = armFirst(run)
  const cli = startCli(['task', 'log', '--follow', '--lines', 'all', task.id], {env: {DCOS_URL: proxy.url}, timeoutMs: 100_000})
  await playStorm(run, first)
  writer.write(LINES)
  sim.finishTask(task.id, 'TASK_FINISHED')
  const result = await cli.done
  const lines = result.stdout.split('\n').slice(0, -1)
  const {lost, repeated, inOrder} = compareLines(lines, writer.written)
  console.log(`cli follow: faults: ${describeStorm(steps)}, plus ${run.nudges} pacing cuts; lines: ${lines.length} of ${LINES}, lost ${lost}, repeated ${repeated}, in order ${inOrder}`)
  assert.equal(result.code, 0, result.stderr)
  assert.equal(lost, 0, 'no line lost')
  assert.equal(repeated, 0, 'no line twice')
  assert.ok(inOrder, 'in the order written')
  assert.match(result.stderr, /reconnecting to /)
  assert.match(result.stderr, /ended \(TASK_FINISHED\)\n$/)
})
