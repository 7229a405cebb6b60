import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {Writable} from 'node:stream'
import type {LogEvent, StreamInfo} from '../../src/logs/entry.js'
import {createSink} from '../../src/output/choose-sink.js'
import {compilePatterns, createLineFilter} from '../../src/output/filter.js'
import {testIO, type IO} from '../../src/output/io.js'
import {COALESCE_BYTES, describeStatus, formatResumeHint, PlainSink, StatusNotices} from '../../src/output/sinks.js'
import {taskOutput} from '../helpers/output-options.js'

const web: StreamInfo = {id: 'web.1/stdout', kind: 'task', label: 'web.1', task: 'web.1', file: 'stdout', agent: 'a1'}
const api: StreamInfo = {id: 'api.1/stdout', kind: 'task', label: 'api.1', task: 'api.1', file: 'stdout', agent: 'a2'}

const options = taskOutput

/** Output is written at the end of the event loop's turn (TurnWriter). */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

function entries(stream: StreamInfo, messages: string[], firstCursor = 0): LogEvent {
  return {type: 'entries', entries: messages.map((message, i) => ({stream, message, cursor: String(firstCursor + i)}))}
}

describe('NDJSON: always valid JSON, whatever the log held', () => {
  const invalidUtf8 = new TextDecoder().decode(Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x62]))
  const hostile = [
    ['invalid UTF-8 (decoded upstream to U+FFFD)', invalidUtf8],
    ['NUL', 'a\x00b'],
    ['ESC sequences', '\x1b[2J\x1b]0;title\x07'],
    ['C1 and bidi controls', '\x9b2J \u202egnp.exe'],
    ['a lone surrogate', 'x\ud800y'],
    ['quotes and backslashes', '"\\"\\\\'],
    ['a 1 MB line', 'x'.repeat(1024 * 1024)],
  ] as const

  for (const [name, message] of hostile) {
    test(name, async () => {
      const io = testIO()
      const sink = await createSink(options({format: 'json'}), io)
      await sink.write(entries(web, [message, 'after']))
      await sink.close()
      const lines = io.stdoutText().split('\n')
      assert.equal(lines.pop(), '')
      assert.equal(lines.length, 2)
      const record = JSON.parse(lines[0])
      assert.deepEqual(Object.keys(record), ['task', 'file', 'agent', 'cursor', 'message'])
      assert.equal(record.message, message)
      // Nothing but the line breaks is a control character in the output bytes.
      assert.doesNotMatch(io.stdoutText(), /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/)
      if (name.startsWith('invalid')) assert.ok(record.message.includes('\ufffd'))
      assert.equal(JSON.parse(lines[1]).message, 'after')
    })
  }

  test('the batches of one turn of the event loop go out in one write, at the end of that turn', async () => {
    const io = testIO()
    const sink = await createSink(options({format: 'json'}), io)
    await sink.write(entries(web, ['a', 'b', 'c']))
    await sink.write(entries(web, ['d'], 3))
    const chunks = (io.stdout as unknown as {chunks: string[]}).chunks
    assert.equal(chunks.length, 0)
    await nextTurn()
    assert.equal(chunks.length, 1)
    assert.equal(chunks[0].split('\n').length, 5)
    await sink.write(entries(web, ['e'], 4))
    await nextTurn()
    assert.equal(chunks.length, 2)
  })

  test('a stream status on stderr comes after the lines written before it', async () => {
    const io = testIO()
    const order: string[] = []
    const sink = await createSink(options({follow: true}), io)
    const stdoutWrite = io.stdout.write.bind(io.stdout)
    const stderrWrite = io.stderr.write.bind(io.stderr)
    io.stdout.write = ((chunk: string) => (order.push(`out ${chunk}`), stdoutWrite(chunk))) as typeof io.stdout.write
    io.stderr.write = ((chunk: string) => (order.push(`err ${chunk}`), stderrWrite(chunk))) as typeof io.stderr.write
    await sink.write(entries(web, ['last line']))
    await sink.write({type: 'status', status: {stream: web, state: 'ended', detail: 'TASK_FINISHED'}})
    await sink.close()
    assert.equal(io.stdoutText() + io.stderrText(), 'last line\nweb.1 ended (TASK_FINISHED)\n')
    assert.ok((io.stdout as unknown as {chunks: string[]}).chunks.length === 1)
    assert.deepEqual(order.map((line) => line.slice(0, 3)), ['out', 'err'])
  })

  test('never coloured, even with --color always on a terminal', async () => {
    const io = testIO({tty: true})
    const sink = await createSink(options({format: 'json', color: 'always', follow: true}), io)
    await sink.write(entries(web, ['\x1b[31mred']))
    await sink.close()
    assert.doesNotMatch(io.stdoutText(), /\x1b/)
  })
})

