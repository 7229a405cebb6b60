/**
 * The bases of the dcos-ts commands: ReportingCommand, the one place where an error becomes a line on
 * stderr and an exit code (see EXIT_CODES in src/errors.ts), and DcosCommand, which adds the cluster
 * connection flags.
 */
import {stripVTControlCharacters} from 'node:util'
import {Command, Errors, Flags, type Interfaces} from '@oclif/core'
import type {ClusterFlags} from './cluster/config.js'
import {hideUrlPasswords} from './cluster/redact.js'
import {CliError, isCliError, oneLine, renderError, toCliError} from './errors.js'
import {isReaderGone, systemIO} from './output/io.js'
import {terminalSafe} from './output/sanitize.js'
import type {Deps} from './deps.js'
import {loadRunFunctions} from './load-run-functions.js'

const CLUSTER = 'CLUSTER'

/** Seconds, fractions allowed. */
const seconds = Flags.custom<number>({
  async parse(input, _context, flag) {
    const value = Number(input)
    if (!Number.isFinite(value) || value <= 0) throw new CliError('usage', `invalid value for --${flag.name}: expected a positive number of seconds, got '${input}'`)
    return value
  },
})

/**
 * What parsing gives a command class C: its flags (the base flags too) and its args. A command maps it to
 * its run function's options in a pure static `options`, tested for every command without a process.
 */
export interface Parsed<C extends {flags: Interfaces.FlagInput; args: Interfaces.ArgInput}> {
  flags: Interfaces.InferredFlags<C['flags']> & BaseFlagValues
  args: Interfaces.InferredArgs<C['args']>
  /** The arguments and flags as typed, in order (for the command line that resumes a read). */
  raw: Interfaces.ParserOutput['raw']
}

/** The parsed values of DcosCommand.baseFlags. */
export interface BaseFlagValues {
  url?: string
  cluster?: string
  insecure?: boolean
  'ca-file'?: string
  timeout?: number
  'token-file'?: string
  verbose?: boolean
}

/** A command whose failures, oclif's parse errors included, are one line on stderr and the kind's exit code. */
export abstract class ReportingCommand extends Command {
  /** Every failure ends here: one line on stderr (the stack only with --verbose), then the kind's exit code. */
  override async catch(error: Error): Promise<never> {
    if (error instanceof Errors.ExitError) throw error
    if (isReaderGone(error)) return this.exit(0) as never
    const cliError = commandError(error, this.id ? `${this.config.bin} ${this.id.replaceAll(':', ' ')}` : this.config.bin)
    // The message may quote a server's words, escape sequences included: shown, never obeyed.
    // A URL's password never shows, whichever message quotes the URL.
    if (cliError.kind !== 'interrupted') process.stderr.write(terminalSafe(hideUrlPasswords(renderError(cliError, this.verboseRequested()))))
    return this.exit(cliError.exitCode) as never
  }

  /** Read from argv: the error may come from parsing itself, before any flag value exists. */
  private verboseRequested(): boolean {
    const end = this.argv.indexOf('--')
    const flags = end === -1 ? this.argv : this.argv.slice(0, end)
    return flags.some((arg) => arg === '--verbose' || /^-[a-zA-Z]*v[a-zA-Z]*$/.test(arg))
  }
}

export abstract class DcosCommand extends ReportingCommand {
  static override baseFlags = {
    url: Flags.string({
      description: 'Cluster URL, e.g. https://dcos.example.com (overrides DCOS_URL and the attached cluster).',
      helpGroup: CLUSTER,
    }),
    cluster: Flags.string({description: 'Name or id of a cluster configured with the DC/OS CLI (overrides DCOS_CLUSTER).', helpGroup: CLUSTER}),
    insecure: Flags.boolean({default: false, description: 'Do not verify the cluster TLS certificate (prints a warning).', helpGroup: CLUSTER}),
    'ca-file': Flags.string({description: "PEM bundle of the cluster's CA, to verify its certificate.", helpGroup: CLUSTER}),
    timeout: seconds({description: 'Connect and response timeout in seconds (default: core.timeout, else 60).', helpGroup: CLUSTER}),
    'token-file': Flags.string({
      description: 'Read the ACS token from this file (a token is never a flag value, where `ps` would show it).',
      helpGroup: CLUSTER,
    }),
    verbose: Flags.boolean({default: false, char: 'v', description: 'Print each HTTP request and response (token redacted), and stack traces.'}),
  }

  /** The base flags as the cluster resolution takes them. */
  static clusterFlags(flags: BaseFlagValues): ClusterFlags {
    return {
      url: flags.url,
      cluster: flags.cluster,
      insecure: flags.insecure,
      caFile: flags['ca-file'],
      timeout: flags.timeout,
      tokenFile: flags['token-file'],
    }
  }

  private runDeps?: Deps

  /** Dependencies for a run function, on the real process streams (loaded with the run functions); released in finally(). */
  protected async deps(flags: BaseFlagValues): Promise<Deps> {
    const {createDeps} = await loadRunFunctions()
    this.runDeps = createDeps({flags: DcosCommand.clusterFlags(flags), verbose: flags.verbose === true, io: systemIO()})
    return this.runDeps
  }

  override async finally(error: Error | undefined): Promise<unknown> {
    await this.runDeps?.close()
    return super.finally(error)
  }
}

/**
 * Any error of a command run as the CliError it is shown as. `command` is how the user called it
 * ("dcos-ts task log"), for the hint to its help.
 */
export function commandError(error: Error, command: string): CliError {
  const help = `see \`${command} --help\``
  if (isCliError(error)) {
    if (error.message === error.text) return error
    // A flag's parser failed, and oclif reworded its error in place: our own words, and where help is.
    return new CliError(error.kind, error.text, {cause: error, hint: error.hint ?? help, status: error.status, exitCode: error.exitCode})
  }
  if (!(error instanceof Errors.CLIError)) return toCliError(error)
  // oclif's own usage errors (an unknown flag, a missing argument, a value its parser refused, flags that
  // conflict), in our words: the flag named first, and the line that points to --help left to the hint.
  const message = stripVTControlCharacters(error.message)
    .replace(/\s*See more help with --help\s*$/, '')
    .replace(/^Parsing (--\S+)\s*\n\t/, 'invalid value for $1: ')
  return new CliError('usage', oneLine(flagChecksFailed(message) ?? message, 1000), {cause: error, hint: help})
}

/** oclif's "--all=true cannot also be provided when using --completed": one reason of an exclusive pair. */
const EXCLUSIVE_REASON = /^--([\w-]+)=.* cannot also be provided when using --([\w-]+)$/

/**
 * oclif's failed flag checks ("The following errors occurred:", then a reason a line) as one message. Two
 * exclusive flags fail each other's check, so oclif says it twice, once each way round: said once here,
 * as our own conflicts are ("--completed and --all cannot be used together"). Undefined for other errors.
 */
function flagChecksFailed(message: string): string | undefined {
  const [header, ...lines] = message.split('\n')
  if (!/^The following errors? occurred:/.test(header)) return undefined
  const said = new Map<string, string>()
  for (const reason of lines.map((line) => line.trim()).filter((line) => line !== '')) {
    const exclusive = EXCLUSIVE_REASON.exec(reason)
    if (exclusive === null) {
      said.set(reason, reason)
      continue
    }
    const [, other, used] = exclusive
    const pair = [used, other].sort().join(' ')
    if (!said.has(pair)) said.set(pair, `--${used} and --${other} cannot be used together`)
  }
  return [...said.values()].join('; ')
}
