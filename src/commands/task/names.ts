import {Args, Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import type {TaskNamesOptions} from '../../run/task-names.js'
import {loadRunFunctions} from '../../load-run-functions.js'

/** A Tab waits on this command: each request gives up after this long unless --timeout says otherwise... */
const TIMEOUT_S = 2
/** ...and the whole run after this long. */
const DEADLINE_MS = 3000

export default class TaskNames extends DcosCommand {
  static override hidden = true
  static override summary = 'Print the names of running tasks that start with PREFIX (for shell completion)'

  static override args = {
    prefix: Args.string({description: 'The start of a task name (or id)'}),
  }

  static override flags = {
    completed: Flags.boolean({default: false, description: 'Finished tasks instead of running ones', exclusive: ['all']}),
    all: Flags.boolean({default: false, description: 'Running and finished tasks', exclusive: ['completed']}),
  }

  static options({args, flags}: Parsed<typeof TaskNames>): TaskNamesOptions {
    return {prefix: args.prefix ?? '', scope: {running: !flags.completed, completed: flags.completed || flags.all}, deadlineMs: DEADLINE_MS}
  }

  async run(): Promise<void> {
    const parsed = await this.parse(TaskNames)
    const {runTaskNames} = await loadRunFunctions()
    await runTaskNames(TaskNames.options(parsed), await this.deps({...parsed.flags, timeout: parsed.flags.timeout ?? TIMEOUT_S}))
  }
}
