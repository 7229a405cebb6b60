/**
 * `dcos-ts cluster setup URL`: the official CLI's setup (pkg/setup). Log in, read the cluster's id from
 * `/metadata` (CLUSTER_ID) and its name from the Mesos state summary, then write
 * $DCOS_DIR/clusters/<id>/dcos.toml (0600, folders 0700) and attach it. Nothing is written unless every
 * step succeeded. Running it again for a cluster already set up updates that folder, keeping other keys.
 */
import {access, chmod, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {
  DEFAULT_TIMEOUT_SECONDS,
  EMBEDDED_SIM,
  attachCluster,
  dcosDir,
  displayPath,
  listClusters,
  normaliseUrl,
  readClusterToml,
  writeClusterToml,
  type ClusterToml,
  type ResolvedCluster,
} from '../cluster/config.js'
import {CliError, isCliError, oneLine} from '../errors.js'
import type {HttpClient} from '../cluster/http.js'
import {withLogin, withoutLogin} from '../cluster/login.js'
import {logIn, type Connect, type LoginOptions} from './log-in.js'
import type {Deps} from '../deps.js'

export interface ClusterSetupOptions extends LoginOptions {
  url: string
  /** Instead of the Mesos cluster name. */
  name?: string
  insecure?: boolean
  /** A PEM bundle; copied into the cluster's folder as dcos_ca.crt, which core.ssl_verify then names. */
  caFile?: string
  /** Seconds. */
  timeout?: number
}

const CA_FILE = 'dcos_ca.crt'
/** A cluster id becomes a folder name: nothing that could leave $DCOS_DIR/clusters. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

export async function runClusterSetup(options: ClusterSetupOptions, deps: Deps, connect: Connect): Promise<void> {
  const {io} = deps
  if (options.insecure && options.caFile !== undefined) {
    throw new CliError('usage', '--insecure and --ca-file cannot be used together', {hint: '--ca-file verifies, --insecure does not'})
  }
  if (options.name === EMBEDDED_SIM) {
    throw new CliError('usage', `the name '${EMBEDDED_SIM}' is reserved: --cluster ${EMBEDDED_SIM} is the built-in simulated cluster`, {hint: 'choose another --name'})
  }
  const url = setupUrl(options.url)
  const tls: ResolvedCluster['tls'] = options.insecure ? {verify: false} : {verify: true, caFile: options.caFile === undefined ? undefined : resolve(options.caFile)}
  const tlsSource = options.insecure ? 'flag --insecure' : options.caFile !== undefined ? 'flag --ca-file' : 'default'
  const cluster: ResolvedCluster = {
    url,
    tls,
    timeoutMs: (options.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    sources: {url: 'argument URL', token: 'none', tls: tlsSource, timeout: options.timeout === undefined ? 'default' : 'flag --timeout', cluster: 'none'},
  }

  const login = await logIn(await connect(cluster), options, io)
  if (login === 'disabled') io.stderr.write('This cluster does not require authenticated requests. Skipping login.\n')
  const http = login === 'disabled' ? await connect(cluster) : await connect({...cluster, token: login.token})
  const id = await clusterId(http)
  const name = options.name ?? unreserved((await clusterName(http)) ?? id, id, io)

  const dir = join(dcosDir(io.env), 'clusters', id)
  const configPath = join(dir, 'dcos.toml')
  const toml: ClusterToml = (await exists(configPath)) ? await readClusterToml(configPath, io.env) : {}
  toml.core = {...toml.core, dcos_url: url, ssl_verify: options.insecure ? 'false' : 'true'}
  toml.cluster = {...toml.cluster, name}
  if (login === 'disabled') withoutLogin(toml)
  else withLogin(toml, login.token, login.serviceAccount)
  if (tls.caFile !== undefined) {
    const caPath = join(dir, CA_FILE)
    await mkdir(dir, {recursive: true, mode: 0o700})
    await writeFile(caPath, await readFile(tls.caFile))
    await chmod(caPath, 0o600)
    toml.core.ssl_verify = caPath
  }
  await writeClusterToml(configPath, toml)
  await attachCluster(await listClusters(io.env), id)
  io.stderr.write(`Cluster '${name}' (${id}) at ${url} is set up and attached (${displayPath(dir, io.env)}).\n`)
}

/**
 * The cluster's own name, unless it is the reserved one: `--cluster sim` would never reach it. Renamed
 * rather than refused, since the name is known only after the login.
 */
function unreserved(name: string, id: string, io: Deps['io']): string {
  if (name !== EMBEDDED_SIM) return name
  const renamed = `${EMBEDDED_SIM}-${id.slice(0, 8)}`
  io.stderr.write(`The cluster's name '${EMBEDDED_SIM}' is reserved for the built-in simulated cluster (--cluster ${EMBEDDED_SIM}): it is named '${renamed}' instead (--name chooses another).\n`)
  return renamed
}

/** The URL as given, https:// added when it has no scheme (as the official CLI does). */
function setupUrl(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `https://${raw.trim()}`
  try {
    return normaliseUrl(withScheme, 'argument URL')
  } catch (error) {
    throw isCliError(error) ? new CliError('usage', error.message, {hint: error.hint}) : error
  }
}

async function clusterId(http: HttpClient): Promise<string> {
  const metadata = await http.json<{CLUSTER_ID?: unknown}>('/metadata', {purpose: "reading the cluster's id"})
  const id = typeof metadata?.CLUSTER_ID === 'string' ? metadata.CLUSTER_ID.trim() : ''
  if (!SAFE_ID.test(id)) {
    throw new CliError('protocol', `the cluster's /metadata holds no usable CLUSTER_ID: ${oneLine(JSON.stringify(metadata ?? null), 120)}`)
  }
  return id
}

/** The Mesos cluster name (what the official CLI calls the cluster); undefined when Mesos has none. */
async function clusterName(http: HttpClient): Promise<string | undefined> {
  const summary = await http.json<{cluster?: unknown}>('/mesos/master/state-summary', {purpose: "reading the cluster's name"})
  return typeof summary?.cluster === 'string' && summary.cluster.trim() ? summary.cluster.trim() : undefined
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
