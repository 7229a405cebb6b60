/**
 * Case 3, startup: `dcos-ts --version` and `dcos-ts task log --help` against `node -e 0` (targets: at most
 * 1.6x, issue 19, and 2.5x). Its `--version` median is the startup figure of cases 2 and 4.
 */
import {dirname, join} from 'node:path'
import {median, wallRow, type Row} from '../lib/report.js'
import {reps, type BenchContext} from '../lib/context.js'
import {BIN, cli} from '../lib/process.js'
import {rounds} from '../lib/rounds.js'

const CASE = '3 startup'
const LOADER = join(dirname(BIN), 'load-cli.js')

export async function startup(context: BenchContext): Promise<Row[]> {
  const ok = (result: {code: number | null; lines: number}) => {
    if (result.code !== 0) throw new Error(`exit code ${result.code}`)
  }
  const results = await rounds(
    [
      {name: 'node', spec: {command: process.execPath, args: ['-e', '0']}, check: ok},
      {name: 'version', spec: cli(['--version']), check: ok},
      {name: 'help', spec: cli(['task', 'log', '--help']), check: ok},
      // Where the time goes: loading the bundle (read, compile from the code cache, run its top level:
      // oclif, every command) without running a command; and, for scale, @oclif/core alone unbundled.
      {name: 'bundle', spec: {command: process.execPath, args: ['-e', `require(${JSON.stringify(LOADER)}).loadCli()`]}, check: ok},
      {name: 'oclif', spec: {command: process.execPath, args: ['--input-type=module', '-e', "await import('@oclif/core')"]}, check: ok},
    ],
    reps(context, {warmup: 3, runs: 15}),
  )
  const node = median(results.get('node')!.map((run) => run.wallMs))
  context.startupMs = median(results.get('version')!.map((run) => run.wallMs))
  const row = (name: string, what: string, limit: number) => {
    const runs = results.get(name)!
    const ratio = median(runs.map((run) => run.wallMs)) / node
    const bundle = median(results.get('bundle')!.map((run) => run.wallMs)) / node
    return wallRow(CASE, what, runs, {
      ratio: `${ratio.toFixed(2)}x node`,
      target: `<= ${limit}x node -e 0`,
      met: ratio <= limit,
      note: `${ratio.toFixed(2)}x against at most ${limit}x (${(ratio / limit).toFixed(2)}x over): loading the bundle alone takes ${bundle.toFixed(2)}x node -e 0; the rest is oclif's start (config, manifest) and the command (docs/performance.md, Startup).`,
    })
  }
  const diagnostic = (name: string, what: string) => {
    const runs = results.get(name)!
    return wallRow(CASE, what, runs, {ratio: `${(median(runs.map((run) => run.wallMs)) / node).toFixed(2)}x node`})
  }
  return [
    wallRow(CASE, 'baseline: node -e 0', results.get('node')!),
    row('version', 'dcos-ts --version', 1.6),
    row('help', 'dcos-ts task log --help', 2.5),
    diagnostic('bundle', 'where it goes: load dist/cli.cjs (bin/load-cli.js), no command'),
    diagnostic('oclif', "for scale: node -e \"import('@oclif/core')\", unbundled"),
  ]
}
