/**
 * Case 5, big cluster: a 100,000-task master state (132 MB, test/helpers/big-state.ts); `dcos-ts task log
 * needle` resolves the one task named needle and prints its last 10 lines. The sim's front serves the
 * state from the file's bytes. Baseline: `node -e` doing readFileSync plus JSON.parse of the same file.
 * Targets: peak RSS under 150 MB, wall time at most 1.3x the baseline.
 */
import {join} from 'node:path'
import {writeBigState} from '../../test/helpers/big-state.js'
import {mb, median, wallRow, type Row} from '../lib/report.js'
import {reps, type BenchContext} from '../lib/context.js'
import {cli} from '../lib/process.js'
import {expectLines, rounds} from '../lib/rounds.js'
import {startSimProcess} from '../lib/sim.js'

const CASE = '5 big cluster'
const TASKS = 100_000
const RSS_LIMIT_MB = 150
const LIMIT = 1.3

export async function bigCluster(context: BenchContext): Promise<Row[]> {
  const statePath = join(context.tmp, 'state-100k.json')
  const bytes = writeBigState(statePath, {tasks: TASKS})
  const sim = await startSimProcess({bigStatePath: statePath})
  try {
    const parse = "JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'))"
    const results = await rounds(
      [
        {name: 'node', spec: {command: process.execPath, args: ['-e', parse, statePath]}, check: expectLines(0)},
        {name: 'cli', spec: cli(['task', 'log', 'needle'], {DCOS_URL: sim.url}), check: expectLines(10)},
      ],
      reps(context, {warmup: 1, runs: 5}),
    )
    const node = median(results.get('node')!.map((run) => run.wallMs))
    const runs = results.get('cli')!
    const ratio = median(runs.map((run) => run.wallMs)) / node
    const peak = mb(Math.max(...runs.map((run) => run.peakRssKb)))
    return [
      wallRow(CASE, `baseline: node -e readFileSync + JSON.parse (${(bytes / 1e6).toFixed(0)} MB, ${TASKS} tasks)`, results.get('node')!),
      wallRow(CASE, 'task log needle (one task of 100,000, 10 lines)', runs, {
        ratio: `${ratio.toFixed(2)}x node`,
        target: `<= ${LIMIT}x node, RSS < ${RSS_LIMIT_MB} MB`,
        met: ratio <= LIMIT && peak < RSS_LIMIT_MB,
      }),
    ]
  } finally {
    await sim.close()
  }
}
