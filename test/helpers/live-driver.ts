/**
 * A stand-in for a follow command, for the pty and pipe tests of the output layer: it feeds scripted
 * events into the sink createSink picks for the real process streams, and leaves as a run function
 * would (resume hint after q/Ctrl-C, exit 0 quietly when the reader has gone).
 *
 *   node --import tsx test/helpers/live-driver.ts [--wait] [--hostile] [--flood N] [-- createSink flags as JSON]
 *
 * --wait     after the script, keep following until q, Ctrl-C or SIGINT (the live view's case)
 * --hostile  include a line full of escape sequences (clear screen, window title, bell)
 * --flood N  then write N more lines in batches of 500 (for `| head -1`)
 * JSON       overrides for OutputOptions, e.g. '{"format":"json"}'
 */
import type {LogEvent, StreamInfo} from '../../src/logs/entry.js'
import {createSink, type OutputOptions} from '../../src/output/choose-sink.js'
import {isReaderGone, systemIO} from '../../src/output/io.js'
import {formatResumeHint} from '../../src/output/sinks.js'
import {taskOutput} from './output-options.js'

const args = process.argv.slice(2)
const flag = (name: string) => args.includes(name)
const floodIndex = args.indexOf('--flood')
const flood = floodIndex >= 0 ? Number(args[floodIndex + 1]) : 0
const overrides = args.find((arg) => arg.startsWith('{'))

const web: StreamInfo = {id: 'web.1/stdout', kind: 'task', label: 'web.1', task: 'web.1', file: 'stdout', agent: 'agent-1'}
const api: StreamInfo = {id: 'api.1/stdout', kind: 'task', label: 'api.1', task: 'api.1', file: 'stdout', agent: 'agent-2'}

const options = taskOutput({follow: true, ...(overrides ? (JSON.parse(overrides) as Partial<OutputOptions>) : {})})

let offset = 0
function lines(stream: StreamInfo, messages: string[]): LogEvent {
  return {
    type: 'entries',
    entries: messages.map((message) => {
      offset += message.length + 1
      return {stream, message, cursor: String(offset)}
    }),
  }
}

const quit = new AbortController()
process.on('SIGINT', () => quit.abort())
const io = systemIO()
const stop = AbortSignal.any([quit.signal, io.closed])
const sink = await createSink(options, io, {streams: [web, api], onQuit: () => quit.abort()})

const script: LogEvent[] = [
  {type: 'status', status: {stream: web, state: 'live'}},
  {type: 'status', status: {stream: api, state: 'live'}},
  lines(web, ['line 1', 'line 2', 'line 3']),
  lines(api, ['api says hi']),
  ...(flag('--hostile') ? [lines(web, ['\x1b[2J\x1b]0;pwned\x07gotcha \x1b[31mred'])] : []),
  {type: 'status', status: {stream: api, state: 'reconnecting', attempt: 2, detail: 'connection reset'}},
  lines(web, ['line 4']),
]
for (const event of script) {
  if (stop.aborted) break
  await sink.write(event)
}
for (let written = 0; written < flood && !stop.aborted; written += 500) {
  await sink.write(lines(web, Array.from({length: 500}, (_, i) => `flood ${written + i}`)))
}

if (flag('--wait')) {
  // Like an idle event stream: something must keep the process alive until the user leaves.
  const idle = setInterval(() => {}, 60_000)
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve))
  clearInterval(idle)
} else if (!stop.aborted) {
  await sink.write({type: 'status', status: {stream: web, state: 'ended', detail: 'TASK_FINISHED'}})
}
await sink.close()
if (io.closed.aborted) process.exit(isReaderGone(io.closed.reason) ? 0 : 1)
if (quit.signal.aborted) io.stderr.write(formatResumeHint(sink.resumePoints(), {words: ['dcos-ts', 'task', 'log', 'web', '--follow'], labelled: true}))
process.exit(0)
