import {Flags} from '@oclif/core'
import {DcosCommand} from '../../base-command.js'
import {runClusterShow} from '../../run/cluster-show.js'

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
    check: Flags.boolean({description: 'Contact the cluster: read its version and check that the token is accepted.'}),
    json: Flags.boolean({description: 'Print JSON instead of a table.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ClusterShow)
    await runClusterShow({check: flags.check, json: flags.json}, this.deps(flags))
  }
}
