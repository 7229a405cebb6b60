/**
 * A stand-in for a follow command, for the pty and pipe tests of the output layer: it feeds scripted
 * events into the sink createSink picks for the real process streams, and leaves as a run function
 * would (resume hint after q/Ctrl-C, exit 0 quietly when the reader has gone).
 *
 *   node --import tsx test/helpers/live-driver.ts [--wait] [--hostile] [--many] [--flood N] [-- createSink flags as JSON]
 *
 * --wait     after the script, keep following until q, Ctrl-C or SIGINT (the live view's case)
 * --hostile  include a line full of escape sequences (clear screen, window title, bell)
 * --many     twenty Marathon tasks instead (`web.<uuid>`, two of them 4f1c2d...), one reconnecting with a
 *            long error, and then one more that joins (4f1c2d77...), as discovery adds a task
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

const task = (id: string, agent = 'agent-1'): StreamInfo => ({id: `${id}/stdout`, kind: 'task', label: id, task: id, file: 'stdout', agent})
const web = task('web.1')
const api = task('api.1', 'agent-2')
/** Marathon task ids: the first two share their head up to 4f1c2d, the rest start apart. */
const tasks = ['4f1c2d3e', ...Array.from({length: 19}, (_, i) => `${(0x10 + i * 11).toString(16)}a0b1c2`)].map((head) => task(`web.${head}-1a2b-11e9-b5e9-0242ac110002`))
const joiner = task('web.4f1c2d77-1a2b-11e9-b5e9-0242ac110002')
/** What a reconnect says: the request with the agent's whole path, then why. */
const LONG_ERROR =
  'GET /system/v1/agent/74f1836b-6784-4030-816e-aacbdd45ff57-S3/logs/v2/task/frameworks/74f1836b-6784-4030-816e-aacbdd45ff57-0001/executors/' +
  `${tasks[12].task}/runs/6a0f4d1c-1a2b-4c3d-8e9f-0123456789ab/tasks/${tasks[12].task}/stdout?cursor=58380: connection to 10.0.0.4:5051 failed: socket hang up (ECONNRESET)`

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
const many = flag('--many')
const sink = await createSink(options, io, {streams: many ? tasks : [web, api], onQuit: () => quit.abort()})

const manyScript = (): LogEvent[] => [
  ...tasks.flatMap((stream, i): LogEvent[] => [{type: 'status', status: {stream, state: 'live'}}, lines(stream, [`line ${i}`])]),
  {type: 'status', status: {stream: tasks[12], state: 'reconnecting', attempt: 3, detail: LONG_ERROR}},
  {type: 'status', status: {stream: joiner, state: 'connecting', detail: 'new task, TASK_RUNNING'}},
  lines(joiner, ['joined']),
  lines(tasks[0], ['after the join']),
]
const script: LogEvent[] = many ? manyScript() : [
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
