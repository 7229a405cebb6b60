import {Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import type {ClusterShowOptions} from '../../run/cluster-show.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class ClusterShow extends DcosCommand {
  static override summary = 'Show the cluster dcos-ts talks to, and where each setting comes from'
  static override description =
    'Resolves the cluster as every command does (flags, then DCOS_* environment variables, then the DC/OS CLI configuration in ~/.dcos) and prints each value with its source. The token is never printed.'
  static override examples = [
    '<%= config.bin %> cluster show',
    '<%= config.bin %> cluster show --check',
    'DCOS_CLUSTER=prod <%= config.bin %> cluster show --json',
  ]

  static override flags = {
    check: Flags.boolean({default: false, description: 'Contact the cluster: read its version and check that the token is accepted.'}),
    json: Flags.boolean({default: false, description: 'Print JSON instead of a table.'}),
  }

  static options({flags}: Parsed<typeof ClusterShow>): ClusterShowOptions {
    return {check: flags.check, json: flags.json}
  }

  async run(): Promise<void> {
    const parsed = await this.parse(ClusterShow)
    const {runClusterShow} = await loadRunFunctions()
    await runClusterShow(ClusterShow.options(parsed), await this.deps(parsed.flags))
  }
}
