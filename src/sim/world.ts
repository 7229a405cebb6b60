import type {AuthService} from './auth.js'
import type {ClusterModel} from './cluster-model.js'
import type {Journal} from './journal.js'
import type {BodyStream} from './respond.js'
import type {Sandboxes} from './sandbox.js'
import type {DcosLogReadStats} from './file-reader.js'
import type {DcosVersion} from './versions.js'

/** A node running dcos-log: the leading master or an agent. */
export interface LogNode {
  role: 'master' | 'agent'
  mesosId: string
  ip: string
  journal: Journal
}

/** Everything the route modules share. */
export interface World {
  version: DcosVersion
  cluster: ClusterModel
  sandboxes: Sandboxes
  auth: AuthService
  authEnabled: boolean
  /** dcos-log's own check that task routes carry `Authorization: token=…` (on with auth). */
  requireTaskToken: boolean
  leaderNode: LogNode
  agentNode(agentId: string): LogNode | undefined
  /** Journal keep-alive: first ping when idle after `pingFirstMs`, then every `pingIntervalMs`. */
  pingFirstMs: number
  pingIntervalMs: number
  /** Task file streams re-read this often when idle (the real server polls about once a second). */
  filePollMs: number
  /** The master's event stream sends a HEARTBEAT this often (real: 15 s). */
  heartbeatIntervalMs: number
  /** Open streams, ended on close(). */
  streams: Set<BodyStream>
  dcosLog: DcosLogState
}

/** How the agents' dcos-log reads task files, and what its Mesos reads did. */
export interface DcosLogState {
  /** Read as the server was meant to (no cut lines, no stuck reads, empty lines kept) instead of as it does. */
  ideal: boolean
  stats: DcosLogReadStats
  /** Waits `ms` between the reads of a spinning text read; true once the cluster closes (its loops end then). */
  spin(ms: number): Promise<boolean>
}
