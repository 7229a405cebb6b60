/**
 * Case 4, time to first line: `dcos-ts task log TASK` (master state, discovery, read) against curl doing
 * the same three requests in one process (state to /dev/null, then the discovery route followed to the
 * read). Both print the task's last 10 lines; the time is from spawn to the first line on the pipe.
 * Target: at most the startup figure (case 3) plus 2x curl. The sim's dcos-log runs without its defects
 * here, so that curl's text gets its 10 lines whole (the real one cuts the line crossing body byte 512).
 */
import {median, shortBy, type Row} from '../lib/report.js'
import {reps, type BenchContext} from '../lib/context.js'
import {cli, type RunResult} from '../lib/process.js'
import {expectLines, rounds} from '../lib/rounds.js'
import {startSimProcess} from '../lib/sim.js'

const CASE = '4 time to first line'

export async function firstLine(context: BenchContext): Promise<Row[]> {
  const sim = await startSimProcess({sim: {dcosLogDefects: 'none'}})
  try {
    const task = await sim.synthetic(1000, 'first')
    const url = sim.simUrl
    const results = await rounds(
      [
        {
          name: 'curl',
          spec: {
            command: 'curl',
            args: ['-sS', '-o', '/dev/null', `${url}/mesos/master/state`, '--next', '-sSL', `${url}/system/v1/logs/v2/task/${task.id}?cursor=END&skip=-10`],
          },
          check: expectLines(10),
        },
        {name: 'cli', spec: cli(['task', 'log', task.id], {DCOS_URL: url}), check: expectLines(10)},
      ],
      reps(context, {warmup: 2, runs: 10}),
    )
    const first = (run: RunResult) => run.firstLineMs ?? Number.NaN
    const curl = median(results.get('curl')!.map(first))
    const limit = context.startupMs + 2 * curl
    const cli_ = results.get('cli')!
    const value = median(cli_.map(first))
    return [
      {case: CASE, what: 'baseline: curl state + discovery + read', unit: 'ms', values: results.get('curl')!.map(first)},
      {
        case: CASE,
        what: 'dcos-ts task log TASK (first of 10 lines)',
        unit: 'ms',
        values: cli_.map(first),
        peakRssKb: cli_.map((run) => run.peakRssKb),
        ratio: `${(value / curl).toFixed(1)}x curl; startup + ${((value - context.startupMs) / curl).toFixed(1)}x curl`,
        target: `<= startup + 2x curl = ${limit.toFixed(0)} ms`,
        met: value <= limit,
        note: `${shortBy(value, limit, true, 'ms')}: before its first request the CLI starts (the startup figure) and runs oclif's command lookup and flag parsing and got's first load; then state and version together, the file's size, and its last 64 KiB (which hold the lines), one after another.`,
      },
    ]
  } finally {
    await sim.close()
  }
}
