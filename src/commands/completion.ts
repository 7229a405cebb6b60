import {Args, type Config} from '@oclif/core'
import {type Parsed, ReportingCommand} from '../base-command.js'
import {systemIO} from '../output/io.js'
import {type CompletionOptions, SHELLS, type Shell, runCompletion} from '../run/completion.js'

/** The arguments that name a task, completed with the names of running tasks: command id -> argument. */
const TASK_ARGS = {'task:log': 'task', 'task:list': 'pattern'}

export default class Completion extends ReportingCommand {
  static override summary = 'Print a shell completion script: bash, zsh or fish'
  static override description = `Completes commands, flags and the values they take, and running task names from the cluster the line names (each Tab that asks the cluster gives up after 3 s). Load it in the shell's start-up file:

  bash (~/.bashrc):                  eval "$(<%= config.bin %> completion bash)"
  zsh (~/.zshrc, after compinit):    eval "$(<%= config.bin %> completion zsh)"
  fish (~/.config/fish/config.fish): <%= config.bin %> completion fish | source`
  static override examples = [
    '<%= config.bin %> completion bash > ~/.local/share/bash-completion/completions/<%= config.bin %>',
    '<%= config.bin %> completion zsh > "${fpath[1]}/_<%= config.bin %>"',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish',
  ]

  static override args = {
    shell: Args.string({description: 'The shell to complete in', options: SHELLS, required: true}),
  }

  static options({args}: Pick<Parsed<typeof Completion>, 'args'>, config: Pick<Config, 'bin' | 'commands' | 'topics'>): CompletionOptions {
    return {
      shell: args.shell as Shell,
      bin: config.bin,
      commands: config.commands,
      topics: config.topics,
      taskArgs: TASK_ARGS,
      taskNames: 'task:names',
      passedFlags: ['url', 'cluster', 'insecure', 'ca-file', 'token-file', 'completed', 'all'],
      fileFlags: ['ca-file', 'token-file', 'password-file', 'private-key', 'state'],
    }
  }

  async run(): Promise<void> {
    const parsed = await this.parse(Completion)
    await runCompletion(Completion.options(parsed, this.config), {io: systemIO()})
  }
}
