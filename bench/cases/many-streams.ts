/**
 * Case 6, many streams: `dcos-ts task log --follow` of 200 matching tasks, each writing 10 lines a
 * second (`tick <seq> <epoch ms> <task>`, written by the sim's process). The first WARMUP_MS are warm-up;
 * over the rest the harness checks every line (none lost: each task's seqs arrive complete and in order
 * up to the last written; none twice), the lag of each (arrival on the pipe minus the time stamped in it),
 * the CLI's CPU time (from /proc) and its RSS each second.
 * Targets: no line lost, CPU under 50% of one core, RSS flat after warm-up (the median of the last 5 s at
 * most 1.1x that of the first 5 s after warm-up), no stream's lag over 1 s.
 */
import {median, mb, type Row} from '../lib/report.js'
import type {BenchContext} from '../lib/context.js'
import {cli, cpuTimeMs, runMeasured, vmRssKb} from '../lib/process.js'
import {startSimProcess} from '../lib/sim.js'

const CASE = '6 many streams'
const TASKS = 200
const PER_SECOND = 10
const TICK = /tick (\d+) (\d+) (\S+)$/

export async function manyStreams(context: BenchContext): Promise<Row[]> {
  const warmupMs = context.quick ? 3000 : 15_000
  const measureMs = context.quick ? 10_000 : 45_000
  const drainMs = 2000
  const sim = await startSimProcess()
  try {
    const tasks = []
    for (let n = 0; n < TASKS; n++) tasks.push(await sim.synthetic(0, `many-${String(n).padStart(3, '0')}`))
    const lastSeq = new Map<string, number>(tasks.map((task) => [task.id, 0]))
    let problems = 0
    let firstProblem = ''
    const lags: number[] = []
    let pid = 0
    let started = 0
    const samples: Array<{atMs: number; cpuMs: number; rssKb: number}> = []
    let sampler: NodeJS.Timeout | undefined
    let partial = ''

    const onData = (chunk: Buffer) => {
      const now = Date.now()
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop()!
      for (const line of lines) {
        const match = TICK.exec(line)
        if (match === null) continue
        const [, seqText, stamp, taskId] = match
        const seq = Number(seqText)
        const last = lastSeq.get(taskId)
        // The first lines of a task may be its last 10 before the CLI connected; after that, each seq once, in order.
        if (last === undefined || (last > 0 && seq !== last + 1)) {
          problems++
          firstProblem ||= `${taskId}: seq ${seq} after ${last}`
        }
        lastSeq.set(taskId, seq)
        if (now - started >= warmupMs) lags.push(now - Number(stamp))
      }
    }
    const sample = () => samples.push({atMs: Date.now() - started, cpuMs: cpuTimeMs(pid), rssKb: vmRssKb(pid)})

    await sim.tick(
      tasks.map((task) => task.id),
      PER_SECOND,
    )
    started = Date.now()
    const stopTicker = setTimeout(() => void sim.stopTick(), warmupMs + measureMs)
    const ticks = new Promise<number>((resolve) => setTimeout(() => resolve(sim.stopTick()), warmupMs + measureMs + 10))
    const result = await runMeasured({
      ...cli(['task', 'log', '--follow', '--max-streams', String(TASKS), 'many-'], {DCOS_URL: sim.simUrl}),
      onData,
      onStart: (found) => {
        pid = found
        sampler = setInterval(sample, 1000)
      },
      stopAfterMs: warmupMs + measureMs + drainMs,
    })
    clearTimeout(stopTicker)
    clearInterval(sampler)
    const written = await ticks
    const lost = [...lastSeq.values()].filter((seq) => seq !== written).length
    if (result.stderr.trim() !== '') firstProblem ||= result.stderr.trim().split('\n')[0]

    const steady = samples.filter((s) => s.atMs >= warmupMs && s.atMs <= warmupMs + measureMs)
    const cpuPercent = steady.length < 2 ? Number.NaN : (100 * (steady.at(-1)!.cpuMs - steady[0].cpuMs)) / (steady.at(-1)!.atMs - steady[0].atMs)
    // Medians of the first and the last five seconds, so one sample taken just before a GC does not decide.
    const rssFirst = median(steady.slice(0, 5).map((s) => s.rssKb))
    const rssLast = median(steady.slice(-5).map((s) => s.rssKb))
    const rssGrowth = steady.length < 10 ? Number.NaN : rssLast / rssFirst
    const maxLag = lags.length === 0 ? Number.NaN : Math.max(...lags)
    const seconds = `${(measureMs / 1000).toFixed(0)} s after ${(warmupMs / 1000).toFixed(0)} s warm-up`
    const note = problems + lost > 0 ? `${lost} of ${TASKS} streams short of line ${written}; ${problems} out-of-order or repeated lines; first: ${firstProblem}` : undefined
    return [
      {
        case: CASE,
        what: `${TASKS} tasks x ${PER_SECOND} lines/s, lines lost (${seconds})`,
        unit: 'count',
        values: [lost],
        peakRssKb: [result.peakRssKb],
        target: 'none lost or repeated',
        met: lost === 0 && problems === 0,
        note,
      },
      {case: CASE, what: 'CPU of the CLI (% of one core)', unit: '%', values: [cpuPercent], target: '< 50%', met: cpuPercent < 50},
      {
        case: CASE,
        what: 'RSS in the last 5 s (median of 1 s samples)',
        unit: 'MB',
        values: [mb(rssLast)],
        ratio: `${rssGrowth.toFixed(2)}x the first 5 s after warm-up`,
        target: 'flat: <= 1.1x',
        met: rssGrowth <= 1.1,
      },
      {
        case: CASE,
        what: `lag of a line, max (median ${median(lags).toFixed(0)} ms, ${lags.length} lines)`,
        unit: 'ms',
        values: [maxLag],
        target: '<= 1 s',
        met: maxLag <= 1000,
      },
    ]
  } finally {
    await sim.close()
  }
}
