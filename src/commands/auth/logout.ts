import {DcosCommand} from '../../base-command.js'
import {runAuthLogout} from '../../run/auth.js'

export default class AuthLogout extends DcosCommand {
  static override summary = "Forget the cluster's token"
  static override description =
    "Removes core.dcos_acs_token from the cluster's dcos.toml, and the service account dcos-ts would log in again with."
  static override examples = ['<%= config.bin %> auth logout', '<%= config.bin %> auth logout --cluster staging']

  async run(): Promise<void> {
    const {flags} = await this.parse(AuthLogout)
    await runAuthLogout(this.deps(flags))
  }
}
