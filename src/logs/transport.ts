/**
 * Which logging protocol a cluster speaks, decided once per run from /dcos-metadata/dcos-version.json
 * (unauthenticated on every DC/OS version) and confirmed by how the routes answer (see fallback.ts):
 * DC/OS 1.11+ serves logging v2, 1.9 and 1.10 logging v1 (journald; task logs only where the journald
 * container logger is on), and 1.8 and older only the Mesos files API.
 */
import {CliError} from '../errors.js'
import type {HttpClient} from '../cluster/http.js'

export type LogTransport = 'v2' | 'v1' | 'files'

export interface ClusterVersion {
  /** As the cluster says it, e.g. "2.2.0" or "1.12.3-fips". */
  version: string
  major: number
  minor: number
  /** "open" or "enterprise"; absent before DC/OS 1.12. */
  variant?: string
}

/** Lenient: suffixes such as -rc1, -dev or -fips are allowed (mesos-api.md §4). */
export function parseDcosVersion(text: string): ClusterVersion | undefined {
  const match = /^(\d+)\.(\d+)/.exec(text)
  if (match === null) return undefined
  return {version: text, major: Number(match[1]), minor: Number(match[2])}
}

export function transportFor(version: ClusterVersion | undefined): LogTransport {
  // A cluster that does not say its version is assumed current; a missing v2 route still falls back.
  if (version === undefined) return 'v2'
  if (version.major > 1 || version.minor >= 11) return 'v2'
  if (version.minor >= 9) return 'v1'
  return 'files'
}

export async function fetchClusterVersion(http: HttpClient, signal?: AbortSignal): Promise<ClusterVersion | undefined> {
  const {response, body} = await http.text('/dcos-metadata/dcos-version.json', {
    signal,
    purpose: 'reading the DC/OS version',
    allowStatuses: [404],
    expectJson: true,
  })
  if (response.status === 404) return undefined
  let metadata: unknown
  try {
    metadata = JSON.parse(body)
  } catch {
    throw new CliError('protocol', 'the cluster answered /dcos-metadata/dcos-version.json with something that is not JSON')
  }
  const raw = (metadata as {version?: unknown; 'dcos-variant'?: unknown} | null)?.version
  const version = typeof raw === 'string' ? parseDcosVersion(raw) : undefined
  if (version === undefined) throw new CliError('protocol', `the cluster reports no usable DC/OS version (${JSON.stringify(raw ?? null)})`)
  const variant = (metadata as {'dcos-variant'?: unknown})['dcos-variant']
  return typeof variant === 'string' ? {...version, variant} : version
}
