import {Args, Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import {commandWords, outputFlags, outputOptions, parseLinesFlag, readFlags} from '../../log-flags.js'
import type {ServiceLogOptions} from '../../run/service-log.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class ServiceLog extends DcosCommand {
  static override summary = "Print a service's scheduler log, and follow it"
  static override description = `SERVICE is a package's framework name (the DCOS_PACKAGE_FRAMEWORK_NAME label of its Marathon app) or the name a framework registered with; its scheduler's task is read as \`task log\` reads it, FILE being a sandbox file (default stdout). \`marathon\` and \`metronome\` run on the masters: theirs is the leading master's journal unit (as \`node log --component\`), and they take no FILE.

With --follow, new lines are printed as they are written; after any interruption dcos-ts resumes from the last line it printed. Ctrl-C exits 130 and prints the cursor to resume from with --cursor.`
  static override examples = [
    '<%= config.bin %> service log kafka',
    '<%= config.bin %> service log kafka stderr --follow',
    '<%= config.bin %> service log marathon --lines 50',
    '<%= config.bin %> service log marathon --output json | jq -r .MESSAGE',
  ]

  static override args = {
    service: Args.string({description: 'The service: a package framework name, a framework name, marathon or metronome'}),
    file: Args.string({description: "A sandbox file of the scheduler's task (default stdout)"}),
  }

  static override flags = {
    ...readFlags,
    output: Flags.option({
      char: 'o',
      options: ['short', 'cat', 'json', 'json-pretty'] as const,
      default: 'short' as const,
      description: 'short and cat: the lines (journals: short adds time, host and process); json: one object a line; json-pretty: indented',
    })(),
    ...outputFlags,
  }

  static options({args, flags, raw}: Parsed<typeof ServiceLog>): ServiceLogOptions {
    return {
      service: args.service,
      file: args.file,
      window: parseLinesFlag(flags.lines),
      follow: flags.follow,
      cursor: flags.cursor,
      output: outputOptions(flags, 'task', flags.output),
      resumeWords: commandWords('service log', raw, ['lines', 'cursor']),
    }
  }

  async run(): Promise<void> {
    const parsed = await this.parse(ServiceLog)
    const {runServiceLog} = await loadRunFunctions()
    await runServiceLog(ServiceLog.options(parsed), await this.deps(parsed.flags))
  }
}
