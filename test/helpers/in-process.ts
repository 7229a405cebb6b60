/**
 * A command run in this process, as a user types it: argv parsed by oclif's own parser against the
 * command's flags, mapped by the command's static `options`, and its run function called with the real
 * Deps (cluster resolution, the HTTP client over a socket) on an in-memory IO. An error ends as the
 * command ends it: one line on stderr and the kind's exit code. What only a process shows (signals, a
 * terminal, a pipe, the bundle) is left to test/helpers/cli.ts.
 *
 *   const result = await runInProcess(['task', 'log', 'web', '-n', '5'], {env: {DCOS_URL: sim.url}})
 *   assert.equal(result.code, 0)
 */
import {rm} from 'node:fs/promises'
import {Parser} from '@oclif/core'
import {DcosCommand, type Parsed, commandError} from '../../src/base-command.js'
import AuthLogin from '../../src/commands/auth/login.js'
import ClusterAttach from '../../src/commands/cluster/attach.js'
import ClusterList from '../../src/commands/cluster/list.js'
import ClusterRemove from '../../src/commands/cluster/remove.js'
import ClusterSetup from '../../src/commands/cluster/setup.js'
import ClusterShow from '../../src/commands/cluster/show.js'
import NodeList from '../../src/commands/node/list.js'
import NodeListComponents from '../../src/commands/node/list-components.js'
import NodeLog from '../../src/commands/node/log.js'
import ServiceLog from '../../src/commands/service/log.js'
import TaskList from '../../src/commands/task/list.js'
import TaskLog from '../../src/commands/task/log.js'
import TaskNames from '../../src/commands/task/names.js'
import type {Deps} from '../../src/deps.js'
import {hideUrlPasswords} from '../../src/cluster/redact.js'
import {renderError} from '../../src/errors.js'
import {isReaderGone, type TestIO, testIO} from '../../src/output/io.js'
import {terminalSafe} from '../../src/output/sanitize.js'
import {runAuthLogin} from '../../src/run/auth.js'
import {runClusterAttach, runClusterList, runClusterRemove} from '../../src/run/cluster-manage.js'
import {runClusterSetup} from '../../src/run/cluster-setup.js'
import {runClusterShow} from '../../src/run/cluster-show.js'
import {createDeps} from '../../src/run/create-deps.js'
import {connector} from '../../src/run/log-in.js'
import {runNodeList, runNodeListComponents} from '../../src/run/node-list.js'
import {runNodeLog} from '../../src/run/node-log.js'
import {runServiceLog} from '../../src/run/service-log.js'
import {runTaskList} from '../../src/run/task-list.js'
import {runTaskLog} from '../../src/run/task-log.js'
import {runTaskNames} from '../../src/run/task-names.js'
import {type CliResult, isolatedEnv, makeTempHome} from './cli.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each row pairs a command with its own run function
type Row = [words: string, command: any, run: (options: any, deps: Deps) => Promise<void>]

const COMMANDS: Row[] = [
  ['task log', TaskLog, runTaskLog],
  ['task list', TaskList, runTaskList],
  ['task names', TaskNames, runTaskNames],
  ['node log', NodeLog, runNodeLog],
  ['node list-components', NodeListComponents, runNodeListComponents],
  ['node list', NodeList, runNodeList],
  ['service log', ServiceLog, runServiceLog],
  ['cluster list', ClusterList, runClusterList],
  ['cluster attach', ClusterAttach, runClusterAttach],
  ['cluster setup', ClusterSetup, (options, deps) => runClusterSetup(options, deps, connector(deps.io, false))],
  ['cluster remove', ClusterRemove, runClusterRemove],
  ['cluster show', ClusterShow, runClusterShow],
  ['auth login', AuthLogin, (options, deps) => runAuthLogin(options, deps, connector(deps.io, false))],
]

export interface InProcessOptions {
  /** Added to an isolated environment (a fresh HOME and DCOS_DIR); an undefined value removes a variable. */
  env?: Record<string, string | undefined>
  /** Use this HOME (kept afterwards) instead of a fresh temporary one. */
  home?: string
  /** Aborts the run as Ctrl-C would (the run then ends with the resume cursor on stderr). */
  signal?: AbortSignal
  /** Sees the run's output as it goes, to wait on it (io.stdoutWhen). */
  onStart?: (io: TestIO) => void
  /** Added to the options the command made of argv: what no flag sets (how often a follow watches the cluster). */
  extraOptions?: object
}

export async function runInProcess(argv: string[], options: InProcessOptions = {}): Promise<CliResult & {stdoutBytes: Buffer}> {
  const row = COMMANDS.find(([words]) => argv.join(' ').startsWith(`${words} `) || argv.join(' ') === words)
  if (row === undefined) throw new Error(`runInProcess: no command ${argv.slice(0, 2).join(' ')} (add it to COMMANDS)`)
  const [words, command, run] = row
  const home = options.home ?? makeTempHome()
  const io = testIO({env: isolatedEnv(home, options.env)})
  options.onStart?.(io)
  let code = 0
  try {
    const parsed = (await Parser.parse(argv.slice(words.split(' ').length), {flags: {...DcosCommand.baseFlags, ...command.flags}, args: command.args, strict: true})) as unknown as Parsed<typeof TaskLog>
    const deps = createDeps({flags: DcosCommand.clusterFlags(parsed.flags), verbose: false, io})
    // The process's own Ctrl-C handlers are not installed here: the test's signal stands for them.
    Object.defineProperty(deps, 'signal', {value: AbortSignal.any([options.signal ?? new AbortController().signal, io.closed])})
    try {
      const commandOptions = command.options(parsed)
      // Some commands' options are a plain value (cluster attach: the name), which a spread would turn into an object.
      await run(options.extraOptions === undefined ? commandOptions : {...commandOptions, ...options.extraOptions}, deps)
    } finally {
      await deps.close()
    }
  } catch (error) {
    const shown = commandError(error as Error, `dcos-ts ${words}`)
    if (!isReaderGone(error)) {
      if (shown.kind !== 'interrupted') io.stderr.write(terminalSafe(hideUrlPasswords(renderError(shown, false))))
      code = shown.exitCode
    }
  } finally {
    if (options.home === undefined) await rm(home, {recursive: true, force: true})
  }
  return {code, signal: null, stdout: io.stdoutText(), stderr: io.stderrText(), timedOut: false, stdoutBytes: io.stdoutBytes()}
}