describe('text in a pipe', () => {
  test('plain lines, no escape codes, messages as written', async () => {
    const io = testIO()
    const sink = await createSink(options({color: 'auto', follow: true}), io, {streams: [web, api]})
    await sink.write({type: 'status', status: {stream: web, state: 'connecting'}})
    await sink.write(entries(web, ['one', 'two']))
    await sink.write(entries(api, ['three']))
    await sink.close()
    assert.equal(io.stdoutText(), '[web.1] one\n[web.1] two\n[api.1] three\n')
    assert.equal(io.stderrText(), '')
  })

  test('the prefix is automatic only with several streams, and can be forced either way', async () => {
    const one = testIO()
    const single = await createSink(options(), one, {streams: [web]})
    await single.write(entries(web, ['x']))
    await nextTurn()
    assert.equal(one.stdoutText(), 'x\n')
    const forced = testIO()
    const prefixed = await createSink(options({prefix: true}), forced, {streams: [web]})
    await prefixed.write(entries(web, ['x']))
    await nextTurn()
    assert.equal(forced.stdoutText(), '[web.1] x\n')
  })

  test('--include/--exclude filter lines before output', async () => {
    const io = testIO()
    const include = compilePatterns('include', ['GET|POST'])
    const exclude = compilePatterns('exclude', ['/health'])
    const sink = await createSink(options({include, exclude}), io)
    await sink.write(entries(web, ['GET /', 'GET /health', 'DELETE /x', 'POST /y']))
    await nextTurn()
    assert.equal(io.stdoutText(), 'GET /\nPOST /y\n')
  })

  test('--color always into a pipe is the user’s choice', async () => {
    const io = testIO()
    const sink = await createSink(options({color: 'always', prefix: true}), io)
    await sink.write(entries(web, ['x']))
    await nextTurn()
    assert.match(io.stdoutText(), /\x1b\[\d+m\[web\.1\]/)
  })

  test('after the reader has gone nothing more is written', async () => {
    const io = testIO()
    const sink = await createSink(options(), io)
    await sink.write(entries(web, ['first']))
    await nextTurn()
    io.closeStdout()
    await sink.write(entries(web, ['second'], 1))
    await sink.close()
    assert.equal(io.stdoutText(), 'first\n')
    assert.deepEqual(sink.resumePoints(), [{stream: web, cursor: '1'}])
  })
})

describe('filters', () => {
  test('a bad pattern is a usage error naming the flag', () => {
    assert.throws(() => compilePatterns('include', ['(']), {kind: 'usage', message: /--include "\(" is not a valid regular expression/})
  })

  test('global patterns do not skip matches (no lastIndex state)', () => {
    const filter = createLineFilter([/a/g], [])!
    assert.deepEqual(['a', 'a', 'a'].map(filter), [true, true, true])
    assert.equal(createLineFilter([], []), undefined)
  })
})

describe('backpressure', () => {
  /** A reader that takes one chunk per tick with a tiny buffer. */
  function slowIO(): {io: IO; received: () => string; maxQueued: () => number} {
    let text = ''
    let maxQueued = 0
    const stdout = new Writable({
      highWaterMark: 1024,
      write(chunk, _encoding, callback) {
        text += chunk.toString()
        setImmediate(callback)
      },
    })
    const original = stdout.write.bind(stdout)
    stdout.write = ((chunk: string) => {
      const ok = original(chunk)
      maxQueued = Math.max(maxQueued, stdout.writableLength)
      return ok
    }) as typeof stdout.write
    const io = testIO()
    return {io: {...io, stdout}, received: () => text, maxQueued: () => maxQueued}
  }

  test('a slow reader slows the writer: at most one batch is queued beyond what one write holds', async () => {
    const {io, received, maxQueued} = slowIO()
    const sink = new PlainSink(io, (entry) => `${entry.message}\n`, undefined, new StatusNotices(io, false, false))
    const batch = Array.from({length: 100}, (_, i) => `line ${i} ${'x'.repeat(20)}`)
    let waited = 0
    for (let i = 0; i < 500; i++) {
      const pending = sink.write(entries(web, batch))
      if (pending) {
        waited++
        await pending
      }
    }
    await sink.close()
    assert.ok(waited > 0)
    assert.equal(received().split('\n').length - 1, 50_000)
    assert.ok(maxQueued() < COALESCE_BYTES + 2 * batch.join('\n').length)
  })
})

describe('status notices on stderr', () => {
  test('reconnects, recoveries, ends and failures are told; plain live is not', async () => {
    const io = testIO()
    const sink = await createSink(options({follow: true}), io)
    await sink.write({type: 'status', status: {stream: web, state: 'connecting'}})
    await sink.write({type: 'status', status: {stream: web, state: 'live'}})
    await sink.write({type: 'status', status: {stream: web, state: 'reconnecting', attempt: 2, detail: 'connection reset'}})
    await sink.write({type: 'status', status: {stream: web, state: 'live'}})
    await sink.write({type: 'status', status: {stream: web, state: 'ended', detail: 'TASK_FINISHED'}})
    await sink.write({type: 'status', status: {stream: api, state: 'failed', detail: 'HTTP 500'}})
    assert.equal(
      io.stderrText(),
      'reconnecting to web.1 (attempt 2): connection reset\nreconnected to web.1\nweb.1 ended (TASK_FINISHED)\napi.1 failed: HTTP 500\n',
    )
    assert.equal(io.stdoutText(), '')
  })

  test('a stream that joins says why, and a notice is a line of its own, escaped on a terminal', async () => {
    const io = testIO({tty: true})
    const sink = await createSink(options({follow: true, tui: false}), io)
    await sink.write({type: 'status', status: {stream: api, state: 'connecting', detail: 'new task, TASK_RUNNING'}})
    await sink.write({type: 'notice', text: 'reconnecting to the Mesos event stream (attempt 1): reset\x1b[2J'})
    assert.equal(io.stderrText(), 'following api.1 (new task, TASK_RUNNING)\nreconnecting to the Mesos event stream (attempt 1): reset\\x1b[2J\n')
    assert.equal(io.stdoutText(), '')
  })

  test('without --follow the end of a stream is no news', () => {
    assert.equal(describeStatus({stream: web, state: 'ended'}, 'live', false), undefined)
  })

  test('details are escaped when stderr is a terminal', async () => {
    const io = testIO({tty: true})
    const sink = await createSink(options({follow: true, tui: false}), io)
    await sink.write({type: 'status', status: {stream: web, state: 'failed', detail: 'bad\x1b[2J'}})
    assert.equal(io.stderrText(), 'web.1 failed: bad\\x1b[2J\n')
  })
})

describe('resume hint', () => {
  const nodeLog = {words: ['dcos-ts', 'node', 'log', '--follow'], labelled: false}
  const taskLog = {words: ['dcos-ts', 'task', 'log', 'web', '-f', '--include', 'a b'], labelled: true}

  test('one stream: the command with its cursor; journal cursors are quoted for the shell', () => {
    assert.equal(formatResumeHint([{stream: web, cursor: '12345'}], nodeLog), 'Resume with: dcos-ts node log --follow --cursor 12345\n')
    assert.equal(formatResumeHint([{stream: web, cursor: "s=1;i=2'x"}], nodeLog), "Resume with: dcos-ts node log --follow --cursor 's=1;i=2'\\''x'\n")
  })

  test('task log: one line, each cursor naming its task, words quoted where the shell needs it', () => {
    assert.equal(
      formatResumeHint(
        [
          {stream: web, cursor: '10'},
          {stream: api, cursor: '20'},
        ],
        taskLog,
      ),
      "Resume with: dcos-ts task log web -f --include 'a b' --cursor web.1=10 --cursor api.1=20\n",
    )
    assert.equal(formatResumeHint([], taskLog), '', 'nothing read: nothing to resume')
  })

  test('the sink remembers the last cursor per stream, filtered lines included', async () => {
    const io = testIO()
    const sink = await createSink(options({exclude: [/skip/]}), io)
    await sink.write(entries(web, ['a', 'skip me'], 100))
    await sink.write(entries(api, ['b'], 7))
    assert.deepEqual(
      sink.resumePoints().map((point) => [point.stream.label, point.cursor]),
      [
        ['web.1', '101'],
        ['api.1', '7'],
      ],
    )
  })
})

test('a TTY without --follow, or with --no-tui, gets plain text (no Ink)', async () => {
  for (const overrides of [{follow: false}, {follow: true, tui: false}]) {
    const io = testIO({tty: true})
    const sink = await createSink(options(overrides), io)
    assert.ok(sink instanceof PlainSink)
  }
})

