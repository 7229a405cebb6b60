/**
 * Case 8, round trips on a distant cluster. On loopback a request costs nothing, so the other cases hide
 * what a user over a VPN pays. Here each command runs against the same sim twice over: answered at once,
 * and with the front answering every request 100 ms late; the difference over 100 ms is how many round
 * trips it waits for, one after another. The official DC/OS CLI needs 3 for `task log` (state, discovery,
 * read) and 1 for `node log` (reference/dcos-cli-behaviour.md).
 */
import {median, type Row} from '../lib/report.js'
import {reps, type BenchContext} from '../lib/context.js'
import {cli, type RunResult} from '../lib/process.js'
import {expectLines, rounds} from '../lib/rounds.js'
import {startSimProcess} from '../lib/sim.js'

const CASE = '8 round trips, 100 ms each'
const DELAY_MS = 100

interface Command {
  what: string
  args: string[]
  lines: number
  /** Time to the first line of a follow (then stopped), else to the exit. */
  follow?: boolean
  target: number
}

export async function roundTrips(context: BenchContext): Promise<Row[]> {
  const sim = await startSimProcess()
  try {
    const task = await sim.synthetic(1000, 'distant')
    const commands: Command[] = [
      {what: 'task log TASK --lines 5', args: ['task', 'log', task.id, '--lines', '5'], lines: 5, target: 3},
      {what: 'task log --follow TASK, to the first line', args: ['task', 'log', '--follow', task.id, '--lines', '5'], lines: 5, follow: true, target: 3},
      {what: 'node log --lines 5', args: ['node', 'log', '--lines', '5'], lines: 5, target: 1},
      {what: 'node log --component adminrouter --lines 5', args: ['node', 'log', '--component', 'adminrouter', '--lines', '5'], lines: 5, target: 1},
      {what: 'service log marathon --lines 5', args: ['service', 'log', 'marathon', '--lines', '5'], lines: 5, target: 1},
      {what: 'service log hello-world --lines 5 (a package scheduler: a task)', args: ['service', 'log', 'hello-world', '--lines', '5'], lines: 5, target: 3},
    ]
    const contenders = commands.map((command, i) => ({
      name: String(i),
      spec: {...cli(command.args, {DCOS_URL: sim.url}), ...(command.follow ? {stopAfterLines: command.lines} : {})},
      check: expectLines(command.lines, command.follow),
    }))
    const time = (run: RunResult, follow?: boolean) => (follow ? (run.firstLineMs ?? Number.NaN) : run.wallMs)
    // Near and far alternate, round by round, so that a noisy stretch of the machine hits both.
    const near = new Map(contenders.map((c) => [c.name, [] as RunResult[]]))
    const far = new Map(contenders.map((c) => [c.name, [] as RunResult[]]))
    const {warmup, runs} = reps(context, {warmup: 1, runs: 7})
    for (let round = 0; round < warmup + runs; round++) {
      for (const [delay, into] of [[0, near], [DELAY_MS, far]] as const) {
        await sim.delay(delay)
        const results = await rounds(contenders, {warmup: 0, runs: 1})
        if (round >= warmup) for (const [name, [result]] of results) into.get(name)!.push(result)
      }
    }
    await sim.delay(0)
    return commands.map((command, i): Row => {
      const at0 = median(near.get(String(i))!.map((run) => time(run, command.follow)))
      const farRuns = far.get(String(i))!.map((run) => time(run, command.follow))
      const trips = (median(farRuns) - at0) / DELAY_MS
      return {
        case: CASE,
        what: command.what,
        unit: 'ms',
        values: farRuns,
        ratio: `${trips.toFixed(1)} round trips (${at0.toFixed(0)} ms on loopback)`,
        target: `<= ${command.target}`,
        met: trips <= command.target + 0.3,
        note: trips <= command.target + 0.3 ? undefined : `${command.what}: ${trips.toFixed(1)} sequential round trips against at most ${command.target}`,
      }
    })
  } finally {
    await sim.close()
  }
}
