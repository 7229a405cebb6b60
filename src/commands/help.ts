import {Args, Flags, loadHelpClass} from '@oclif/core'
import {ReportingCommand} from '../base-command.js'

/**
 * `dcos-ts help [COMMAND]`, as @oclif/plugin-help has it; a command of the bundle rather than a plugin, so
 * no start reads a second package's package.json and manifest, or loads a second copy of oclif.
 */
export default class Help extends ReportingCommand {
  static override description = 'Display help for <%= config.bin %>.'
  static override args = {
    command: Args.string({description: 'Command to show help for.', required: false}),
  }

  static override flags = {
    'nested-commands': Flags.boolean({default: false, char: 'n', description: 'Include all nested commands in the output.'}),
  }

  static override strict = false

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Help)
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, {all: flags['nested-commands']}).showHelp(argv as string[])
  }
}
