/**
 * The Mesos master through Admin Router: `/mesos/master/state` always reaches the leading master
 * (mesos-api.md §1.7), read as a stream so a 100+ MB state never sits in memory whole.
 */
import type {HttpClient} from '../cluster/http.js'
import {scanMasterState} from './state-scanner.js'
import {parsePid, type MasterState, type MesosAgent, type MesosFramework, type TaskName} from './state.js'

export const MASTER_STATE_PATH = '/mesos/master/state'


export interface FetchMasterStateOptions {
  signal?: AbortSignal
  /** Decides per task, from its id and name, whether to keep it (see ScanOptions.keep). */
  keep?: (task: TaskName) => boolean
}

export async function fetchMasterState(http: HttpClient, options: FetchMasterStateOptions = {}): Promise<MasterState> {
  // 'stream' mode: no total deadline for a body of 100+ MB, only a bound on silence between chunks.
  const {body} = await http.stream(MASTER_STATE_PATH, {
    signal: options.signal,
    purpose: 'reading master state',
    mode: 'stream',
    expectJson: true,
  })
  try {
    return await scanMasterState(body, {keep: options.keep})
  } finally {
    body.destroy()
  }
}

export function findAgent(state: MasterState, agentId: string): MesosAgent | undefined {
  return state.agents.find((agent) => agent.id === agentId)
}

export function findFramework(state: MasterState, frameworkId: string): MesosFramework | undefined {
  return state.frameworks.find((framework) => framework.id === frameworkId)
}

/** The leading master as the state names it, with its address; undefined when no leader is known. */
export function findLeader(state: MasterState): {hostname: string; pid: string; ip: string; port: number} | undefined {
  if (state.leader === undefined) return undefined
  const address = parsePid(state.leader.pid)
  if (address === undefined) return undefined
  return {...state.leader, hostname: state.leader.hostname || address.ip, ...address}
}
