/**
 * Journal (component) logs over logging v2: `/logs/v2/component[/{unit}]` on the leading master, on an
 * agent, or on the node behind DCOS_URL. See journal.ts for how windows, following and resuming work.
 */
import type {HttpClient} from '../../cluster/http.js'
import {encodePath} from '../../cluster/url.js'
import type {LogSource, StreamInfo} from '../entry.js'
import {type JournalProtocol, type JournalSelection, createJournalSource, filterQuery} from './journal.js'
import type {LogWindow} from './window.js'

/**
 * Whose journal: the leading master of Mesos (Admin Router's /system/v1/leader/mesos), or of a service that
 * elects its own leader (/leader/marathon: the Marathon leader need not be the Mesos one), an agent, or the
 * node behind the cluster URL.
 */
export type JournalNode = {kind: 'leader'; of?: 'mesos' | 'marathon'} | {kind: 'agent'; agentId: string} | {kind: 'local'}

export interface ComponentTarget {
  stream: StreamInfo
  node: JournalNode
  /** Full unit name (`dcos-mesos-master.service`); undefined reads the whole journal. */
  unit?: string
  /** Silence after which a followed stream is reopened (default JOURNAL_IDLE_MS: three missed pings). */
  idleMs?: number
}

export function nodePrefix(node: JournalNode): string {
  if (node.kind === 'leader') return `/system/v1/leader/${node.of ?? 'mesos'}`
  if (node.kind === 'agent') return encodePath('system', 'v1', 'agent', node.agentId)
  return '/system/v1'
}

export function createV2ComponentSource(http: HttpClient, target: ComponentTarget, window: LogWindow, selection: JournalSelection = {}): LogSource {
  const filters = selection.filters ?? []
  // dcos-log ORs the unit in the path with the filters ("unit OR filter"); as a filter it is ANDed. The
  // path form also matches systemd's own messages about the unit (UNIT=), so it is used when it can be.
  const unitInPath = target.unit !== undefined && filters.length === 0
  const allFilters: Array<[string, string]> = target.unit !== undefined && !unitInPath ? [['_SYSTEMD_UNIT', target.unit], ...filters] : filters
  const path = nodePrefix(target.node) + '/logs/v2/component' + (unitInPath ? encodePath(target.unit as string) : '')
  const filter = filterQuery(allFilters)
  const protocol: JournalProtocol = {
    range(start) {
      if ('after' in start) return {path, query: {filter}, headers: {'Last-Event-ID': start.after}}
      return {path, query: {filter, skip: start.window.kind === 'tail' ? -start.window.lines : undefined}}
    },
    stream: () => ({path, query: {filter}, idleMs: target.idleMs}),
  }
  return createJournalSource(http, target.stream, protocol, window, {...selection, filters: allFilters})
}
