/**
 * Case 3, startup: `dcos-ts --version` and `dcos-ts task log --help` against `node -e 0` (target: at most
 * 2.5x). Its `--version` median is the startup figure of cases 2 and 4.
 */
import {pathToFileURL} from 'node:url'
import {median, wallRow, type Row} from '../lib/report.js'
import {reps, type BenchContext} from '../lib/context.js'
import {BIN, cli} from '../lib/process.js'
import {rounds} from '../lib/rounds.js'

const CASE = '3 startup'
const COMMAND_MODULE = new URL('../dist/commands/task/log.js', pathToFileURL(BIN)).href
const LIMIT = 2.5

export async function startup(context: BenchContext): Promise<Row[]> {
  const ok = (result: {code: number | null; lines: number}) => {
    if (result.code !== 0) throw new Error(`exit code ${result.code}`)
  }
  const results = await rounds(
    [
      {name: 'node', spec: {command: process.execPath, args: ['-e', '0']}, check: ok},
      {name: 'version', spec: cli(['--version']), check: ok},
      {name: 'help', spec: cli(['task', 'log', '--help']), check: ok},
      // Where the time goes: oclif's own import, and the task log command's module graph (got, …).
      {name: 'oclif', spec: {command: process.execPath, args: ['--input-type=module', '-e', "await import('@oclif/core')"]}, check: ok},
      {name: 'command', spec: {command: process.execPath, args: ['--input-type=module', '-e', `await import(${JSON.stringify(COMMAND_MODULE)})`]}, check: ok},
    ],
    reps(context, {warmup: 3, runs: 15}),
  )
  const node = median(results.get('node')!.map((run) => run.wallMs))
  context.startupMs = median(results.get('version')!.map((run) => run.wallMs))
  const row = (name: string, what: string) => {
    const runs = results.get(name)!
    const ratio = median(runs.map((run) => run.wallMs)) / node
    const oclif = median(results.get('oclif')!.map((run) => run.wallMs)) / node
    return wallRow(CASE, what, runs, {
      ratio: `${ratio.toFixed(2)}x node`,
      target: `<= ${LIMIT}x node -e 0`,
      met: ratio <= LIMIT,
      note: `${ratio.toFixed(2)}x against at most ${LIMIT}x (${(ratio / LIMIT).toFixed(1)}x over): importing @oclif/core alone takes ${oclif.toFixed(1)}x node -e 0 (module loading, not oclif's own work), so no path through oclif gets under ${LIMIT}x (docs/performance.md, Startup).`,
    })
  }
  const diagnostic = (name: string, what: string) => {
    const runs = results.get(name)!
    return wallRow(CASE, what, runs, {ratio: `${(median(runs.map((run) => run.wallMs)) / node).toFixed(2)}x node`})
  }
  return [
    wallRow(CASE, 'baseline: node -e 0', results.get('node')!),
    row('version', 'dcos-ts --version'),
    row('help', 'dcos-ts task log --help'),
    diagnostic('oclif', "where it goes: node -e \"import('@oclif/core')\""),
    diagnostic('command', 'where it goes: node -e "import(dist/commands/task/log.js)"'),
  ]
}
