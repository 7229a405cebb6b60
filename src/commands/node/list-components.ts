import {Args, Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import type {NodeListComponentsOptions} from '../../run/node-list.js'
import {pickMesosId} from '../../log-flags.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class NodeListComponents extends DcosCommand {
  static override summary = "List a node's DC/OS components (systemd units), as `node log --component` takes them"
  static override description = 'Lists the units of the leading master unless MESOS_ID names an agent.'
  static override examples = ['<%= config.bin %> node list-components', '<%= config.bin %> node list-components <agent-id> --json']

  static override args = {
    mesos_id: Args.string({description: "An agent's Mesos id (default: the leading master)"}),
  }

  static override flags = {
    leader: Flags.boolean({default: false, description: 'The leading master (the default when no MESOS_ID is given)'}),
    'mesos-id': Flags.string({description: 'Same as MESOS_ID (as the DC/OS CLI spelled it)'}),
    json: Flags.boolean({default: false, description: 'Print NDJSON, one unit per line: id, name, health (null where the cluster does not report them)'}),
  }

  static options({args, flags}: Parsed<typeof NodeListComponents>): NodeListComponentsOptions {
    return {target: {mesosId: pickMesosId(args.mesos_id, flags['mesos-id']), leader: flags.leader}, json: flags.json}
  }

  async run(): Promise<void> {
    const parsed = await this.parse(NodeListComponents)
    const {runNodeListComponents} = await loadRunFunctions()
    await runNodeListComponents(NodeListComponents.options(parsed), await this.deps(parsed.flags))
  }
}
