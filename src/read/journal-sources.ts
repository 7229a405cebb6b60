/**
 * A node's journal, read: which node (the leading master unless an agent id is given, checked against the
 * cluster's agents), the protocol (logging v2, or v1 on DC/OS 1.9 and 1.10, learned from the routes), the
 * unit a component name means, and where to start reading; then one journal source through streamLogs.
 * What `node log` and `service log marathon` (its leader's dcos-marathon unit) both do.
 */
import {CliError} from '../errors.js'
import type {HttpClient} from '../cluster/http.js'
import type {LogSource, StreamInfo} from '../logs/entry.js'
import {withFallback} from '../logs/fallback.js'
import type {JournalSelection} from '../logs/sources/journal.js'
import {createV1ComponentSource} from '../logs/sources/v1.js'
import {createV2ComponentSource, type JournalNode} from '../logs/sources/v2-component.js'
import type {LogWindow} from '../logs/sources/window.js'
import {fetchClusterVersion, transportFor} from '../logs/transport.js'
import {fetchMasterState, findAgent, findLeader} from '../mesos/master.js'
import type {MasterState} from '../mesos/state.js'
import type {OutputOptions} from '../output/choose-sink.js'
import {componentSource, firstEntry, resolveUnit, type JournalSourceFactory} from './components.js'
import type {Deps} from '../deps.js'
import {streamLogs} from './stream-logs.js'


/** Which node: an agent by its Mesos id, else the leading master. */
export interface NodeTarget {
  mesosId?: string
  leader?: boolean
  /** Whose leader: Mesos' (default), or Marathon's for its own unit (it may lead from another master). */
  leaderOf?: 'mesos' | 'marathon'
}

export interface ResolvedNode {
  node: JournalNode
  /** 'leader' or the agent id: unique within a run. */
  key: string
  /** Short, for stream labels: 'leader' or the agent's hostname. */
  label: string
  /** For messages: "the leading master (10.0.0.1)", "agent <id> (10.0.1.10)". */
  description: string
  /** The node's IP where known (the leader's needs master state). */
  ip?: string
}

export interface JournalReadOptions {
  target: NodeTarget
  /** A component name (see unitCandidates); undefined reads the whole journal. */
  component?: string
  /** FIELD:value matches, all of which must hold (parseJournalFilter). */
  filters: Array<[string, string]>
  /** undefined: the last 10 entries, or with --since everything since then. */
  window?: LogWindow
  /** Microseconds since the epoch (parseTimeFlag), inclusive. */
  since?: number
  until?: number
  follow: boolean
  cursor?: string
  output: OutputOptions
  /** The command as typed, for the resume line (one stream: its cursor bare). */
  resumeWords: string[]
}

const DEFAULT_WINDOW: LogWindow = {kind: 'tail', lines: 10}

/** The target as the user named it; --leader with an id names two nodes. */
export function checkTarget(target: NodeTarget): void {
  if (target.leader && target.mesosId !== undefined) {
    throw new CliError('usage', '--leader and a MESOS_ID name two different nodes', {hint: 'give one: --leader (the default) or an agent id'})
  }
}

export function leaderNode(of: NodeTarget['leaderOf'] = 'mesos'): ResolvedNode {
  const description = of === 'mesos' ? 'the leading master' : `the ${of} leader`
  return {node: {kind: 'leader', of}, key: 'leader', label: 'leader', description}
}

/** The node in a master state: an agent must be one of its agents (an unknown id is 'not-found'). */
export function nodeFromState(state: MasterState, target: NodeTarget): ResolvedNode {
  checkTarget(target)
  if (target.mesosId === undefined) {
    const leader = findLeader(state)
    const node = leaderNode(target.leaderOf)
    return leader === undefined || target.leaderOf === 'marathon' ? node : {...node, description: `the leading master (${leader.hostname})`, ip: leader.ip}
  }
  const agent = findAgent(state, target.mesosId)
  if (agent === undefined) {
    throw new CliError('not-found', `agent '${target.mesosId}' not found: the cluster has no agent with that id`, {
      hint: '`dcos-ts node list` shows the ids of the cluster\'s agents; leave the id out for the leading master',
    })
  }
  return {node: {kind: 'agent', agentId: agent.id}, key: agent.id, label: agent.hostname, description: `agent ${agent.id} (${agent.hostname})`, ip: agent.ip}
}

