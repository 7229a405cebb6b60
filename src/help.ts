/**
 * oclif's help, with two changes: help for no such command is our usage error, as `dcos-ts nosuch` is
 * (oclif's own is a `›   Error:` block); and a text goes through oclif's template engine (ejs) only when it
 * holds a template tag (`<%= config.bin %>`). ejs compiles every text into a new function, so a command's
 * help compiled one per flag description at every `--help`; the output is the same.
 */
import {CommandHelp, Help, type Interfaces} from '@oclif/core'
import {getHelpFlagAdditions, standardizeIDFromArgv} from '@oclif/core/help'
import {exitUnknownCommand} from './hooks/command-not-found.js'

const TEMPLATE_TAG = /<%|%>/

function renderTemplatesOnly(render: (text: string) => string): (text: string) => string {
  return (text) => (TEMPLATE_TAG.test(text) ? render(text) : text)
}

class DcosCommandHelp extends CommandHelp {
  constructor(...args: ConstructorParameters<typeof CommandHelp>) {
    super(...args)
    this.render = renderTemplatesOnly(this.render)
  }
}

export class DcosHelp extends Help {
  protected override CommandHelpClass = DcosCommandHelp

  constructor(...args: ConstructorParameters<typeof Help>) {
    super(...args)
    this.render = renderTemplatesOnly(this.render)
  }

  override async showHelp(argv: string[]): Promise<void> {
    const subject = helpSubject(argv, this.config)
    if (subject !== undefined && !this.config.findCommand(subject) && !this.config.findTopic(subject)) exitUnknownCommand(subject, this.config)
    await super.showHelp(argv)
  }
}

/** The command or topic id help is asked for, found as oclif's Help finds it; undefined for the root help. */
function helpSubject(argv: string[], config: Interfaces.Config): string | undefined {
  const helpFlags = getHelpFlagAdditions(config)
  const words = standardizeIDFromArgv(
    argv.filter((arg) => !helpFlags.includes(arg)),
    config,
  )
  const subject = words.find((word) => word !== 'help')
  return subject === undefined || subject.startsWith('-') ? undefined : subject
}
