import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {PassThrough} from 'node:stream'
import type {LogEvent, StreamInfo} from '../../src/logs/entry.js'
import {createSink, wantsLiveView} from '../../src/output/choose-sink.js'
import {testIO} from '../../src/output/io.js'
import {PlainSink} from '../../src/output/sinks.js'
import {taskOutput} from '../helpers/output-options.js'

const web: StreamInfo = {id: 'web.1/stdout', kind: 'task', label: 'web.1', task: 'web.1', file: 'stdout', agent: 'a1'}

const follow = taskOutput({follow: true, color: 'never'})

/** A terminal stdin as Ink uses it: raw mode, 'readable' events, read(). */
function terminalStdin(): PassThrough & {isTTY: boolean; setRawMode(mode: boolean): void; rawMode: boolean} {
  const stdin = new PassThrough() as PassThrough & {isTTY: boolean; setRawMode(mode: boolean): void; rawMode: boolean; ref(): void; unref(): void}
  stdin.isTTY = true
  stdin.rawMode = false
  stdin.setRawMode = (mode) => {
    stdin.rawMode = mode
  }
  stdin.ref = () => {}
  stdin.unref = () => {}
  return stdin
}

function terminal(env: NodeJS.ProcessEnv = {}, size = {columns: 100, rows: 24}) {
  const io = testIO({tty: true, ...size, env})
  const stdin = terminalStdin()
  return {io: {...io, stdin, isStdinTTY: true}, stdin}
}

const lines = (messages: string[]): LogEvent => ({
  type: 'entries',
  entries: messages.map((message, i) => ({stream: web, message, cursor: String(i + 1)})),
})