/** The leader needs no master state; an agent id is checked against it (tasks are not kept). */
export async function resolveNode(http: HttpClient, target: NodeTarget, signal: AbortSignal): Promise<ResolvedNode> {
  if (target.mesosId === undefined) return leaderNode(target.leaderOf)
  return nodeFromState(await fetchMasterState(http, {signal, keep: () => false}), target)
}

/**
 * Journal sources on one node. The protocol is learned from the answers, not asked for first (one round
 * trip less): logging v2 (DC/OS 1.11+), and where its route is missing, v1 (1.9, 1.10); where that is
 * missing too, the cluster's version says why.
 */
export function journalSources(http: HttpClient, node: ResolvedNode, signal: AbortSignal): JournalSourceFactory {
  return (unit, window, selection, stream) => {
    stream ??= {id: `${node.key}/${unit ?? '*'}`, kind: 'component', label: `${node.label}:${unit ?? 'journal'}`, node: node.key, unit}
    const target = {stream, node: node.node, unit}
    const v1 = withFallback(createV1ComponentSource(http, target, window, selection), () => noLoggingApi(http, signal), (error) => error.status === 404)
    return withFallback(createV2ComponentSource(http, target, window, selection), async () => v1, (error) => error.status === 404)
  }
}

/** Neither logging route answers: DC/OS 1.8 and older have none (else the 404 stands as it was). */
async function noLoggingApi(http: HttpClient, signal: AbortSignal): Promise<never> {
  const version = await fetchClusterVersion(http, signal)
  if (version !== undefined && transportFor(version) === 'files') {
    throw new CliError('not-found', `DC/OS ${version.version} has no logging API, so node logs cannot be read`, {hint: 'node (journal) logs need DC/OS 1.9 or later'})
  }
  throw new CliError('not-found', 'the cluster answers neither logging v2 nor logging v1 (404)', {hint: 'is the cluster URL a DC/OS cluster (1.9 or later)?'})
}

export async function readJournal(options: JournalReadOptions, deps: Deps): Promise<void> {
  const {since, until} = options
  const http = await deps.http()
  const {signal} = deps
  const node = await resolveNode(http, options.target, signal)
  const sources = journalSources(http, node, signal)
  const selection: JournalSelection = {filters: options.filters, since, until}
  const source =
    // The unit a component name means is found by reading its window (no request spent on it), except where
    // a cursor or --since has to know the unit first.
    options.component !== undefined && options.cursor === undefined && since === undefined
      ? componentSource(sources, options.component, options.window ?? (until === undefined ? DEFAULT_WINDOW : {kind: 'all'}), selection, node.description)
      : await knownUnitSource(sources, options, selection, node.description, signal)
  await streamLogs([{source, after: options.cursor}], {follow: options.follow, maxStreams: 1, output: options.output, resume: {words: options.resumeWords, labelled: false}}, deps)
}

async function knownUnitSource(sources: JournalSourceFactory, options: JournalReadOptions, selection: JournalSelection, nodeName: string, signal: AbortSignal): Promise<LogSource> {
  const unit = options.component === undefined ? undefined : await resolveUnit(sources, options.component, nodeName, signal)
  const window = options.window ?? (options.cursor === undefined ? await defaultWindow(sources, unit, selection, signal) : DEFAULT_WINDOW)
  return sources(unit, window, selection)
}

/**
 * Without --lines: the last 10 entries; with --since, a window reaching back past it, found by reading
 * one entry at 1000, 10 000, ... entries from the end (journald has no time seek over this API), so at
 * most ten times the entries needed cross the wire and the older ones are dropped here. --until alone
 * reads from the start of the journal.
 */
async function defaultWindow(sources: JournalSourceFactory, unit: string | undefined, selection: JournalSelection, signal: AbortSignal): Promise<LogWindow> {
  const {since} = selection
  if (since === undefined) return selection.until === undefined ? DEFAULT_WINDOW : {kind: 'all'}
  let previous: string | undefined
  for (let lines = 1000; lines <= 10_000_000; lines *= 10) {
    const first = await firstEntry(sources(unit, {kind: 'tail', lines}, {filters: selection.filters}), signal)
    // Nothing matches, the window already starts at the journal's head, or it reaches back past --since.
    if (first === undefined || first.cursor === previous || first.realtime === undefined || first.realtime < since) return {kind: 'tail', lines}
    previous = first.cursor
  }
  return {kind: 'all'}
}
