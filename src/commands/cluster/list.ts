import {Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import type {ClusterListOptions} from '../../run/cluster-manage.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class ClusterList extends DcosCommand {
  static override summary = 'List the configured clusters; * marks the attached one'
  static override description =
    'Lists the clusters in $DCOS_DIR/clusters (default ~/.dcos/clusters), set up by dcos-ts or the DC/OS CLI: name, id and URL. Commands use the attached cluster when nothing else chooses one.'
  static override examples = ['<%= config.bin %> cluster list', '<%= config.bin %> cluster list --json | jq -r .url']

  static override flags = {
    attached: Flags.boolean({default: false, description: 'Only the attached cluster.'}),
    json: Flags.boolean({default: false, description: 'Print NDJSON, one cluster per line: name, id, url, attached.'}),
  }

  static options({flags}: Parsed<typeof ClusterList>): ClusterListOptions {
    return {json: flags.json, attached: flags.attached}
  }

  async run(): Promise<void> {
    const parsed = await this.parse(ClusterList)
    const {runClusterList} = await loadRunFunctions()
    await runClusterList(ClusterList.options(parsed), await this.deps(parsed.flags))
  }
}
