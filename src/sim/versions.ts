/** What each simulated DC/OS version serves (reference/mesos-api.md §4, dcos-log-server.md §13). */

export interface DcosVersion {
  /** The short form asked for, e.g. '2.2', '1.10'. */
  name: string
  /** dcos-version.json `version`. */
  full: string
  mesos: string
  /** Logging API v2 (task discovery, agent task routes, component logs): 1.11 and later. */
  logsV2: boolean
  /** Logging API v1 (journald range/stream): 1.9 and later. */
  logsV1: boolean
  /** Task output goes to the journal (journald container logger) where only logging v1 exists: 1.9, 1.10. */
  journaldLogger: boolean
  /** dcos-version.json carries dcos-variant from 1.12. */
  variant: boolean
  /** Status container_id (Mesos 1.2) and pods / the DEFAULT executor: 1.9 and later. */
  containerIds: boolean
  /** leader_info in /master/state: Mesos 1.1, DC/OS 1.9. */
  leaderInfo: boolean
  /** The Operator API's SUBSCRIBE event stream: Mesos 1.1, DC/OS 1.9. */
  operatorSubscribe: boolean
  /** /master/state.json exists up to Mesos 1.6 (DC/OS 1.11). */
  stateJsonAlias: boolean
  /** Mesos ≤ 1.6 writes `/` as `\/` in /files/read data. */
  escapesSlash: boolean
  /** Mesos 1.0 clamps /files/read `offset` past EOF to the size. */
  clampsReadOffset: boolean
  /** Admin Router accepts `Authorization: Bearer` from 1.11. */
  bearer: boolean
}

const TABLE: Record<string, [full: string, mesos: string]> = {
  '2.2': ['2.2.5', '1.11.0'],
  '2.1': ['2.1.4', '1.10.1'],
  '2.0': ['2.0.11', '1.9.1'],
  '1.13': ['1.13.9', '1.8.2'],
  '1.12': ['1.12.5', '1.7.3'],
  '1.11': ['1.11.12', '1.5.3'],
  '1.10': ['1.10.11', '1.4.3'],
  '1.9': ['1.9.10', '1.2.3'],
  '1.8': ['1.8.9', '1.0.4'],
}

export const KNOWN_VERSIONS = Object.keys(TABLE)

export function dcosVersion(name = '2.2'): DcosVersion {
  const entry = TABLE[name]
  if (entry === undefined) throw new Error(`unknown DC/OS version ${name}; known: ${KNOWN_VERSIONS.join(', ')}`)
  const [major, minor] = name.split('.').map(Number)
  const n = major * 100 + minor
  return {
    name,
    full: entry[0],
    mesos: entry[1],
    logsV2: n >= 111,
    logsV1: n >= 109,
    journaldLogger: n >= 109 && n < 111,
    variant: n >= 112,
    containerIds: n >= 109,
    leaderInfo: n >= 109,
    operatorSubscribe: n >= 109,
    stateJsonAlias: n <= 111,
    escapesSlash: n <= 111,
    clampsReadOffset: n <= 108,
    bearer: n >= 111,
  }
}
