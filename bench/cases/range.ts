/**
 * Case 2, range read: `task log --lines 100000` of a 50 MB sandbox file, against curl fetching the same
 * bytes (the logging v2 agent route from the newline before the 100,000th line from the end, as text).
 * The sim's dcos-log runs without its defects here, so that curl gets those bytes whole (the real one cuts
 * the line crossing body byte 512); dcos-ts reads the window through the files API either way.
 * Target: at most the startup figure (case 3) plus 2x curl.
 */
import {median, shortBy, wallRow, type Row} from '../lib/report.js'
import {reps, type BenchContext} from '../lib/context.js'
import {cli} from '../lib/process.js'
import {expectLines, rounds} from '../lib/rounds.js'
import {agentRoute, fileSize} from '../lib/routes.js'
import {startSimProcess} from '../lib/sim.js'

const CASE = '2 range read'
const WINDOW = 100_000
/** About 50 MB of synthetic lines (90 bytes each, newline included). */
const FILE_LINES = 555_556

export async function rangeRead(context: BenchContext): Promise<Row[]> {
  const sim = await startSimProcess({sim: {dcosLogDefects: 'none'}})
  try {
    const task = await sim.synthetic(FILE_LINES, 'range')
    const url = sim.simUrl
    const size = await fileSize(url, task.agentId, `${task.sandboxDir}/stdout`)
    if (size % FILE_LINES !== 0) throw new Error('synthetic lines are not all the same length')
    const start = size - WINDOW * (size / FILE_LINES)
    const route = await agentRoute(url, task.id)
    const results = await rounds(
      [
        {name: 'curl', spec: {command: 'curl', args: ['-sS', `${url}${route}?cursor=${start - 1}`]}, check: expectLines(WINDOW)},
        {name: 'cli', spec: cli(['task', 'log', '--lines', String(WINDOW), task.id], {DCOS_URL: url}), check: expectLines(WINDOW)},
      ],
      reps(context, {warmup: 1, runs: 5}),
    )
    const curl = median(results.get('curl')!.map((run) => run.wallMs))
    const limit = context.startupMs + 2 * curl
    const runs = results.get('cli')!
    const value = median(runs.map((run) => run.wallMs))
    return [
      wallRow(CASE, `baseline: curl, the same ${((WINDOW * size) / FILE_LINES / 1e6).toFixed(1)} MB of a ${(size / 1e6).toFixed(0)} MB file`, results.get('curl')!, {peakRssKb: undefined}),
      wallRow(CASE, `task log --lines ${WINDOW}`, runs, {
        ratio: `startup + ${((value - context.startupMs) / curl).toFixed(1)}x curl`,
        target: `<= startup + 2x curl = ${limit.toFixed(0)} ms`,
        met: value <= limit,
        note: `${shortBy(value, limit, true, 'ms')}: the window is read through the files API (logging v2 cuts lines over 32 KiB and drops empty ones), 145 requests of 64 KiB with 8 in flight, each paying got's own setup and a JSON answer to decode; curl's is one text body (docs/performance.md, Exact on the real server).`,
      }),
    ]
  } finally {
    await sim.close()
  }
}
