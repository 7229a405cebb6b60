/**
 * Which cluster to talk to, and how. Reads what the official DC/OS CLI already wrote, so its users need no
 * new configuration: `$DCOS_DIR` (default ~/.dcos) holds `clusters/<id>/dcos.toml` and an `attached` marker.
 *
 * Precedence, field by field: flags, then environment, then the selected cluster's dcos.toml, then defaults.
 * The cluster folder is chosen by `--cluster`, else by the URL (`--url`/DCOS_URL matching a configured
 * core.dcos_url), else DCOS_CLUSTER (name or id, exact), else the attached cluster, else the only one.
 * A configured cluster's token is only ever used for that cluster's own URL: `--url` pointing elsewhere
 * never picks up the attached cluster's token. `--cluster` takes the URL and token from that cluster's
 * dcos.toml whole: DCOS_URL and DCOS_ACS_TOKEN (which belong to another cluster then) are ignored.
 */
import {constants} from 'node:fs'
import {access, chmod, mkdir, readdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {parse as parseToml, stringify as stringifyToml} from 'smol-toml'
import {CliError, oneLine} from '../errors.js'
import {fileError, readSecureFile} from './secure-file.js'

export interface ClusterFlags {
  url?: string
  cluster?: string
  insecure?: boolean
  caFile?: string
  /** Seconds. */
  timeout?: number
  tokenFile?: string
}

export interface ResolvedCluster {
  /** http(s) URL without a trailing slash. */
  url: string
  token?: string
  tls: {verify: boolean; caFile?: string}
  timeoutMs: number
  name?: string
  id?: string
  /** The cluster's folder, when the cluster came from the DC/OS CLI config. */
  configDir?: string
  /** Where each value came from ("flag --url", "env DCOS_URL", "~/.dcos/clusters/<id>/dcos.toml", "default"). */
  sources: Record<'url' | 'token' | 'tls' | 'timeout' | 'cluster', string>
}

/** The subset of dcos.toml that dcos-ts reads; other sections and keys are kept as they are on write. */
export interface ClusterToml {
  core?: {
    dcos_url?: string
    dcos_acs_token?: string
    /** A boolean, a boolean string, "" (system CAs) or the path of a PEM bundle. */
    ssl_verify?: string | boolean
    /** Seconds, as an integer or a string. */
    timeout?: number | string
    [key: string]: unknown
  }
  cluster?: {name?: string; [key: string]: unknown}
  [section: string]: unknown
}

/** One folder under $DCOS_DIR/clusters. */
export interface ConfiguredCluster {
  id: string
  dir: string
  configPath: string
  attached: boolean
  name?: string
  url?: string
  toml: ClusterToml
  /** Why its dcos.toml cannot be read (toml is then empty): it can be listed and removed, not used. */
  broken?: CliError
}

export const DEFAULT_TIMEOUT_SECONDS = 60
const CONFIG_FILE = 'dcos.toml'
const ATTACHED_MARKER = 'attached'
const SETUP_HINT = 'run `dcos-ts cluster setup URL`, set DCOS_URL, or pass --url; to try dcos-ts without a cluster, pass --cluster sim'

/**
 * The reserved cluster name: `--cluster sim` starts the simulated cluster inside the process, whatever
 * is configured (run/create-deps.ts), so `cluster setup` gives no configured cluster this name.
 */
export const EMBEDDED_SIM = 'sim'

/** $DCOS_DIR made absolute, else ~/.dcos (HOME taken from env so tests can isolate it). */
export function dcosDir(env: NodeJS.ProcessEnv): string {
  if (env.DCOS_DIR) return resolve(env.DCOS_DIR)
  return join(env.HOME || homedir(), '.dcos')
}

/** A path for messages: the home folder shown as ~. */
export function displayPath(path: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || homedir()
  return home && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path
}

export async function readClusterToml(path: string, env: NodeJS.ProcessEnv = {}): Promise<ClusterToml> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new CliError('config', `cannot read ${displayPath(path, env)}: ${fileError(error)}`, {cause: error})
  }
  try {
    return parseToml(text) as ClusterToml
  } catch (error) {
    const detail = oneLine(fileError(error).split('\n')[0] ?? '')
    throw new CliError('config', `${displayPath(path, env)} is not valid TOML: ${detail}`, {
      cause: error,
      hint: 'fix or remove the file',
    })
  }
}

/**
 * Writes a dcos.toml with mode 0600 in a 0700 folder, atomically (a crash never leaves half a file). A
 * cluster's folder made more open before (by hand, or an older CLI) is tightened: it holds the token.
 */
