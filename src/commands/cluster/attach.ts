import {Args} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class ClusterAttach extends DcosCommand {
  static override summary = 'Make a configured cluster the one commands use'
  static override description = 'Moves the `attached` marker to the cluster with this exact name or id (the DC/OS CLI reads the same marker).'
  static override examples = ['<%= config.bin %> cluster attach prod', '<%= config.bin %> cluster attach 7f3e9c1a-2b4d-4e6f-8a0b-1c2d3e4f5a6b']

  static override args = {
    cluster: Args.string({description: 'Name or id of a configured cluster', required: true}),
  }

  /** The name or id to attach. */
  static options({args}: Parsed<typeof ClusterAttach>): string {
    return args.cluster
  }

  async run(): Promise<void> {
    const parsed = await this.parse(ClusterAttach)
    const {runClusterAttach} = await loadRunFunctions()
    await runClusterAttach(ClusterAttach.options(parsed), await this.deps(parsed.flags))
  }
}
