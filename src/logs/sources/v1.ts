/**
 * Logging v1 (DC/OS 1.9 and 1.10, journald only): `/logs/v1/{range|stream}/...`. Task logs exist only
 * where the journald container logger is on, and only for stdout and stderr (STREAM field). Range reads
 * take `skip_prev` and `cursor`; streams resume with Last-Event-ID (v1 zeroes the skips then itself).
 */
import {CliError} from '../../errors.js'
import type {HttpClient} from '../../cluster/http.js'
import {encodePath} from '../../cluster/url.js'
import type {LogSource, StreamInfo} from '../entry.js'
import {type JournalProtocol, type JournalSelection, createJournalSource, filterQuery} from './journal.js'
import {type JournalNode, nodePrefix} from './v2-component.js'
import type {LogWindow} from './window.js'

export interface V1TaskTarget {
  stream: StreamInfo
  agentId: string
  frameworkId: string
  executorId: string
  /** The container id chain joined with '.', outermost first (`parent.child`). */
  containerId: string
  file: string
}

export interface V1ComponentTarget {
  stream: StreamInfo
  node: JournalNode
  unit?: string
}

export function createV1TaskSource(http: HttpClient, target: V1TaskTarget, window: LogWindow): LogSource {
  if (target.file !== 'stdout' && target.file !== 'stderr') {
    throw new CliError('usage', `logging v1 only serves stdout and stderr, not ${target.file}`, {
      hint: 'this cluster has no logging v2; other sandbox files are read over the files API',
    })
  }
  const base = encodePath('system', 'v1', 'agent', target.agentId, 'logs', 'v1')
  const suffix = encodePath('framework', target.frameworkId, 'executor', target.executorId, 'container', target.containerId)
  return createJournalSource(http, target.stream, v1Protocol(base, suffix, [['STREAM', target.file.toUpperCase()]]), window)
}

export function createV1ComponentSource(http: HttpClient, target: V1ComponentTarget, window: LogWindow, selection: JournalSelection = {}): LogSource {
  const filters: Array<[string, string]> = [...(target.unit === undefined ? [] : [['_SYSTEMD_UNIT', target.unit] as [string, string]]), ...(selection.filters ?? [])]
  return createJournalSource(http, target.stream, v1Protocol(nodePrefix(target.node) + '/logs/v1', '/', filters), window, {...selection, filters})
}

/** `suffix` is '/' for the node's whole journal (v1 needs the trailing slash) or a task route. */
function v1Protocol(base: string, suffix: string, filters: Array<[string, string]>): JournalProtocol {
  const filter = filterQuery(filters)
  return {
    range(start) {
      const path = `${base}/range${suffix}`
      if ('after' in start) return {path, query: {filter, cursor: start.after}}
      return {path, query: {filter, skip_prev: start.window.kind === 'tail' ? start.window.lines : undefined}}
    },
    stream: () => ({path: `${base}/stream${suffix}`, query: {filter}}),
  }
}
