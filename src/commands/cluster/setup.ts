import {Args, Flags} from '@oclif/core'
import {DcosCommand, type Parsed} from '../../base-command.js'
import type {ClusterSetupOptions} from '../../run/cluster-setup.js'
import {loginFlags} from '../auth/login.js'
import {loadRunFunctions} from '../../load-run-functions.js'

export default class ClusterSetup extends DcosCommand {
  static override summary = 'Set up a cluster: log in, store its configuration, attach it'
  static override description =
    "Logs in (as `auth login` does), reads the cluster's id from /metadata and its name from Mesos, then writes $DCOS_DIR/clusters/<id>/dcos.toml (mode 0600, folders 0700) in the DC/OS CLI's layout and attaches the cluster. Both CLIs can use it afterwards. --insecure stores core.ssl_verify = false; --ca-file copies the bundle next to dcos.toml and verifies with it."
  static override examples = [
    '<%= config.bin %> cluster setup https://dcos.example.com',
    '<%= config.bin %> cluster setup https://dcos.example.com --ca-file ./dcos-ca.crt --name prod',
    '<%= config.bin %> cluster setup https://dcos.example.com --username ci-logs --private-key ./ci-logs.pem',
  ]

  static override args = {
    url: Args.string({description: 'The cluster URL, e.g. https://dcos.example.com (https:// is assumed without a scheme)', required: true}),
  }

  static override flags = {
    ...loginFlags,
    name: Flags.string({description: 'Name for the cluster (default: the Mesos cluster name).'}),
  }

  static options({args, flags}: Parsed<typeof ClusterSetup>): ClusterSetupOptions {
    return {
      url: args.url,
      name: flags.name,
      insecure: flags.insecure,
      caFile: flags['ca-file'],
      timeout: flags.timeout,
      username: flags.username,
      passwordFile: flags['password-file'],
      privateKey: flags['private-key'],
      provider: flags.provider,
    }
  }

  async run(): Promise<void> {
    const parsed = await this.parse(ClusterSetup)
    const {connector, runClusterSetup} = await loadRunFunctions()
    const deps = await this.deps(parsed.flags)
    await runClusterSetup(ClusterSetup.options(parsed), deps, connector(deps.io, parsed.flags.verbose === true))
  }
}
