import {Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import type {NodeListOptions} from '../../run/node-list.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class NodeList extends DcosCommand {
  static override summary = "List the cluster's nodes: masters, agents and public agents"
  static override description =
    'The leading master first, then the other masters (where the cluster reports them), agents and public agents. An agent id is what `node log` and `node list-components` take.'
  static override examples = ['<%= config.bin %> node list', '<%= config.bin %> node list --json | jq -r \'select(.type == "agent") | .id\'']

  static override flags = {
    json: Flags.boolean({default: false, description: 'Print NDJSON, one node per line: id (null for masters), hostname, ip, type (master, agent, public-agent), leader'}),
  }

  static options({flags}: Parsed<typeof NodeList>): NodeListOptions {
    return {json: flags.json}
  }

  async run(): Promise<void> {
    const parsed = await this.parse(NodeList)
    const {runNodeList} = await loadRunFunctions()
    await runNodeList(NodeList.options(parsed), await this.deps(parsed.flags))
  }
}
