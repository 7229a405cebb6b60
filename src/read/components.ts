/**
 * Components are systemd units in a node's journal. This module turns what a user types
 * (`adminrouter`, `dcos-adminrouter`, `dcos-adminrouter.service`, `docker`) into the unit the journal
 * knows, and says which units a journal holds when a name matches none. It asks the journal itself
 * through a JournalSourceFactory, so it works the same on logging v2 and v1.
 */
import {CliError} from '../errors.js'
import type {LogEntry, LogSource, OpenRequest, StreamInfo} from '../logs/entry.js'
import type {JournalSelection} from '../logs/sources/journal.js'
import type {LogWindow} from '../logs/sources/window.js'

/** A journal source on one node: `unit` undefined reads the whole journal; `stream` names it (made from the unit if not given). */
export type JournalSourceFactory = (unit: string | undefined, window: LogWindow, selection?: JournalSelection, stream?: StreamInfo) => LogSource

/** systemd's unit types: a name ending in one of them is a unit name already. */
const UNIT_SUFFIX = /\.(service|socket|timer|target|mount|path|slice|scope|swap|device|automount)$/

/** How much of a journal is read to list its units: enough to see every unit that logs now and then. */
export const RECENT_ENTRIES = 2000

const LAST_ENTRY: LogWindow = {kind: 'tail', lines: 1}

/**
 * The units a component name can mean, most likely first: `adminrouter` -> dcos-adminrouter.service,
 * then adminrouter.service (`docker` is docker.service); `dcos-x` -> dcos-x.service; a unit name as it is.
 */
export function unitCandidates(component: string): string[] {
  const name = component.trim()
  if (name === '' || /[\s/]/.test(name)) {
    throw new CliError('usage', `invalid component name '${component}'`, {hint: 'give a unit such as adminrouter or dcos-mesos-master.service; `dcos-ts node list-components` lists them'})
  }
  if (UNIT_SUFFIX.test(name)) return [name]
  if (name.startsWith('dcos-')) return [`${name}.service`]
  return [`dcos-${name}.service`, `${name}.service`]
}

/** The first entry a source's range read yields (the connection is closed right after), or undefined. */
export async function firstEntry(source: LogSource, signal: AbortSignal): Promise<LogEntry | undefined> {
  for await (const batch of source.open({follow: false}, signal)) {
    if (batch.length > 0) return batch[0]
  }
  return undefined
}

/**
 * The unit `component` names on this node: the first candidate the journal has an entry of (one
 * single-entry read each), else one whose name differs only in case among the journal's recent units.
 * None: a 'not-found' error that lists the units the node's journal does have.
 */
export async function resolveUnit(sources: JournalSourceFactory, component: string, nodeName: string, signal: AbortSignal): Promise<string> {
  const candidates = unitCandidates(component)
  for (const unit of candidates) {
    if ((await firstEntry(sources(unit, LAST_ENTRY), signal)) !== undefined) return unit
  }
  const units = await journalUnits(sources, signal)
  const lower = new Set(candidates.map((unit) => unit.toLowerCase()))
  const sameButCase = units.find((unit) => lower.has(unit.toLowerCase()))
  if (sameButCase !== undefined) return sameButCase
  const tried = candidates.length === 1 ? candidates[0] : `${candidates.slice(0, -1).join(', ')} or ${candidates.at(-1)}`
  throw new CliError('not-found', `no component ${component} on ${nodeName}: its journal has no entries of ${tried}`, {
    hint: units.length > 0 ? `units in its journal: ${units.join(', ')}` : 'its journal has no entries at all',
  })
}

/**
 * The journal of a component whose name may mean several units (`adminrouter`: dcos-adminrouter.service,
 * else adminrouter.service), found by reading its window: the window of the first unit that has entries in
 * it, read in turn (the next only when the one before had none; most names mean their first), then that
 * unit followed after its last entry. So no request is spent on finding the unit unless its first candidate
 * shows nothing; then resolveUnit decides (and names the units there are, in its error).
 */
export function componentSource(sources: JournalSourceFactory, component: string, window: LogWindow, selection: JournalSelection, nodeName: string): LogSource {
  const candidates = unitCandidates(component)
  const first = sources(candidates[0], window, selection)
  // One stream whatever the unit turns out to be: named by the unit when the name means one, else as typed.
  const stream = candidates.length === 1 ? first.stream : {...first.stream, id: first.stream.id.replace(candidates[0], component), label: first.stream.label.replace(candidates[0], component)}
  let found: LogSource | undefined
  return {
    stream,
    cursorOrder: first.cursorOrder,
    async *open(request: OpenRequest, signal: AbortSignal): AsyncIterable<LogEntry[]> {
      if (found !== undefined) return yield* found.open(request, signal)
      for (const unit of candidates) {
        const source = sources(unit, window, selection, stream)
        let last: string | undefined
        for await (const batch of source.open({follow: false}, signal)) {
          if (batch.length > 0) last = batch[batch.length - 1].cursor
          yield batch
        }
        if (last === undefined) continue
        found = source
        if (request.follow) yield* source.open({after: last, follow: true}, signal)
        return
      }
      // No candidate has entries in the window (or none was asked for): the journal says which unit it is.
      found = sources(await resolveUnit(sources, component, nodeName, signal), window, selection, stream)
      if (request.follow) yield* found.open({follow: true}, signal)
    },
  }
}

/** The distinct units (_SYSTEMD_UNIT, and systemd's own UNIT=) among a node's last RECENT_ENTRIES entries, sorted. */
export async function journalUnits(sources: JournalSourceFactory, signal: AbortSignal): Promise<string[]> {
  const units = new Set<string>()
  for await (const batch of sources(undefined, {kind: 'tail', lines: RECENT_ENTRIES}).open({follow: false}, signal)) {
    for (const entry of batch) {
      const fields = entry.fields
      if (fields?._SYSTEMD_UNIT) units.add(fields._SYSTEMD_UNIT)
      if (fields?.UNIT) units.add(fields.UNIT)
    }
  }
  return [...units].sort()
}
