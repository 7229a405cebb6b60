/**
 * Flags every log command shares (task log, node log, service log), declared once. Commands spread the
 * groups they need into their own `flags`; the parsed values become OutputOptions in one place.
 */
import {Flags} from '@oclif/core'
import {CliError} from './cluster/errors.js'
import type {LogWindow} from './logs/sources/window.js'
import type {OutputOptions} from './output/choose-sink.js'
import {compilePatterns} from './output/filter.js'
import type {EntryKind, OutputFormat} from './output/format.js'

const OUTPUT = 'OUTPUT'

/** Reading and following: the same meaning on every log command. */
export const readFlags = {
  follow: Flags.boolean({char: 'f', description: 'Keep printing new lines as they are written; reconnects and resumes after any interruption'}),
  lines: Flags.string({
    char: 'n',
    description: 'Print the last N lines first (a negative N means the same; `all` for everything)',
    default: '10',
  }),
  cursor: Flags.string({description: 'Start strictly after this cursor (printed on Ctrl-C) instead of the last N lines'}),
}

/** How entries look; the live view and colours apply only on a terminal. */
export const outputFlags = {
  color: Flags.option({
    options: ['auto', 'always', 'never'] as const,
    default: 'auto' as const,
    description: 'Colour: auto means only on a terminal, and honours NO_COLOR and FORCE_COLOR',
    helpGroup: OUTPUT,
  })(),
  raw: Flags.boolean({description: 'Write escape sequences in log lines to the terminal as they are, instead of showing them escaped', helpGroup: OUTPUT}),
  tui: Flags.boolean({
    allowNo: true,
    default: true,
    description: 'With --follow on a terminal, show the live view with a status footer (--no-tui: plain lines)',
    helpGroup: OUTPUT,
  }),
  prefix: Flags.boolean({allowNo: true, description: 'Prefix each line with its stream (default: only when several streams)', helpGroup: OUTPUT}),
  timestamps: Flags.boolean({char: 't', description: 'Prefix each line with its time where the source has one', helpGroup: OUTPUT}),
  utc: Flags.boolean({description: 'Show times in UTC instead of local time', helpGroup: OUTPUT}),
  include: Flags.string({multiple: true, description: 'Only print lines matching this regular expression (repeatable: any of them)', helpGroup: OUTPUT}),
  exclude: Flags.string({multiple: true, description: 'Do not print lines matching this regular expression (repeatable)', helpGroup: OUTPUT}),
}

/** The values of readFlags and outputFlags after parsing. */
export interface LogFlagValues {
  follow: boolean
  lines: string
  cursor?: string
  color: 'auto' | 'always' | 'never'
  raw: boolean
  tui: boolean
  prefix?: boolean
  timestamps: boolean
  utc: boolean
  include?: string[]
  exclude?: string[]
}

/**
 * `--lines N`: a whole number, its sign ignored as the official CLI does for task logs (`--lines=-5` means
 * the last 5, where the official node log silently skipped forward instead), or `all` for everything.
 */
export function parseLinesFlag(value: string): LogWindow {
  if (value.trim().toLowerCase() === 'all') return {kind: 'all'}
  if (!/^[+-]?\d+$/.test(value.trim())) {
    throw new CliError('usage', `invalid value for --lines: '${value}' is not a whole number`, {hint: 'give a count such as --lines 100, or --lines all'})
  }
  return {kind: 'tail', lines: Math.abs(Number.parseInt(value, 10))}
}

export function outputOptions(flags: LogFlagValues, kind: EntryKind, format: OutputFormat): OutputOptions {
  return {
    format,
    kind,
    color: flags.color,
    raw: flags.raw,
    tui: flags.tui,
    follow: flags.follow,
    prefix: flags.prefix,
    timestamps: flags.timestamps,
    utc: flags.utc,
    include: compilePatterns('include', flags.include ?? []),
    exclude: compilePatterns('exclude', flags.exclude ?? []),
  }
}
