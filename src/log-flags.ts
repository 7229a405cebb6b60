/**
 * Flags every log command shares (task log, node log, service log), declared once. Commands spread the
 * groups they need into their own `flags`; the parsed values become OutputOptions in one place.
 */
import {Flags, type Interfaces} from '@oclif/core'
import {CliError} from './errors.js'
import type {LogWindow} from './logs/sources/window.js'
import {parseOffset} from './logs/task-file/mesos-file.js'
import type {TaskCursor} from './read/task-sources.js'
import type {OutputOptions} from './output/choose-sink.js'
import {compilePatterns} from './output/filter.js'
import type {EntryKind, OutputFormat} from './output/format.js'

const OUTPUT = 'OUTPUT'

/** Reading and following: the same meaning on every log command. */
export const readFlags = {
  follow: Flags.boolean({char: 'f', default: false, description: 'Keep printing new lines as they are written; reconnects and resumes after any interruption'}),
  lines: Flags.string({
    char: 'n',
    description: 'Print the last N lines first (a negative N means the same; `all` for everything)',
    default: '10',
  }),
  cursor: Flags.string({description: 'Start strictly after this cursor (printed on Ctrl-C) instead of the last N lines'}),
}

/** task log's --cursor: one for each task, as the resume line prints them. */
export const taskCursorFlag = Flags.string({
  multiple: true,
  multipleNonGreedy: true,
  description: 'Start strictly after this cursor instead of the last N lines: TASK=OFFSET for each task, as printed on Ctrl-C (tasks without one are read from their first line); a bare OFFSET when one task is read',
})

/**
 * `OFFSET` or `TASK=OFFSET`. A task id may itself hold `=`, an offset never does: the last one splits.
 */
export function parseTaskCursor(value: string): TaskCursor {
  const split = value.lastIndexOf('=')
  if (split < 0) return {offset: String(parseOffset(value))}
  const task = value.slice(0, split)
  if (task === '') throw new CliError('usage', `--cursor '${value}' names no task before '='`, {hint: 'give it as TASK=OFFSET'})
  return {task, offset: String(parseOffset(value.slice(split + 1)))}
}

/** How entries look; the live view and colours apply only on a terminal. */
export const outputFlags = {
  color: Flags.option({
    options: ['auto', 'always', 'never'] as const,
    default: 'auto' as const,
    description: 'Colour: auto means only on a terminal, and honours NO_COLOR and FORCE_COLOR',
    helpGroup: OUTPUT,
  })(),
  raw: Flags.boolean({default: false, description: 'Write escape sequences in log lines to the terminal as they are, instead of showing them escaped', helpGroup: OUTPUT}),
  tui: Flags.boolean({
    allowNo: true,
    default: true,
    description: 'With --follow on a terminal, show the live view with a status footer (--no-tui: plain lines)',
    helpGroup: OUTPUT,
  }),
  prefix: Flags.boolean({allowNo: true, description: 'Prefix each line with its stream (default: only when several streams)', helpGroup: OUTPUT}),
  timestamps: Flags.boolean({default: false, char: 't', description: 'Prefix each line with its time where the source has one', helpGroup: OUTPUT}),
  utc: Flags.boolean({default: false, description: 'Show times in UTC instead of local time', helpGroup: OUTPUT}),
  include: Flags.string({multiple: true, multipleNonGreedy: true, description: 'Only print lines matching this regular expression (repeatable: any of them)', helpGroup: OUTPUT}),
  exclude: Flags.string({multiple: true, multipleNonGreedy: true, description: 'Do not print lines matching this regular expression (repeatable)', helpGroup: OUTPUT}),
}

/** The values of outputFlags after parsing, and --follow (the live view is for following). */
export interface OutputFlagValues {
  follow: boolean
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

export function outputOptions(flags: OutputFlagValues, kind: EntryKind, format: OutputFormat): OutputOptions {
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

/** What oclif's parser read, in order. */
export type RawTokens = Interfaces.ParserOutput['raw']

/** The program's name in the commands dcos-ts prints for the user to run. */
const BIN = 'dcos-ts'

/**
 * The command as the user typed it (oclif's raw tokens: arguments and flags in their order, a boolean as
 * written, `-f` or `--no-tui`), less the flags named in `drop`: where it started reading, which the resume
 * line's cursors replace.
 */
export function commandWords(command: string, raw: RawTokens, drop: readonly string[]): string[] {
  const words = [BIN, ...command.split(' ')]
  for (const token of raw) {
    if (token.type === 'arg') words.push(token.input)
    else if (!drop.includes(token.flag)) words.push(...(token.input.startsWith('-') ? [token.input] : [`--${token.flag}`, token.input]))
  }
  return words
}

/** MESOS_ID, or --mesos-id as the DC/OS CLI spelled it; given both, they must agree. */
export function pickMesosId(argument: string | undefined, flag: string | undefined): string | undefined {
  if (argument !== undefined && flag !== undefined && argument !== flag) {
    throw new CliError('usage', `MESOS_ID ${argument} and --mesos-id ${flag} name two different nodes`, {hint: 'give the agent id once'})
  }
  return argument ?? flag
}

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/
const RFC3339 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * `--since`/`--until`: a duration back from now (`90s`, `10m`, `1h30m`, `2d`) or an RFC 3339 time
 * (`2024-01-15T10:00:00Z`; without a zone it is local time, a bare date is midnight UTC). Microseconds
 * since the epoch, the journal's unit.
 */
export function parseTimeFlag(flag: string, text: string, nowMs: number): number {
  const value = text.trim()
  if (DURATION.test(value)) {
    let ms = 0
    for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) ms += Number(amount) * UNIT_MS[unit]
    return Math.round((nowMs - ms) * 1000)
  }
  const ms = RFC3339.test(value) ? Date.parse(value.replace(' ', 'T')) : Number.NaN
  if (Number.isNaN(ms)) {
    throw new CliError('usage', `invalid value for --${flag}: '${text}' is neither a duration nor an RFC 3339 time`, {
      hint: 'e.g. 10m, 1h30m, 2d, or 2024-01-15T10:00:00Z',
    })
  }
  return ms * 1000
}

/** --since and --until, each parsed (parseTimeFlag) and in order: a range that would be empty is a usage error. */
export function parseTimeRange(sinceText: string | undefined, untilText: string | undefined, nowMs: number): {since?: number; until?: number} {
  const since = sinceText === undefined ? undefined : parseTimeFlag('since', sinceText, nowMs)
  const until = untilText === undefined ? undefined : parseTimeFlag('until', untilText, nowMs)
  if (since !== undefined && until !== undefined && since > until) {
    throw new CliError('usage', `--since ${sinceText} is after --until ${untilText}`, {hint: 'the range would be empty'})
  }
  return {since, until}
}
