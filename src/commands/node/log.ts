import {Args, Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import {commandWords, outputFlags, outputOptions, parseLinesFlag, parseTimeRange, pickMesosId, readFlags} from '../../log-flags.js'
import {parseJournalFilter} from '../../logs/sources/journal.js'
import type {NodeLogOptions} from '../../run/node-log.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class NodeLog extends DcosCommand {
  static override summary = "Print a node's journal (DC/OS component logs), and follow it"
  static override description = `Reads the leading master's journal unless MESOS_ID names an agent (\`dcos-ts node list\` shows the ids). --component takes a unit as \`node list-components\` prints it, or a short name: adminrouter means dcos-adminrouter.service, docker means docker.service.

With --follow, new entries are printed as they are written; after any interruption dcos-ts resumes from the last entry it printed (nothing lost, nothing twice). Ctrl-C exits 130 and prints the command that resumes exactly there (with --cursor).`
  static override examples = [
    '<%= config.bin %> node log --component adminrouter',
    '<%= config.bin %> node log --follow --component mesos-master',
    '<%= config.bin %> node log <agent-id> --component docker --since 10m',
    '<%= config.bin %> node log --filter PRIORITY:3 --lines 50',
    '<%= config.bin %> node log --component marathon --output json | jq -r .MESSAGE',
  ]

  static override args = {
    mesos_id: Args.string({description: "An agent's Mesos id (default: the leading master)"}),
  }

  static override flags = {
    ...readFlags,
    lines: Flags.string({
      char: 'n',
      description: 'Print the last N entries first (a negative N means the same; `all` for everything) [default: 10, or all since --since]',
    }),
    all: Flags.boolean({default: false, description: 'Print the whole journal, from its first entry', exclusive: ['lines', 'cursor', 'since']}),
    leader: Flags.boolean({default: false, description: 'Read the leading master (the default when no MESOS_ID is given)'}),
    'mesos-id': Flags.string({description: 'Same as MESOS_ID (as the DC/OS CLI spelled it)'}),
    component: Flags.string({char: 'c', description: 'Only this unit: adminrouter, dcos-mesos-master, docker.service, ...'}),
    filter: Flags.string({multiple: true, multipleNonGreedy: true, description: 'Only entries whose journal FIELD has this value, as FIELD:VALUE (repeatable: all must hold)'}),
    since: Flags.string({description: 'Only entries written since this time: a duration back from now (10m, 1h30m, 2d) or an RFC 3339 time'}),
    until: Flags.string({description: 'Only entries written until this time (same forms as --since)'}),
    output: Flags.option({
      char: 'o',
      options: ['short', 'cat', 'json', 'json-pretty'] as const,
      default: 'short' as const,
      description: 'short: time, host, identifier[pid] and message; cat: the message only; json: one journal entry a line (journal field names); json-pretty: indented',
    })(),
    ...outputFlags,
  }

  static options({args, flags, raw}: Parsed<typeof NodeLog>): NodeLogOptions {
    return {
      target: {mesosId: pickMesosId(args.mesos_id, flags['mesos-id']), leader: flags.leader},
      component: flags.component,
      filters: (flags.filter ?? []).map(parseJournalFilter),
      window: flags.all ? {kind: 'all'} : flags.lines === undefined ? undefined : parseLinesFlag(flags.lines),
      ...parseTimeRange(flags.since, flags.until, Date.now()),
      follow: flags.follow,
      cursor: flags.cursor,
      output: outputOptions(flags, 'component', flags.output),
      resumeWords: commandWords('node log', raw, ['lines', 'cursor', 'all', 'since']),
    }
  }

  async run(): Promise<void> {
    const parsed = await this.parse(NodeLog)
    const {runNodeLog} = await loadRunFunctions()
    await runNodeLog(NodeLog.options(parsed), await this.deps(parsed.flags))
  }
}
