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

function terminal(env: NodeJS.ProcessEnv = {}) {
  const io = testIO({tty: true, columns: 100, env})
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
    assert.match(out, /web\.1 reconnecting \(attempt 3\): reset/)
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
    assert.match(out, /api\.1 connecting/)
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
})