export async function writeClusterToml(path: string, toml: ClusterToml): Promise<void> {
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  await chmod(dirname(path), 0o700)
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, `${stringifyToml(toml)}\n`, {mode: 0o600})
  await rename(temporary, path)
}

/**
 * Every configured cluster, sorted by name then id. A folder without dcos.toml is skipped, as the DC/OS CLI
 * does; one whose dcos.toml cannot be read is there, `broken`, so that it can be listed and removed.
 */
export async function listClusters(env: NodeJS.ProcessEnv): Promise<ConfiguredCluster[]> {
  const clustersDir = join(dcosDir(env), 'clusters')
  let ids: string[]
  try {
    ids = (await readdir(clustersDir, {withFileTypes: true})).filter((e) => e.isDirectory()).map((e) => e.name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new CliError('config', `cannot read ${displayPath(clustersDir, env)}: ${fileError(error)}`, {cause: error})
  }
  const clusters = await Promise.all(
    ids.map(async (id): Promise<ConfiguredCluster | undefined> => {
      const dir = join(clustersDir, id)
      const configPath = join(dir, CONFIG_FILE)
      if (!(await exists(configPath))) return undefined
      const attached = await exists(join(dir, ATTACHED_MARKER))
      try {
        const toml = await readClusterToml(configPath, env)
        return {id, dir, configPath, attached, name: stringValue(toml.cluster?.name), url: stringValue(toml.core?.dcos_url), toml}
      } catch (error) {
        if (!(error instanceof CliError)) throw error
        const broken = new CliError(error.kind, error.message, {cause: error.cause, hint: `fix it, or remove the cluster: \`dcos-ts cluster remove ${id}\``})
        return {id, dir, configPath, attached, toml: {}, broken}
      }
    }),
  )
  return clusters
    .filter((cluster): cluster is ConfiguredCluster => cluster !== undefined)
    .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id) || a.id.localeCompare(b.id))
}

/** Exact name or id, as the DC/OS CLI matches DCOS_CLUSTER (no prefixes). */
export function findCluster(clusters: ConfiguredCluster[], nameOrId: string, source: string): ConfiguredCluster {
  const matches = clusters.filter((cluster) => cluster.id === nameOrId || cluster.name === nameOrId)
  if (matches.length === 1) return matches[0]
  if (matches.length === 0) {
    const known = clusters.map((cluster) => cluster.name ?? cluster.id).join(', ')
    throw new CliError('config', `no configured cluster is named or has the id '${nameOrId}' (${source})`, {
      hint: known ? `configured: ${known}` : SETUP_HINT,
    })
  }
  throw new CliError('config', `several clusters are named '${nameOrId}' (${source})`, {
    hint: `use the cluster id instead: ${matches.map((cluster) => cluster.id).join(', ')}`,
  })
}

/** Moves the `attached` marker to one cluster (the DC/OS CLI's `cluster attach`). */
export async function attachCluster(clusters: ConfiguredCluster[], id: string): Promise<void> {
  await Promise.all(
    clusters.filter((cluster) => cluster.attached && cluster.id !== id).map((cluster) => rm(join(cluster.dir, ATTACHED_MARKER), {force: true})),
  )
  const target = clusters.find((cluster) => cluster.id === id)
  if (!target) throw new CliError('not-found', `no configured cluster has the id '${id}'`)
  await writeFile(join(target.dir, ATTACHED_MARKER), '', {mode: 0o600})
}

/** Validates a cluster URL and drops the trailing slash. */
export function normaliseUrl(raw: string, source: string): string {
  const kind = source.startsWith('flag') ? 'usage' : 'config'
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new CliError(kind, `'${raw}' (${source}) is not a URL`, {hint: 'expected e.g. https://dcos.example.com'})
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError(kind, `'${raw}' (${source}) is not an http or https URL`, {hint: 'expected e.g. https://dcos.example.com'})
  }
  url.search = ''
  url.hash = ''
  return url.toString().replace(/\/+$/, '')
}

export async function resolveCluster(flags: ClusterFlags, env: NodeJS.ProcessEnv): Promise<ResolvedCluster> {
  if (flags.url !== undefined && flags.cluster !== undefined) {
    throw new CliError('usage', '--url and --cluster cannot be used together', {hint: 'pick the cluster one way'})
  }
  const selected = await selectCluster(flags, env)
  const toml = selected?.toml
  const tomlSource = selected ? displayPath(selected.configPath, env) : ''

  const url = resolveUrl(flags, env, selected, tomlSource)
  const token = await resolveToken(flags, env, toml, tomlSource)
  const tls = resolveTls(flags, env, toml, tomlSource)
  const timeout = resolveTimeout(flags, env, toml, tomlSource)

  return {
    url: url.value,
    token: token.value,
    tls: tls.value,
    timeoutMs: timeout.value,
    name: stringValue(toml?.cluster?.name),
    id: selected?.cluster?.id,
    configDir: selected?.cluster?.dir,
    sources: {url: url.source, token: token.source, tls: tls.source, timeout: timeout.source, cluster: selected?.how ?? 'none'},
  }
}

