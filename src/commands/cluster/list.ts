import {Flags} from '@oclif/core'
import {DcosCommand} from '../../base-command.js'
import {runClusterList} from '../../run/cluster-manage.js'

export default class ClusterList extends DcosCommand {
  static override summary = 'List the configured clusters; * marks the attached one'
  static override description =
    'Lists the clusters in $DCOS_DIR/clusters (default ~/.dcos/clusters), set up by dcos-ts or the DC/OS CLI: name, id and URL. Commands use the attached cluster when nothing else chooses one.'
  static override examples = ['<%= config.bin %> cluster list', '<%= config.bin %> cluster list --json | jq -r .url']

  static override flags = {
    attached: Flags.boolean({description: 'Only the attached cluster.'}),
    json: Flags.boolean({description: 'Print NDJSON, one cluster per line: name, id, url, attached.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ClusterList)
    await runClusterList({json: flags.json, attached: flags.attached}, this.deps(flags))
  }
}
