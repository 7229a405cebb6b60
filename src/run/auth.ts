/**
 * `dcos-ts auth login` and `dcos-ts auth logout` (the login step itself, which `cluster setup` shares, is log-in.ts).
 */
import {join} from 'node:path'
import {readClusterToml, writeClusterToml, type ResolvedCluster} from '../cluster/config.js'
import {CliError} from '../errors.js'
import {withLogin, withoutLogin} from '../cluster/login.js'
import type {Deps} from '../deps.js'
import {type Connect, type LoginOptions, logIn} from './log-in.js'

export async function runAuthLogin(options: LoginOptions, deps: Deps, connect: Connect): Promise<void> {
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

export async function runAuthLogout(deps: Deps): Promise<void> {
  const cluster = await deps.cluster()
  const configPath = clusterConfigPath(cluster, 'log out of')
  const toml = await readClusterToml(configPath, deps.io.env)
  if (withoutLogin(toml)) await writeClusterToml(configPath, toml)
  deps.io.stderr.write(`Logged out of ${describeCluster(cluster)}.\n`)
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