interface Selected {
  toml: ClusterToml
  configPath: string
  /** How it was chosen, for `cluster show`. */
  how: string
  /** Absent for the legacy global dcos.toml. */
  cluster?: ConfiguredCluster
}

interface Resolved<T> {
  value: T
  source: string
}

async function selectCluster(flags: ClusterFlags, env: NodeJS.ProcessEnv): Promise<Selected | undefined> {
  const clusters = await listClusters(env)
  // A broken one may be the cluster meant (its name and URL unknown): none is chosen past it.
  const broken = clusters.find((cluster) => cluster.broken !== undefined)?.broken
  if (broken !== undefined) throw broken
  const pick = (cluster: ConfiguredCluster, how: string): Selected => ({toml: cluster.toml, configPath: cluster.configPath, how, cluster})

  if (flags.cluster !== undefined) return pick(findCluster(clusters, flags.cluster, 'flag --cluster'), 'flag --cluster')

  const explicitUrl = flags.url ?? (env.DCOS_URL || undefined)
  if (explicitUrl !== undefined) {
    const wanted = normaliseUrl(explicitUrl, flags.url === undefined ? 'env DCOS_URL' : 'flag --url')
    const byUrl = clusters.filter((cluster) => cluster.url !== undefined && sameUrl(cluster.url, wanted))
    if (byUrl.length === 0) return undefined
    // Several folders for one URL (set up twice): prefer the one DCOS_CLUSTER or the marker points at.
    const preferred = byUrl.find((c) => c.id === env.DCOS_CLUSTER || c.name === env.DCOS_CLUSTER) ?? byUrl.find((c) => c.attached)
    return pick(preferred ?? byUrl[0], 'matches the URL')
  }

  if (env.DCOS_CLUSTER) return pick(findCluster(clusters, env.DCOS_CLUSTER, 'env DCOS_CLUSTER'), 'env DCOS_CLUSTER')

  const attached = clusters.filter((cluster) => cluster.attached)
  if (attached.length === 1) return pick(attached[0], `attached (${displayPath(join(attached[0].dir, ATTACHED_MARKER), env)})`)
  if (attached.length > 1) {
    throw new CliError('config', `several clusters are attached: ${attached.map((c) => c.name ?? c.id).join(', ')}`, {
      hint: 'run `dcos-ts cluster attach NAME`, set DCOS_CLUSTER, or pass --cluster',
    })
  }
  if (clusters.length === 1) return pick(clusters[0], 'the only configured cluster')
  if (clusters.length > 1) {
    throw new CliError('config', `no cluster is attached among ${clusters.length} configured clusters`, {
      hint: 'run `dcos-ts cluster attach NAME`, set DCOS_CLUSTER, or pass --cluster',
    })
  }
  return selectLegacy(env)
}

/** Before DC/OS CLI 0.7, one global dcos.toml (or $DCOS_CONFIG) held the only cluster. */
async function selectLegacy(env: NodeJS.ProcessEnv): Promise<Selected | undefined> {
  const configPath = env.DCOS_CONFIG ? resolve(env.DCOS_CONFIG) : join(dcosDir(env), CONFIG_FILE)
  if (!(await exists(configPath))) return undefined
  const toml = await readClusterToml(configPath, env)
  if (stringValue(toml.core?.dcos_url) === undefined) return undefined
  return {toml, configPath, how: `legacy ${displayPath(configPath, env)}`}
}

function resolveUrl(flags: ClusterFlags, env: NodeJS.ProcessEnv, selected: Selected | undefined, tomlSource: string): Resolved<string> {
  if (flags.url !== undefined) return {value: normaliseUrl(flags.url, 'flag --url'), source: 'flag --url'}
  if (env.DCOS_URL && flags.cluster === undefined) return {value: normaliseUrl(env.DCOS_URL, 'env DCOS_URL'), source: 'env DCOS_URL'}
  const configured = stringValue(selected?.toml.core?.dcos_url)
  if (selected && configured) return {value: normaliseUrl(configured, `${tomlSource} core.dcos_url`), source: tomlSource}
  if (selected) {
    throw new CliError('config', `${tomlSource} has no core.dcos_url`, {hint: SETUP_HINT})
  }
  throw new CliError('config', 'no cluster is configured', {hint: SETUP_HINT})
}