describe('live view (in process, fake terminal)', () => {
  test('a terminal without room for it (0x0, as some tools open a pty; too narrow or too low) gets plain lines', () => {
    for (const [columns, rows] of [[0, 0], [19, 24], [80, 4]]) {
      assert.equal(wantsLiveView(follow, testIO({tty: true, columns, rows})), false, `${columns}x${rows}`)
    }
    assert.equal(wantsLiveView(follow, testIO({tty: true, columns: 20, rows: 5})), true)
  })

  test('only for a terminal, following, text, not CI, not a dumb terminal', () => {
    const {io} = terminal()
    assert.equal(wantsLiveView(follow, io), true)
    assert.equal(wantsLiveView({...follow, follow: false}, io), false)
    assert.equal(wantsLiveView({...follow, tui: false}, io), false)
    assert.equal(wantsLiveView({...follow, format: 'json'}, io), false)
    assert.equal(wantsLiveView(follow, testIO()), false)
    assert.equal(wantsLiveView(follow, terminal({CI: 'true'}).io), false)
    assert.equal(wantsLiveView(follow, terminal({TERM: 'dumb'}).io), false)
  })

  test('lines above, footer below, hostile sequences escaped, terminal restored on close', async () => {
    const {io, stdin} = terminal()
    const sink = await createSink(follow, io, {streams: [web], onQuit: () => {}})
    assert.ok(!(sink instanceof PlainSink))
    await sink.write({type: 'status', status: {stream: web, state: 'live'}})
    await sink.write(lines(['hello', '\x1b[2J\x1b]0;pwned\x07gotcha']))
    await sink.write({type: 'status', status: {stream: web, state: 'reconnecting', attempt: 3, detail: 'reset'}})
    assert.equal(stdin.rawMode, true)
    await sink.close()
    const out = io.stdoutText()
    assert.match(out, /hello\n/)
    assert.ok(out.includes('\\x1b[2J\\x1b]0;pwned\\x07gotcha\n'))
    assert.ok(!out.includes('\x1b]0;pwned'))
    assert.ok(!out.includes('\x1b[2J'))
    assert.match(out, /● web\.1 .* reconnecting \(attempt 3\): reset\n/)
    assert.equal(stdin.rawMode, false)
    assert.ok(out.lastIndexOf('\x1b[?25h') > out.lastIndexOf('\x1b[?25l'), 'cursor shown again')
    assert.deepEqual(sink.resumePoints(), [{stream: web, cursor: '2'}])
    assert.equal(io.stderrText(), '')
  })

  test('a task that joins shows in the footer; a notice scrolls with the lines, escaped; nothing on stderr', async () => {
    const {io} = terminal()
    const sink = await createSink(follow, io, {streams: [web], onQuit: () => {}})
    const api: StreamInfo = {...web, id: 'api.1/stdout', label: 'api.1', task: 'api.1'}
    await sink.write({type: 'status', status: {stream: api, state: 'connecting', detail: 'new task, TASK_RUNNING'}})
    await sink.write({type: 'notice', text: 'reconnecting to the Mesos event stream (attempt 1): reset\x1b[2J'})
    await sink.close()
    const out = io.stdoutText()
    assert.ok(out.includes('reconnecting to the Mesos event stream (attempt 1): reset\\x1b[2J\n'), out)
    assert.match(out, /● api\.1 .* connecting\n/)
    assert.equal(io.stderrText(), '')
  })

  test('q and Ctrl-C ask to quit, once', async () => {
    const {io, stdin} = terminal()
    let quits = 0
    const sink = await createSink(follow, io, {streams: [web], onQuit: () => quits++})
    stdin.write('x')
    stdin.write('q')
    await new Promise((resolve) => setTimeout(resolve, 20))
    stdin.write('\x03')
    await new Promise((resolve) => setTimeout(resolve, 20))
    await sink.close()
    assert.equal(quits, 1)
  })

  test('Ctrl-C alone quits too', async () => {
    const {io, stdin} = terminal()
    let quits = 0
    const sink = await createSink(follow, io, {streams: [web], onQuit: () => quits++})
    stdin.write('\x03')
    await new Promise((resolve) => setTimeout(resolve, 20))
    await sink.close()
    assert.equal(quits, 1)
  })

  test('tasks are named by the shortest unique head of their UUID, in the lines and the footer alike; a task that joins lengthens them from then on', async () => {
    const {io} = terminal({}, {columns: 80, rows: 24})
    const task = (id: string): StreamInfo => ({id: `fw/${id}/stdout`, kind: 'task', label: id, task: id, file: 'stdout', agent: 'a1'})
    const first = task('web.4f1c2d3e-1a2b-11e9-b5e9-0242ac110002')
    const other = task('web.7b2e0f11-1a2b-11e9-b5e9-0242ac110002')
    const sink = await createSink({...follow, prefix: true}, io, {streams: [first, other], onQuit: () => {}})
    const say = (stream: StreamInfo, message: string) => sink.write({type: 'entries', entries: [{stream, message, cursor: '1'}]})
    await sink.write({type: 'status', status: {stream: first, state: 'live'}})
    await say(first, 'before')
    const joiner = task('web.4f1c2d77-1a2b-11e9-b5e9-0242ac110002')
    await sink.write({type: 'status', status: {stream: joiner, state: 'connecting', detail: 'new task, TASK_RUNNING'}})
    await say(first, 'after')
    await say(joiner, 'new')
    await sink.close()
    const out = io.stdoutText()
    assert.ok(out.includes('[web.4f1c] before\n'), out)
    assert.ok(out.includes('[web.4f1c2d3] after\n'), out)
    assert.ok(out.includes('[web.4f1c2d7] new\n'), out)
    assert.match(out, /● web\.4f1c2d3 .* live/)
    assert.match(out, /● web\.7b2e .* connecting/)
    assert.match(out, /● web\.4f1c2d7 .* connecting/)
    assert.deepEqual(
      sink.resumePoints().map((point) => point.stream.label),
      [first.label, joiner.label],
      'the resume line names tasks in full',
    )
  })

  test('a long reconnect is one line of the screen; with stderr not the terminal, it is there in full', async () => {
    const {io: screen} = terminal({}, {columns: 80, rows: 24})
    const io = {...screen, isStderrTTY: false}
    const sink = await createSink(follow, io, {streams: [web], onQuit: () => {}})
    const error = `GET /system/v1/agent/S3/logs/v2/task/frameworks/fw/executors/web.1/runs/r1/tasks/web.1/stdout?cursor=58380: connection to 10.0.0.4:5051 failed: socket hang up (ECONNRESET)`
    await sink.write({type: 'status', status: {stream: web, state: 'reconnecting', attempt: 2, detail: error}})
    await sink.write({type: 'notice', text: `reconnecting to the Mesos event stream (attempt 1): ${error}`})
    await sink.close()
    const out = io.stdoutText()
    assert.ok(out.includes('reconnecting to the Mesos event stream (attempt 1): GET /system/…/stdout: conne…\n'), out)
    assert.match(out, /● web\.1 +0\.0\/s +no lines +reconnecting \(attempt 2\): …cket hang up \(ECONNRESET\)\n/)
    assert.equal(io.stderrText(), `reconnecting to web.1 (attempt 2): ${error}\nreconnecting to the Mesos event stream (attempt 1): ${error}\n`)
  })
})
