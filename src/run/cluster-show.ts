/**
 * `dcos-ts cluster show`: the resolved cluster, each value with where it came from, the token redacted.
 * `--check` also asks the cluster for its version and proves the token with an authenticated call.
 */
import type {ResolvedCluster} from '../cluster/config.js'
import type {Deps} from '../deps.js'
import {hideUrlPasswords} from '../cluster/redact.js'

export interface ClusterShowOptions {
  check: boolean
  json: boolean
}

export interface ClusterCheck {
  version?: string
  variant?: string
  /** True when a token was sent and accepted; false when the cluster needed none. */
  tokenAccepted: boolean
}

interface DcosVersion {
  version?: unknown
  'dcos-variant'?: unknown
}

export async function runClusterShow(options: ClusterShowOptions, deps: Deps): Promise<void> {
  const cluster = await deps.cluster()
  const rows = describeCluster(cluster)
  if (options.json) {
    const check = options.check ? await checkCluster(cluster, deps) : undefined
    const json = {
      name: cluster.name ?? null,
      id: cluster.id ?? null,
      url: hideUrlPasswords(cluster.url),
      token: cluster.token === undefined ? null : redactToken(cluster.token),
      tls: cluster.tls,
      timeoutSeconds: cluster.timeoutMs / 1000,
      configDir: cluster.configDir ?? null,
      sources: cluster.sources,
      ...(check ? {check} : {}),
    }
    deps.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
    return
  }
  // The configuration first, so it is on screen even when the check fails.
  deps.io.stdout.write(formatRows(rows))
  if (options.check) deps.io.stdout.write(formatRows([['check', describeCheck(await checkCluster(cluster, deps)), '']]))
}

type Row = [label: string, value: string, source: string]

function describeCluster(cluster: ResolvedCluster): Row[] {
  const {sources} = cluster
  return [
    ['name', cluster.name ?? 'none', sources.cluster],
    ['id', cluster.id ?? 'none', sources.cluster],
    ['url', hideUrlPasswords(cluster.url), sources.url],
    ['token', cluster.token === undefined ? 'not set' : redactToken(cluster.token), sources.token],
    ['tls', describeTls(cluster), sources.tls],
    ['timeout', `${cluster.timeoutMs / 1000} s`, sources.timeout],
  ]
}

function describeTls(cluster: ResolvedCluster): string {
  if (cluster.url.startsWith('http:')) return 'not used (http URL)'
  if (!cluster.tls.verify) return 'insecure: the certificate is not verified'
  return cluster.tls.caFile ? `verify with CA bundle ${cluster.tls.caFile}` : 'verify with the system CAs'
}

/** Enough to recognise a token (a JWT always starts "eyJ"), never enough to use it. */
export function redactToken(token: string): string {
  const prefix = token.length >= 16 ? token.slice(0, 4) : ''
  return `${prefix}…(redacted, ${token.length} chars)`
}

function formatRows(rows: Row[]): string {
  const labelWidth = Math.max(...rows.map(([label]) => label.length))
  const valueWidth = Math.max(...rows.map(([, value]) => value.length))
  return rows
    .map(([label, value, source]) => `${label.padEnd(labelWidth)}  ${source ? `${value.padEnd(valueWidth)}  (${source})` : value}\n`)
    .join('')
}

async function checkCluster(cluster: ResolvedCluster, deps: Deps): Promise<ClusterCheck> {
  const http = await deps.http()
  const metadata = await http.json<DcosVersion>('/dcos-metadata/dcos-version.json', {purpose: 'reading the DC/OS version'})
  // Behind Admin Router every Mesos route needs a valid token: this proves it (or that none is needed).
  await http.json('/mesos/master/state-summary', {purpose: 'checking the token'})
  return {
    version: typeof metadata.version === 'string' ? metadata.version : undefined,
    variant: typeof metadata['dcos-variant'] === 'string' ? metadata['dcos-variant'] : undefined,
    tokenAccepted: cluster.token !== undefined,
  }
}

function describeCheck(check: ClusterCheck): string {
  const version = check.version ? `DC/OS ${check.version}${check.variant ? ` (${check.variant})` : ''}` : 'DC/OS version unknown'
  return `reachable, ${version}, ${check.tokenAccepted ? 'token accepted' : 'no token needed'}`
}
