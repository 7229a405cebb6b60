import {DcosCommand, type Parsed} from '../../base-command.js'
import type {AuthOptions} from '../../run/auth.js'
import {loadRunFunctions} from '../../load-run-functions.js'

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
    const {runAuthLogout} = await loadRunFunctions()
    await runAuthLogout(AuthLogout.options(parsed), await this.deps(parsed.flags))
  }
}
