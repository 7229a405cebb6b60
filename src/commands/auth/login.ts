import {Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import type {AuthOptions} from '../../run/auth.js'
import type {LoginOptions} from '../../run/log-in.js'
import {loadRunFunctions} from '../../load-run-functions.js'

/** Shared with `cluster setup`, which logs in too. */
export const loginFlags = {
  username: Flags.string({description: 'User or service-account uid (default: DCOS_USERNAME, else asked).'}),
  'password-file': Flags.string({
    description: 'Read the password from this file (mode 0400 or 0600). Otherwise DCOS_PASSWORD, else asked without echo.',
    exclusive: ['private-key'],
  }),
  'private-key': Flags.string({description: "Log in as a service account: the PEM file of its private key (mode 0400 or 0600); needs --username."}),
  provider: Flags.string({description: 'Login provider id from /acs/api/v1/auth/providers (default: the one the credentials fit).'}),
}

export default class AuthLogin extends DcosCommand {
  static override summary = 'Log in to the cluster and keep the token in its dcos.toml'
  static override description =
    "Logs in as a user (username and password) or a service account (uid and private key) and stores the token as core.dcos_acs_token in the cluster's dcos.toml, which the DC/OS CLI reads too. A service account is remembered, so dcos-ts logs in again by itself when the token expires (e.g. during a long follow). A password is never an argument: it is asked without echo, read from the next line of stdin when stdin is not a terminal, or taken from --password-file or DCOS_PASSWORD."
  static override examples = [
    '<%= config.bin %> auth login',
    '<%= config.bin %> auth login --username bob --password-file ~/.dcos-password',
    '<%= config.bin %> auth login --username ci-logs --private-key ./ci-logs.pem',
  ]

  static override flags = loginFlags

  static options({flags}: Parsed<typeof AuthLogin>): LoginOptions & AuthOptions {
    return {username: flags.username, passwordFile: flags['password-file'], privateKey: flags['private-key'], provider: flags.provider, cluster: flags.cluster}
  }

  async run(): Promise<void> {
    const parsed = await this.parse(AuthLogin)
    const {connector, runAuthLogin} = await loadRunFunctions()
    const deps = await this.deps(parsed.flags)
    await runAuthLogin(AuthLogin.options(parsed), deps, connector(deps.io, parsed.flags.verbose === true))
  }
}