async function resolveToken(
  flags: ClusterFlags,
  env: NodeJS.ProcessEnv,
  toml: ClusterToml | undefined,
  tomlSource: string,
): Promise<Resolved<string | undefined>> {
  if (flags.tokenFile !== undefined) {
    const source = `flag --token-file ${flags.tokenFile}`
    // Refused when others may read it, as key and password files are.
    const token = (await readSecureFile(flags.tokenFile, 'token file')).trim()
    if (!token) throw new CliError('config', `the token file ${flags.tokenFile} is empty`)
    return {value: token, source}
  }
  if (env.DCOS_ACS_TOKEN && flags.cluster === undefined) return {value: env.DCOS_ACS_TOKEN.trim(), source: 'env DCOS_ACS_TOKEN'}
  const configured = stringValue(toml?.core?.dcos_acs_token)
  if (configured) return {value: configured, source: tomlSource}
  return {value: undefined, source: 'none'}
}

function resolveTls(flags: ClusterFlags, env: NodeJS.ProcessEnv, toml: ClusterToml | undefined, tomlSource: string): Resolved<ResolvedCluster['tls']> {
  if (flags.insecure && flags.caFile !== undefined) {
    throw new CliError('usage', '--insecure and --ca-file cannot be used together', {hint: '--ca-file verifies, --insecure does not'})
  }
  if (flags.insecure) return {value: {verify: false}, source: 'flag --insecure'}
  if (flags.caFile !== undefined) return {value: {verify: true, caFile: resolve(flags.caFile)}, source: 'flag --ca-file'}
  if (env.DCOS_SSL_VERIFY) return {value: parseSslVerify(env.DCOS_SSL_VERIFY), source: 'env DCOS_SSL_VERIFY'}
  // What the official `dcos` hands its plugins.
  if (env.DCOS_TLS_INSECURE && parseBool(env.DCOS_TLS_INSECURE) !== false) {
    return {value: {verify: false}, source: 'env DCOS_TLS_INSECURE'}
  }
  if (env.DCOS_TLS_CA_PATH) return {value: {verify: true, caFile: resolve(env.DCOS_TLS_CA_PATH)}, source: 'env DCOS_TLS_CA_PATH'}
  const configured = toml?.core?.ssl_verify
  if (configured !== undefined && configured !== '') {
    return {value: parseSslVerify(configured), source: `${tomlSource} core.ssl_verify`}
  }
  return {value: {verify: true}, source: 'default'}
}

/** core.ssl_verify: a boolean (Go's strconv.ParseBool spellings) or the path of a CA bundle. */
export function parseSslVerify(value: string | boolean): ResolvedCluster['tls'] {
  if (typeof value === 'boolean') return {verify: value}
  const flag = parseBool(value)
  if (flag !== undefined) return {verify: flag}
  return {verify: true, caFile: resolve(value)}
}

function resolveTimeout(flags: ClusterFlags, env: NodeJS.ProcessEnv, toml: ClusterToml | undefined, tomlSource: string): Resolved<number> {
  if (flags.timeout !== undefined) return {value: seconds(flags.timeout, 'flag --timeout', 'usage'), source: 'flag --timeout'}
  if (env.DCOS_TIMEOUT) return {value: seconds(env.DCOS_TIMEOUT, 'env DCOS_TIMEOUT', 'config'), source: 'env DCOS_TIMEOUT'}
  const configured = toml?.core?.timeout
  if (configured !== undefined && configured !== '') {
    const source = `${tomlSource} core.timeout`
    return {value: seconds(configured, source, 'config'), source}
  }
  return {value: DEFAULT_TIMEOUT_SECONDS * 1000, source: 'default'}
}

function seconds(value: number | string, source: string, kind: 'usage' | 'config'): number {
  const parsed = typeof value === 'number' ? value : Number(value.trim())
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new CliError(kind, `timeout '${value}' (${source}) is not a positive number of seconds`)
  }
  return Math.round(parsed * 1000)
}

const TRUE_STRINGS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True'])
const FALSE_STRINGS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False'])

function parseBool(value: string): boolean | undefined {
  const trimmed = value.trim()
  if (TRUE_STRINGS.has(trimmed)) return true
  if (FALSE_STRINGS.has(trimmed)) return false
  return undefined
}

function sameUrl(a: string, b: string): boolean {
  try {
    return normaliseUrl(a, 'config') === b
  } catch {
    return false
  }
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK)
    return true
  } catch {
    return false
  }
}

