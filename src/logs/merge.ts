/**
 * merge(): several followed streams (all tasks matching, or a unit on several nodes) as one, in arrival
 * order. Fair and bounded: each stream has at most one event waiting, and asks for its next only once
 * that one was taken, so a slow sink slows every source instead of filling memory, and a chatty stream
 * cannot starve a quiet one (ready events are served first come, first served).
 * A stream that throws is recorded in `failures` (its `failed` status already went out through follow)
 * and the others go on; the run function reports the failures at the end with a non-zero exit. With
 * `failFast` the first failure stops everything and is thrown.
 * Streams may keep coming (`more`: tasks started while following): each joins as it arrives, and the
 * merge ends once every stream ended and `more` did.
 * `ordered` (a read without following) serves the streams one after the other in the order given, so two
 * runs print the same: every stream still starts at once (its requests overlap the others'), and one that
 * is not its turn yet holds its one event and so its source.
 */
import {CliError, toCliError} from '../errors.js'

export interface MergeOptions<E> {
  /** Most streams open at once at the start (--max-streams); who adds more keeps to it. */
  maxStreams: number
  failFast?: boolean
  /** Each stream whole, in the order given, instead of in arrival order. */
  ordered?: boolean
  /** Streams that join later. */
  more?: AsyncIterable<AsyncIterable<E>>
}

export interface MergedStream<E> extends AsyncIterable<E> {
  /** Errors of the streams that failed, in the order they failed. */
  readonly failures: CliError[]
}

type Arrival<E> =
  | {index: number; result: IteratorResult<E>}
  | {index: number; error: unknown}
  | {joined: IteratorResult<AsyncIterable<E>>}
  | {joinError: unknown}

export function merge<E>(streams: Array<AsyncIterable<E>>, options: MergeOptions<E>): MergedStream<E> {
  if (streams.length > options.maxStreams) {
    throw new CliError('usage', `${streams.length} streams match, more than --max-streams ${options.maxStreams}`, {
      hint: 'narrow the selection or raise --max-streams',
    })
  }
  const failures: CliError[] = []

  async function* run(): AsyncGenerator<E> {
    const iterators = streams.map((stream) => stream[Symbol.asyncIterator]())
    const joining = options.more?.[Symbol.asyncIterator]()
    let waitingForMore = joining !== undefined
    const arrivals: Arrival<E>[] = []
    let wake: (() => void) | undefined
    const arrive = (arrival: Arrival<E>) => {
      arrivals.push(arrival)
      wake?.()
      wake = undefined
    }
    const pull = (index: number) =>
      iterators[index].next().then(
        (result) => arrive({index, result}),
        (error: unknown) => arrive({index, error}),
      )
    const pullMore = () =>
      joining?.next().then(
        (joined) => arrive({joined}),
        (joinError: unknown) => arrive({joinError}),
      )
    // Insertion order is index order (streams that join get the next index), so the first is the lowest.
    const open = new Set(iterators.keys())
    const take = (): Arrival<E> | undefined => {
      if (!options.ordered) return arrivals.shift()
      const turn = open.values().next().value
      const at = arrivals.findIndex((arrival) => !('index' in arrival) || arrival.index === turn)
      return at < 0 ? undefined : arrivals.splice(at, 1)[0]
    }
    const fail = (error: unknown) => {
      const failure = toCliError(error)
      if (options.failFast) throw failure
      failures.push(failure)
    }
    try {
      for (const index of open) pull(index)
      pullMore()
      while (open.size > 0 || waitingForMore) {
        let arrival = take()
        while (arrival === undefined) {
          await new Promise<void>((resolve) => (wake = resolve))
          arrival = take()
        }
        if ('joined' in arrival) {
          if (arrival.joined.done) waitingForMore = false
          else {
            const index = iterators.push(arrival.joined.value[Symbol.asyncIterator]()) - 1
            open.add(index)
            pull(index)
            pullMore()
          }
        } else if ('joinError' in arrival) {
          waitingForMore = false
          fail(arrival.joinError)
        } else if ('error' in arrival) {
          open.delete(arrival.index)
          fail(arrival.error)
        } else if (arrival.result.done) {
          open.delete(arrival.index)
        } else {
          yield arrival.result.value
          pull(arrival.index)
        }
      }
    } finally {
      for (const index of open) iterators[index].return?.()?.catch(() => {})
      if (waitingForMore) joining?.return?.()?.catch(() => {})
    }
  }

  return {failures, [Symbol.asyncIterator]: () => run()}
}
