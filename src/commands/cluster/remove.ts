import {Args, Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import type {ClusterRemoveOptions} from '../../run/cluster-manage.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class ClusterRemove extends DcosCommand {
  static override summary = "Remove a configured cluster (its folder, token included)"
  static override description = 'Deletes $DCOS_DIR/clusters/<id> of the cluster with this exact name or id, for dcos-ts and the DC/OS CLI alike.'
  static override examples = ['<%= config.bin %> cluster remove staging', '<%= config.bin %> cluster remove --all']

  static override args = {
    cluster: Args.string({description: 'Name or id of a configured cluster'}),
  }

  static override flags = {
    all: Flags.boolean({default: false, description: 'Remove every configured cluster.'}),
  }

  static options({args, flags}: Parsed<typeof ClusterRemove>): ClusterRemoveOptions {
    return {nameOrId: args.cluster, all: flags.all}
  }

  async run(): Promise<void> {
    const parsed = await this.parse(ClusterRemove)
    const {runClusterRemove} = await loadRunFunctions()
    await runClusterRemove(ClusterRemove.options(parsed), await this.deps(parsed.flags))
  }
}
