/**
 * The second half of every log command, written once: sources -> follow (reconnect, resume) -> merge ->
 * sink. It also owns how a run ends: Ctrl-C/SIGTERM prints where to resume and exits 130/143, a reader
 * that went away (`| head -1`) ends quietly, and streams that failed make the exit code non-zero after
 * the others were read to the end.
 */
import {setMaxListeners} from 'node:events'
import {CliError, isCliError} from '../errors.js'
import type {LogEvent, LogSource, SinkEvent} from '../logs/entry.js'
import {follow} from '../logs/follow.js'
import {merge} from '../logs/merge.js'
import {createSink, type OutputOptions} from '../output/choose-sink.js'
import {isReaderGone} from '../output/io.js'
import {formatResumeHint, type ResumeCommand} from '../output/sinks.js'
import type {Deps} from '../deps.js'
import type {Joining} from './task-discovery.js'

export interface StreamSpec {
  source: LogSource
  /** Start strictly after this cursor (the user's --cursor) instead of the source's window. */
  after?: string
  /** The stop condition while following (a task reached a terminal state): its detail, e.g. TASK_FINISHED. */
  isFinished?: () => Promise<string | undefined>
}

export interface StreamLogsOptions {
  follow: boolean
  maxStreams: number
  output: OutputOptions
  /** The command to print after Ctrl-C, with the cursors that resume it. */
  resume: ResumeCommand
  /** Streams that join while following (tasks that start), and notices about them. */
  more?: AsyncIterable<Joining>
}

export function checkStreamCount(count: number, maxStreams: number, what: string, hint = 'narrow the pattern, or raise --max-streams'): void {
  if (count > maxStreams) throw new CliError('usage', `${count} ${what} match, more than --max-streams ${maxStreams} streams at once`, {hint})
}

export async function streamLogs(specs: StreamSpec[], options: StreamLogsOptions, deps: Deps): Promise<void> {
  checkStreamCount(specs.length, options.maxStreams, specs.length === 1 ? 'stream' : 'streams')
  const {signal} = deps
  // Each stream listens on the run's signal while it reads, and maybe while it waits to reconnect: with 11
  // streams and more that is no leak, but Node's default limit (10) would print a warning for it.
  setMaxListeners(Math.max(10, 3 * (options.more ? options.maxStreams : specs.length)), signal)
  // Streams that may join later are told apart from the start.
  const output = options.more && options.output.prefix === undefined ? {...options.output, prefix: true} : options.output
  const sink = await createSink(output, deps.io, {streams: specs.map((spec) => spec.source.stream)})
  /** Streams followed now, and how many in all. */
  const open = new Set<StreamSpec>()
  let total = 0
  const followed = (spec: StreamSpec) => {
    open.add(spec)
    total++
    return counted(
      follow(spec.source, {
        follow: options.follow,
        after: spec.after,
        signal,
        now: deps.now,
        sleep: deps.sleep,
        isFinished: options.follow ? spec.isFinished : undefined,
      }),
      () => open.delete(spec),
    )
  }
  // A stream whose task has ended only reads what remains: the next run of a restarted task takes its place.
  const busy = async () => {
    const finished = await Promise.all([...open].map((spec) => spec.isFinished?.()))
    return finished.filter((state) => state === undefined).length
  }
  const initial = specs.map(followed)
  const single = specs.length === 1 && options.more === undefined
  const more = options.more && joined(options.more, followed, busy, options.maxStreams)
  const merged = merge(initial, {maxStreams: options.maxStreams, failFast: single, ordered: !options.follow, more})
  try {
    for await (const event of merged) {
      // With one stream the error line at the end says it all; a "failed" notice first would repeat it.
      if (single && isFailure(event)) continue
      await sink.write(event)
    }
  } catch (error) {
    if (!signal.aborted) throw error
  } finally {
    await sink.close()
  }
  if (signal.aborted) {
    const reason: unknown = signal.reason
    if (isCliError(reason) && reason.kind === 'interrupted') {
      deps.io.stderr.write(formatResumeHint(sink.resumePoints(), options.resume))
      throw reason
    }
    if (isReaderGone(reason)) return // `| head -1` closed the pipe: nothing more to say to anyone
    throw new CliError('internal', `cannot write the output: ${reason instanceof Error ? reason.message : String(reason)}`)
  }
  const failures = merged.failures
  if (failures.length > 0) {
    const first = failures[0]
    throw new CliError(first.kind, `${failures.length} of ${total} streams failed; the first: ${first.message}`, {
      exitCode: first.exitCode,
      hint: first.hint,
      cause: first,
    })
  }
}

/** The events of `stream`, and `ended()` once it is over, however it ended. */
async function* counted(stream: AsyncIterable<LogEvent>, ended: () => void): AsyncGenerator<LogEvent> {
  try {
    yield* stream
  } finally {
    ended()
  }
}

/**
 * What joins a follow, as streams for merge: a notice is a stream of one event; a task that would go past
 * --max-streams streams of tasks not yet ended waits, saying so, and joins (from its first line) once a
 * task of the follow has ended, in the order they came.
 */
async function* joined(
  more: AsyncIterable<Joining>,
  followed: (spec: StreamSpec) => AsyncIterable<LogEvent>,
  busy: () => Promise<number>,
  maxStreams: number,
): AsyncGenerator<AsyncIterable<SinkEvent>> {
  const waiting: Array<Extract<Joining, {type: 'stream'}>> = []
  const join = ({spec, why}: Extract<Joining, {type: 'stream'}>) =>
    eventsOf({type: 'status', status: {stream: spec.source.stream, state: 'connecting', detail: why}}, followed(spec))
  for await (const joining of more) {
    if (joining.type === 'notice') {
      yield eventsOf({type: 'notice', text: joining.text})
    } else if (joining.type === 'ended') {
      while (waiting.length > 0 && (await busy()) < maxStreams) {
        const next = waiting.shift()!
        yield join({...next, why: `${next.why}; joins as a stream ended (--max-streams)`})
      }
    } else if (waiting.length > 0 || (await busy()) >= maxStreams) {
      waiting.push(joining)
      const {label} = joining.spec.source.stream
      yield eventsOf({type: 'notice', text: `not following ${label} yet: ${maxStreams} streams are open (--max-streams); it joins when one of their tasks ends`})
    } else {
      yield join(joining)
    }
  }
}

async function* eventsOf(first: SinkEvent, rest?: AsyncIterable<SinkEvent>): AsyncGenerator<SinkEvent> {
  yield first
  if (rest !== undefined) yield* rest
}

function isFailure(event: SinkEvent): boolean {
  return event.type === 'status' && event.status.state === 'failed'
}
