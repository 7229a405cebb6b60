/**
 * `dcos-ts auth login` and `dcos-ts auth logout` (the login step itself, which `cluster setup` shares, is log-in.ts).
 */
import {join} from 'node:path'
import {EMBEDDED_SIM, readClusterToml, writeClusterToml, type ResolvedCluster} from '../cluster/config.js'
import {CliError} from '../errors.js'
import {withLogin, withoutLogin} from '../cluster/login.js'
import type {Deps} from '../deps.js'
import {type Connect, type LoginOptions, logIn} from './log-in.js'

export interface AuthOptions {
  /** --cluster as typed: the built-in simulated cluster is refused before it starts. */
  cluster?: string
}

export async function runAuthLogin(options: LoginOptions & AuthOptions, deps: Deps, connect: Connect): Promise<void> {
  refuseEmbeddedSim(options, 'log in to')
  const cluster = await deps.cluster()
  const configPath = clusterConfigPath(cluster, 'log in to')
  const result = await logIn(await connect({...cluster, token: undefined}), options, deps.io)
  if (result === 'disabled') {
    deps.io.stderr.write('This cluster does not require authenticated requests; there is nothing to log in to.\n')
    return
  }
  await writeClusterToml(configPath, withLogin(await readClusterToml(configPath, deps.io.env), result.token, result.serviceAccount))
  deps.io.stderr.write(`Logged in${result.uid ? ` as '${result.uid}'` : ''} to ${describeCluster(cluster)}.\n`)
}

export async function runAuthLogout(options: AuthOptions, deps: Deps): Promise<void> {
  refuseEmbeddedSim(options, 'log out of')
  const cluster = await deps.cluster()
  const configPath = clusterConfigPath(cluster, 'log out of')
  const toml = await readClusterToml(configPath, deps.io.env)
  if (withoutLogin(toml)) await writeClusterToml(configPath, toml)
  deps.io.stderr.write(`Logged out of ${describeCluster(cluster)}.\n`)
}

/**
 * `--cluster sim` needs no token and keeps none: it lives as long as this command, so neither a login nor
 * the usual hint (`cluster setup` its URL) could outlive it.
 */
function refuseEmbeddedSim(options: AuthOptions, verb: string): void {
  if (options.cluster !== EMBEDDED_SIM) return
  throw new CliError('usage', `cannot ${verb} the built-in simulated cluster (--cluster ${EMBEDDED_SIM}): it needs no token, and it ends with this command`, {
    hint: `for one that asks for a login, run \`dcos-ts sim --auth\` and \`dcos-ts cluster setup\` the URL it prints`,
  })
}

/** The dcos.toml a login is kept in: only a cluster set up in $DCOS_DIR has one. */
function clusterConfigPath(cluster: ResolvedCluster, verb: string): string {
  if (cluster.configDir === undefined) {
    throw new CliError('config', `cannot ${verb} ${cluster.url}: it is not a configured cluster (${cluster.sources.url}), so there is no dcos.toml to keep the token in`, {
      hint: `run \`dcos-ts cluster setup ${cluster.url}\`, which logs in too`,
    })
  }
  return join(cluster.configDir, 'dcos.toml')
}

function describeCluster(cluster: ResolvedCluster): string {
  return cluster.name ? `'${cluster.name}' (${cluster.url})` : cluster.url
}
