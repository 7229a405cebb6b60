/**
 * How streams are named on screen: a label and a colour each, the same in the line prefixes and in the live
 * view's footer.
 *
 * The live view names tasks the way stern names pods: `web.4f1c2d3e-1a2b-11e9-...` shows as `web.4f1c`, the
 * app name whole and the task's UUID cut to the shortest head (4 characters at least) that no other stream of
 * that app starts with. A task that joins later (a follow that discovers tasks) may start with a head already
 * shown: the streams concerned are named longer from then on, never shorter again, so a name once shown is
 * never another stream's. Lines printed before keep the name they had, which was unique then. Everywhere
 * else (pipes, NDJSON, stderr, the resume line) the full id is the name: what scripts grep and commands take.
 */
import {StreamColors, type StreamColorName} from './color.js'
import type {StreamInfo} from '../logs/entry.js'

/** A UUID, as Marathon (`web.<uuid>`, pods' `instance-<uuid>`), Metronome and SDK task ids carry one. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
/** The fewest characters of a UUID shown: fewer would read as a number, and collide soon. */
const MIN_HEAD = 4

/** A label as shortened: the text around its UUID and how much of the UUID is shown. */
interface Shortened {
  label: string
  before: string
  uuid: string
  after: string
  kept: number
  shown: string
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0
  while (length < a.length && a[length] === b[length]) length++
  return length
}

/** A head of `length` characters or more that does not end on a dash (`4f1c2d3e-` reads as cut short). */
function headLength(uuid: string, length: number): number {
  const kept = Math.min(uuid.length, Math.max(MIN_HEAD, length))
  return uuid[kept - 1] === '-' ? kept + 1 : kept
}

/** Labels shortened to the shortest unique form among those seen so far (see the file's comment). */
class ShortLabels {
  private readonly labels = new Map<string, Shortened | string>()
  /** Labels with a UUID, by the text around it: the UUIDs that must tell apart. */
  private readonly siblings = new Map<string, Shortened[]>()
  /** Who shows each name. */
  private readonly owners = new Map<string, Shortened | string>()
  /** Counts names changed after they were handed out. */
  changes = 0

  of(label: string): string {
    const known = this.labels.get(label)
    if (known !== undefined) return typeof known === 'string' ? known : known.shown
    // The last UUID: where ids repeat, the label starts with the framework's id.
    const match = [...label.matchAll(UUID)].at(-1)
    if (match === undefined) {
      this.labels.set(label, label)
      this.claim(label, label)
      return label
    }
    const before = label.slice(0, match.index)
    const after = label.slice(match.index + match[0].length)
    const shortened: Shortened = {label, before, uuid: match[0].toLowerCase(), after, kept: 0, shown: ''}
    this.labels.set(label, shortened)
    const key = `${before}\0${after}`
    const siblings = this.siblings.get(key) ?? []
    this.siblings.set(key, siblings)
    let kept = 0
    for (const sibling of siblings) {
      const common = commonPrefixLength(sibling.uuid, shortened.uuid) + 1
      kept = Math.max(kept, common)
      if (sibling.kept < headLength(sibling.uuid, common)) this.keep(sibling, common)
    }
    siblings.push(shortened)
    this.keep(shortened, kept)
    return shortened.shown
  }

  /** Shows `length` characters of the UUID or more, as many as make the name no other stream's. */
  private keep(shortened: Shortened, length: number): void {
    const previous = shortened.shown
    if (this.owners.get(previous) === shortened) this.owners.delete(previous)
    let kept = headLength(shortened.uuid, length)
    let shown = `${shortened.before}${shortened.uuid.slice(0, kept)}${shortened.after}`
    while (this.owners.has(shown) && kept < shortened.uuid.length) {
      kept = headLength(shortened.uuid, kept + 1)
      shown = `${shortened.before}${shortened.uuid.slice(0, kept)}${shortened.after}`
    }
    if (kept >= shortened.uuid.length) shown = shortened.label
    shortened.kept = kept
    shortened.shown = shown
    this.claim(shown, shortened)
    if (previous !== '' && previous !== shown) this.changes++
  }

  /** Takes a name; a shortened name that already had it is lengthened (a label without a UUID cannot be). */
  private claim(name: string, owner: Shortened | string): void {
    const previous = this.owners.get(name)
    this.owners.set(name, owner)
    if (previous !== undefined && previous !== owner && typeof previous !== 'string') this.keep(previous, previous.kept + 1)
  }
}

export class StreamNames {
  private readonly colors = new StreamColors()
  private readonly short: ShortLabels | undefined

  /** @param short name tasks by the shortest unique form of their id (the live view) rather than in full. */
  constructor(short: boolean) {
    this.short = short ? new ShortLabels() : undefined
  }

  /**
   * Counts names changed after they were shown (a task joined that a short name also fitted): a name kept
   * from before a change may be ambiguous now.
   */
  get changes(): number {
    return this.short?.changes ?? 0
  }

  /** Names the streams known at the start, in their order, so that they take colours in it. */
  add(streams: readonly StreamInfo[]): void {
    for (const stream of streams) {
      this.colors.of(stream.id)
      this.label(stream)
    }
  }

  label(stream: StreamInfo): string {
    return this.short === undefined ? stream.label : this.short.of(stream.label)
  }

  color(stream: StreamInfo): StreamColorName {
    return this.colors.of(stream.id)
  }
}
