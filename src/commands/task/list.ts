import {Args, Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import type {TaskListOptions} from '../../run/task-list.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class TaskList extends DcosCommand {
  static override summary = 'List running tasks, or the tasks a pattern matches'
  static override description =
    'With PATTERN, lists exactly the tasks `task log PATTERN` reads: the task with that exact id if there is one, else the tasks with that name (every instance of an app), else the tasks whose id contains PATTERN, else those whose id matches it as a wildcard (*, ?, [abc]). Task ids are unique only per framework, so the FRAMEWORK column tells tasks with the same id apart.'
  static override examples = [
    '<%= config.bin %> task list',
    '<%= config.bin %> task list web',
    "<%= config.bin %> task list 'kafka-*' --all",
    '<%= config.bin %> task list --completed --json | jq -r .id',
  ]

  static override args = {
    pattern: Args.string({description: 'A task id, a task name, part of an id, or a wildcard pattern such as "web.*"'}),
  }

  static override flags = {
    completed: Flags.boolean({default: false, description: 'List finished tasks instead of running ones', exclusive: ['all']}),
    all: Flags.boolean({default: false, description: 'List running and finished tasks', exclusive: ['completed']}),
    json: Flags.boolean({
      default: false,
      description: 'Print NDJSON, one task per line: id, name, state, framework_id, framework, agent_id, agent, completed',
    }),
  }

  static options({args, flags}: Parsed<typeof TaskList>): TaskListOptions {
    return {pattern: args.pattern, completed: flags.completed, all: flags.all, json: flags.json}
  }

  async run(): Promise<void> {
    const parsed = await this.parse(TaskList)
    const {runTaskList} = await loadRunFunctions()
    await runTaskList(TaskList.options(parsed), await this.deps(parsed.flags))
  }
}
