import {Flags} from '@oclif/core'
import {ReportingCommand} from '../base-command.js'
import {KNOWN_VERSIONS} from '../sim/versions.js'

export default class Sim extends ReportingCommand {
  static override summary = 'Run a simulated DC/OS cluster on 127.0.0.1 (Mesos state, logging API, files API)'
  static override description =
    'Serves a generated (or recorded, with --state) cluster until Ctrl-C: Mesos master and agent state, the Mesos event stream (Operator API SUBSCRIBE), the logging API v2/v1 and the agent files API as the chosen DC/OS version has them, with live task output. Admin endpoints (start and restart tasks, fault injection, …) live under /__sim/.'

  static override examples = ['<%= config.bin %> sim', '<%= config.bin %> sim --port 8080 --dcos-version 1.10', '<%= config.bin %> sim --auth --seed 7']

  static override flags = {
    port: Flags.integer({description: 'Port to listen on (0 picks a free one)', default: 0, min: 0, max: 65_535}),
    'dcos-version': Flags.option({description: 'DC/OS version to simulate', options: KNOWN_VERSIONS, default: '2.2'})(),
    state: Flags.file({description: 'Serve this recorded /master/state JSON instead of a generated cluster', exists: true}),
    auth: Flags.boolean({description: 'Require an ACS token (log in as bootstrapuser / deleteme)', default: false}),
    seed: Flags.integer({description: 'Seed for generated ids and log lines', default: 1}),
    'line-interval': Flags.integer({description: 'Milliseconds between generated lines of each running task (0: none)', default: 500, min: 0}),
    'dcos-log-defects': Flags.option({
      description: "How the agents' dcos-log reads task files: as the real server does (lines over 32 KiB cut, text cut at byte 512, empty lines dropped, stuck before lines of 64 KiB or more), or as it was meant to",
      options: ['real', 'none'] as const,
      default: 'real' as const,
    })(),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Sim)
    // The simulator (an HTTP server and its routes) loads only for this command.
    const {startSim} = await import('../sim/index.js')
    const sim = await startSim({
      port: flags.port,
      dcosVersion: flags['dcos-version'],
      statePath: flags.state,
      auth: flags.auth,
      seed: flags.seed,
      lineIntervalMs: flags['line-interval'],
      dcosLogDefects: flags['dcos-log-defects'],
    })
    const token = flags.auth ? ` DCOS_ACS_TOKEN=${sim.issueToken('bootstrapuser')}` : ''
    this.log(`Simulated DC/OS ${flags['dcos-version']} cluster at ${sim.url} (Ctrl-C to stop); use it with: export DCOS_URL=${sim.url}${token}`)
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await sim.close()
  }
}
