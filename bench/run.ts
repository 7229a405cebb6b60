/**
 * `npm run bench`: builds (npm run build, so the oclif manifest is in place), starts the simulated
 * cluster in its own process, runs each case several times after a warm-up, prints the table and writes
 * it to bench/RESULTS.md. Every number is compared only with baselines measured in the same run.
 *
 *   npm run bench                   all cases
 *   npm run bench -- --quick        fewer repetitions, shorter runs (checks the harness; numbers not kept)
 *   npm run bench -- --case 1,3     some cases (RESULTS.md is written only for a full, non-quick run)
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bigCluster} from './cases/big-state.js'
import {liveDiscovery} from './cases/discovery.js'
import {firstLine} from './cases/first-line.js'
import {followThroughput} from './cases/follow.js'
import {manyStreams} from './cases/many-streams.js'
import {rangeRead} from './cases/range.js'
import {roundTrips} from './cases/round-trips.js'
import {startup} from './cases/startup.js'
import type {BenchContext} from './lib/context.js'
import {machine} from './lib/machine.js'
import {REPO_ROOT, removeBenchHome} from './lib/process.js'
import {notes, table, type Row} from './lib/report.js'

const CASES: Array<{id: string; run: (context: BenchContext) => Promise<Row[]>}> = [
  {id: '3', run: startup},
  {id: '4', run: firstLine},
  {id: '5', run: bigCluster},
  {id: '1', run: followThroughput},
  {id: '2', run: rangeRead},
  {id: '6', run: manyStreams},
  {id: '8', run: roundTrips},
  {id: '9', run: liveDiscovery},
]

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args.includes('--case') ? args[args.indexOf('--case') + 1].split(',') : undefined
const context: BenchContext = {quick, tmp: mkdtempSync(join(tmpdir(), 'dcos-ts-bench-')), startupMs: Number.NaN}
const rows: Row[] = []
const started = Date.now()
try {
  for (const benchCase of CASES) {
    // Case 3 gives the startup figure that cases 2 and 4 use, so it always runs.
    if (only !== undefined && !only.includes(benchCase.id) && benchCase.id !== '3') continue
    const caseStarted = Date.now()
    process.stderr.write(`case ${benchCase.id}…\n`)
    const caseRows = await benchCase.run(context)
    rows.push(...caseRows)
    process.stderr.write(`${table(caseRows)}\n(${((Date.now() - caseStarted) / 1000).toFixed(0)} s)\n\n`)
  }
} finally {
  rmSync(context.tmp, {recursive: true, force: true})
  removeBenchHome()
}
rows.sort((a, b) => a.case.localeCompare(b.case, 'en', {numeric: true}))
const about = await machine()
const report = [
  `Measured ${new Date().toISOString()} in ${((Date.now() - started) / 1000).toFixed(0)} s${quick ? ' (--quick)' : ''}.`,
  '',
  about,
  '',
  table(rows),
  '',
  notes(rows),
].join('\n')
console.log(report)
if (!quick && only === undefined) {
  writeFileSync(join(REPO_ROOT, 'bench', 'RESULTS.md'), `# Benchmark results\n\nWritten by \`npm run bench\` (bench/run.ts); see docs/performance.md for what each case measures.\n\n${report}\n`)
}
