/**
 * merge(): several followed streams (all tasks matching, or a unit on several nodes) as one, in arrival
 * order. Fair and bounded: each stream has at most one event waiting, and asks for its next only once
 * that one was taken, so a slow sink slows every source instead of filling memory, and a chatty stream
 * cannot starve a quiet one (ready events are served first come, first served).
 * A stream that throws is recorded in `failures` (its `failed` status already went out through follow)
 * and the others go on; the run function reports the failures at the end with a non-zero exit. With
 * `failFast` the first failure stops everything and is thrown.
 */
import {CliError, toCliError} from '../errors.js'
import type {LogEvent} from './entry.js'

export interface MergeOptions {
  /** Most streams open at once (--max-streams). */
  maxStreams: number
  failFast?: boolean
}

export interface MergedStream extends AsyncIterable<LogEvent> {
  /** Errors of the streams that failed, in the order they failed. */
  readonly failures: CliError[]
}

type Arrival = {index: number; result: IteratorResult<LogEvent>} | {index: number; error: unknown}

export function merge(streams: Array<AsyncIterable<LogEvent>>, options: MergeOptions): MergedStream {
  if (streams.length > options.maxStreams) {
    throw new CliError('usage', `${streams.length} streams match, more than --max-streams ${options.maxStreams}`, {
      hint: 'narrow the selection or raise --max-streams',
    })
  }
  const failures: CliError[] = []

  async function* run(): AsyncGenerator<LogEvent> {
    const iterators = streams.map((stream) => stream[Symbol.asyncIterator]())
    const arrivals: Arrival[] = []
    let wake: (() => void) | undefined
    const arrive = (arrival: Arrival) => {
      arrivals.push(arrival)
      wake?.()
      wake = undefined
    }
    const pull = (index: number) =>
      iterators[index].next().then(
        (result) => arrive({index, result}),
        (error: unknown) => arrive({index, error}),
      )
    const open = new Set(iterators.keys())
    try {
      for (const index of open) pull(index)
      while (open.size > 0) {
        if (arrivals.length === 0) await new Promise<void>((resolve) => (wake = resolve))
        const arrival = arrivals.shift() as Arrival
        if ('error' in arrival) {
          open.delete(arrival.index)
          const error = toCliError(arrival.error)
          if (options.failFast) throw error
          failures.push(error)
        } else if (arrival.result.done) {
          open.delete(arrival.index)
        } else {
          yield arrival.result.value
          pull(arrival.index)
        }
      }
    } finally {
      for (const index of open) iterators[index].return?.()?.catch(() => {})
    }
  }

  return {failures, [Symbol.asyncIterator]: () => run()}
}
