/**
 * Flags every log command shares (task log, node log, service log), declared once. Commands spread the
 * groups they need into their own `flags`; the parsed values become OutputOptions in one place.
 */
import {Flags} from '@oclif/core'

const OUTPUT = 'OUTPUT'

/** Reading and following: the same meaning on every log command. */
export const readFlags = {
  follow: Flags.boolean({char: 'f', description: 'Keep printing new lines as they are written; reconnects and resumes after any interruption'}),
  lines: Flags.string({
    char: 'n',
    description: 'Print the last N lines (a negative N means the same, as in the official CLI)',
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
