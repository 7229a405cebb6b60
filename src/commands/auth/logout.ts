import {DcosCommand, type Parsed} from '../../base-command.js'
import {type AuthOptions, runAuthLogout} from '../../run/auth.js'

export default class AuthLogout extends DcosCommand {
  static override summary = "Forget the cluster's token"
  static override description =
    "Removes core.dcos_acs_token from the cluster's dcos.toml, and the service account dcos-ts would log in again with."
  static override examples = ['<%= config.bin %> auth logout', '<%= config.bin %> auth logout --cluster staging']

  static options({flags}: Parsed<typeof AuthLogout>): AuthOptions {
    return {cluster: flags.cluster}
  }

  async run(): Promise<void> {
    const parsed = await this.parse(AuthLogout)
    await runAuthLogout(AuthLogout.options(parsed), this.deps(parsed.flags))
  }
}
