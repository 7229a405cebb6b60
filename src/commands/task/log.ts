import {Args, Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import {commandWords, outputFlags, outputOptions, parseLinesFlag, parseTaskCursor, readFlags, taskCursorFlag} from '../../log-flags.js'
import type {TaskLogOptions} from '../../run/task-log.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class TaskLog extends DcosCommand {
  static override summary = "Print a task's sandbox log, and follow it"
  static override description = `TASK is an exact task id, a task name (every instance of an app), part of an id, or a wildcard pattern; the first of these that matches anything wins. Every matching task is read, each line prefixed with its task. FILE is any sandbox file (default stdout), nested paths such as logs/app.log included.

With --follow, new lines are printed as they are written; after any interruption dcos-ts reconnects and resumes from the last line it printed (nothing lost, nothing twice), and it exits 0 when the task finishes. Ctrl-C exits 130 and prints the command that resumes every task exactly: one --cursor TASK=OFFSET each.`
  static override examples = [
    '<%= config.bin %> task log --follow web',
    '<%= config.bin %> task log web stderr --lines 100',
    '<%= config.bin %> task log web logs/app.log',
    "<%= config.bin %> task log 'web.*' --completed",
    '<%= config.bin %> task log web --completed --latest 3',
    '<%= config.bin %> task log web --output json | jq -r .message',
  ]

  static override args = {
    task: Args.string({description: 'Task id, name, part of an id, or wildcard pattern'}),
    file: Args.string({description: 'Sandbox file to read', default: 'stdout'}),
  }

  static override flags = {
    ...readFlags,
    cursor: taskCursorFlag,
    completed: Flags.boolean({default: false, description: 'Read completed tasks (including those of completed frameworks) instead of running ones', exclusive: ['all']}),
    all: Flags.boolean({default: false, description: 'Read running and completed tasks', exclusive: ['completed']}),
    'max-streams': Flags.integer({min: 1, default: 20, description: 'Most tasks to read at once; more matches is an error'}),
    latest: Flags.integer({min: 1, description: 'Only the N matching tasks that changed state last: the newest runs of an app that keeps restarting'}),
    interval: Flags.integer({min: 1, default: 1000, description: 'Milliseconds between polls when following over the files API (old clusters)'}),
    output: Flags.option({char: 'o', options: ['text', 'json'] as const, default: 'text' as const, description: 'text: the lines as written; json: NDJSON, one object a line'})(),
    ...outputFlags,
  }

  static options({args, flags, raw}: Parsed<typeof TaskLog>): TaskLogOptions {
    return {
      pattern: args.task,
      file: args.file,
      scope: {running: !flags.completed, completed: flags.completed || flags.all},
      latest: flags.latest,
      window: parseLinesFlag(flags.lines),
      follow: flags.follow,
      cursors: (flags.cursor ?? []).map(parseTaskCursor),
      maxStreams: flags['max-streams'],
      intervalMs: flags.interval,
      output: outputOptions(flags, 'task', flags.output),
      resume: {words: commandWords('task log', raw, ['lines', 'cursor']), labelled: true},
    }
  }

  async run(): Promise<void> {
    const parsed = await this.parse(TaskLog)
    const {runTaskLog} = await loadRunFunctions()
    await runTaskLog(TaskLog.options(parsed), await this.deps(parsed.flags))
  }
}
