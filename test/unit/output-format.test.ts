import {after, describe, test} from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {ByteEntry, type LogEntry, type StreamInfo} from '../../src/logs/entry.js'
import {createChalk, StreamColors} from '../../src/output/color.js'
import {createBatchEncoder, createEntryRenderer, formatRfc3339, type RenderOptions} from '../../src/output/format.js'
import {renderBatch} from '../../src/output/sinks.js'
import {StreamNames} from '../../src/output/stream-names.js'

const node: StreamInfo = {id: 'leader/dcos-adminrouter', kind: 'component', label: 'leader adminrouter', node: 'leader', unit: 'dcos-adminrouter.service'}
const task: StreamInfo = {id: 'web.1/stdout', kind: 'task', label: 'web.1', task: 'web.1', file: 'stdout', agent: 'a1'}

/** 2019-02-18 18:41:07.123456 UTC in journal microseconds. */
const REALTIME = 1550515267123456

function journal(message: string, fields: Record<string, string> = {}, extra: Partial<LogEntry> = {}): LogEntry {
  return {
    stream: node,
    message,
    cursor: 's=abc;i=1',
    realtime: REALTIME,
    monotonic: 12345,
    fields: {MESSAGE: message, PRIORITY: '6', SYSLOG_IDENTIFIER: 'nginx', _PID: '123', _HOSTNAME: 'master-1', ...fields},
    ...extra,
  }
}

function render(entry: LogEntry, options: Partial<RenderOptions> = {}): string {
  return createEntryRenderer({
    format: 'short',
    kind: entry.stream.kind,
    chalk: createChalk(0),
    terminalSafe: false,
    prefix: false,
    names: new StreamNames(false),
    timestamps: false,
    utc: true,
    ...options,
  })(entry)
}

describe('journal formats', () => {
  const savedTZ = process.env.TZ
  after(() => {
    if (savedTZ === undefined) delete process.env.TZ
    else process.env.TZ = savedTZ
  })

  test('short, in UTC', () => {
    assert.equal(render(journal('GET / 200')), '2019-02-18 18:41:07.123 UTC master-1 nginx[123]: GET / 200\n')
  })

  test('short, in local time by default (with the zone named)', () => {
    process.env.TZ = 'America/New_York'
    assert.equal(render(journal('GET / 200'), {utc: false}), '2019-02-18 13:41:07.123 EST master-1 nginx[123]: GET / 200\n')
    process.env.TZ = 'UTC'
    assert.equal(render(journal('GET / 200'), {utc: false}), '2019-02-18 18:41:07.123 UTC master-1 nginx[123]: GET / 200\n')
  })

  test('short leaves out what the entry lacks, and never invents a 1970 date', () => {
    assert.equal(render(journal('info message', {SYSLOG_IDENTIFIER: '', _PID: '', _HOSTNAME: ''})), '2019-02-18 18:41:07.123 UTC: info message\n')
    assert.equal(render(journal('m', {}, {realtime: undefined})), 'master-1 nginx[123]: m\n')
    assert.equal(render(journal('m', {SYSLOG_IDENTIFIER: '', _COMM: 'java'})), '2019-02-18 18:41:07.123 UTC master-1 java[123]: m\n')
    assert.equal(render({stream: node, message: 'bare'}), 'bare\n')
  })

  test('cat is the message only', () => {
    assert.equal(render(journal('GET / 200'), {format: 'cat'}), 'GET / 200\n')
  })

  test('text for a journal reads as short', () => {
    assert.equal(render(journal('x'), {format: 'text'}), render(journal('x'), {format: 'short'}))
  })

  test('json: one line, the journal field names, string values, plus an RFC 3339 time', () => {
    assert.equal(
      render(journal('GET / 200'), {format: 'json'}),
      '{"__CURSOR":"s=abc;i=1","__REALTIME_TIMESTAMP":"1550515267123456","__MONOTONIC_TIMESTAMP":"12345",' +
        '"MESSAGE":"GET / 200","PRIORITY":"6","SYSLOG_IDENTIFIER":"nginx","_PID":"123","_HOSTNAME":"master-1",' +
        '"time":"2019-02-18T18:41:07.123456Z"}\n',
    )
  })

  test('json-pretty: the same object indented by 4 spaces, one per entry', () => {
    const text = render(journal('GET / 200'), {format: 'json-pretty'})
    assert.ok(text.startsWith('{\n    "__CURSOR": "s=abc;i=1",\n'))
    assert.ok(text.endsWith('\n}\n'))
    assert.deepEqual(JSON.parse(text), JSON.parse(render(journal('GET / 200'), {format: 'json'})))
  })

  test('priority colours on the message: 3 red, 4 yellow, 5 bright, 6 plain', () => {
    const colour = {chalk: createChalk(1)}
    assert.equal(render(journal('boom', {PRIORITY: '3'}), colour), '2019-02-18 18:41:07.123 UTC master-1 nginx[123]: \x1b[31mboom\x1b[39m\n')
    assert.equal(render(journal('hmm', {PRIORITY: '4'}), {...colour, format: 'cat'}), '\x1b[33mhmm\x1b[39m\n')
    assert.equal(render(journal('note', {PRIORITY: '5'}), {...colour, format: 'cat'}), '\x1b[1mnote\x1b[22m\n')
    assert.equal(render(journal('fine', {PRIORITY: '6'}), {...colour, format: 'cat'}), 'fine\n')
  })

  test('json is never coloured, even with a colouring chalk', () => {
    assert.doesNotMatch(render(journal('boom', {PRIORITY: '3'}), {format: 'json', chalk: createChalk(1)}), /\x1b/)
  })
})

describe('task formats', () => {
  const line: LogEntry = {stream: task, message: 'hello', cursor: '18'}

  test('text is the line as written', () => {
    assert.equal(render(line, {format: 'text'}), 'hello\n')
  })

  test('prefix: [label], in the stream colour when colour is on', () => {
    assert.equal(render(line, {format: 'text', prefix: true}), '[web.1] hello\n')
    const chalk = createChalk(1)
    assert.equal(render(line, {format: 'text', prefix: true, chalk}), `${chalk[new StreamColors().of(task.id)]('[web.1]')} hello\n`)
  })

  test('timestamps only where the source has a time', () => {
    assert.equal(render(line, {format: 'text', timestamps: true}), 'hello\n')
    assert.equal(render({...line, realtime: REALTIME}, {format: 'text', timestamps: true}), '2019-02-18 18:41:07.123 UTC hello\n')
    assert.equal(render({...line, realtime: REALTIME}, {format: 'text', timestamps: true, prefix: true}), '[web.1] 2019-02-18 18:41:07.123 UTC hello\n')
  })

  test('json: {task, file, agent, cursor, time?, message}', () => {
    assert.equal(render(line, {format: 'json'}), '{"task":"web.1","file":"stdout","agent":"a1","cursor":"18","message":"hello"}\n')
    assert.equal(
      render({...line, cursor: undefined, realtime: REALTIME}, {format: 'json'}),
      '{"task":"web.1","file":"stdout","agent":"a1","cursor":null,"time":"2019-02-18T18:41:07.123456Z","message":"hello"}\n',
    )
  })
})

describe('terminal safety in text formats', () => {
  const hostile: LogEntry = {stream: task, message: '\x1b[2J\x1b]0;pwned\x07gotcha'}

  test('on a terminal the sequences are shown escaped', () => {
    assert.equal(render(hostile, {format: 'text', terminalSafe: true}), '\\x1b[2J\\x1b]0;pwned\\x07gotcha\n')
  })

  test('in a pipe (or with --raw) the message passes as written', () => {
    assert.equal(render(hostile, {format: 'text'}), '\x1b[2J\x1b]0;pwned\x07gotcha\n')
  })

  test('journal headers (identifier, host) are escaped too, and so are labels', () => {
    const entry = journal('m', {SYSLOG_IDENTIFIER: 'x\x1b[31m'})
    assert.doesNotMatch(render(entry, {terminalSafe: true}), /\x1b/)
    const label: LogEntry = {stream: {...task, label: 'evil\x1b[2J'}, message: 'm'}
    assert.equal(render(label, {format: 'text', terminalSafe: true, prefix: true}), '[evil\\x1b[2J] m\n')
  })
})

test('formatRfc3339 keeps microseconds', () => {
  assert.equal(formatRfc3339(REALTIME), '2019-02-18T18:41:07.123456Z')
  assert.equal(formatRfc3339(0), '1970-01-01T00:00:00.000000Z')
})

describe('batches as bytes', () => {
  const options = (overrides: Partial<RenderOptions>): RenderOptions => ({
    format: 'text',
    kind: 'task',
    chalk: createChalk(0),
    terminalSafe: false,
    prefix: false,
    names: new StreamNames(false),
    timestamps: false,
    utc: true,
    ...overrides,
  })
  const odd: StreamInfo = {id: 'odd', kind: 'task', label: 'odd', task: 'we"b\u202e'}

  test('the bytes are exactly the rendered text, for byte entries and others, any message and cursor', () => {
    for (const chosen of [{format: 'text'}, {format: 'cat'}, {format: 'json'}, {format: 'text', prefix: true}, {format: 'text', prefix: true, chalk: createChalk(1)}] as const) {
      // One set of names for both, as createSink shares it: a stream's colour is the same whichever writes it.
      const renderOptions = options(chosen)
      const render = createEntryRenderer(renderOptions)
      const encode = createBatchEncoder(renderOptions, render)
      assert.ok(encode, JSON.stringify(chosen))
      const entry = fc.record({
        message: fc.oneof(fc.string({unit: 'binary', maxLength: 30}), fc.string({maxLength: 30})),
        bytes: fc.boolean(),
        // What lies before the message in its chunk; an empty gap puts two messages side by side, a newline
        // makes lines of a text body.
        gap: fc.constantFrom('', 'x', '\n', 'data: {"MESSAGE":"'),
        stream: fc.constantFrom(task, odd),
        cursor: fc.oneof(fc.constant(undefined), fc.stringMatching(/^[0-9]{1,9}$/), fc.string({maxLength: 5})),
      })
      fc.assert(
        fc.property(fc.array(entry, {maxLength: 8}), fc.boolean(), fc.boolean(), fc.constantFrom('', '\n', 'yy'), (specs, shared, reversed, end) => {
          // Byte entries in one chunk (as a network chunk's events are) or each in its own, in order or not;
          // what follows the last message (or each message in its own buffer) may be its newline.
          const parts = specs.map(({gap, message}) => [Buffer.from(gap), Buffer.from(message)])
          const chunk = Buffer.concat([...parts.flat(), Buffer.from(end)])
          let offset = 0
          const entries = specs.map(({message, bytes, stream, cursor}, i): LogEntry => {
            const start = offset + parts[i][0].length
            offset = start + parts[i][1].length
            if (!bytes) return {stream, message, cursor}
            if (shared) return new ByteEntry(stream, cursor, chunk, start, offset)
            const own = Buffer.from(`xx${message}${end}`)
            return new ByteEntry(stream, cursor, own, 2, own.length - end.length)
          })
          if (reversed) entries.reverse()
          const bytes = encode(entries)
          assert.equal((Array.isArray(bytes) ? Buffer.concat(bytes) : bytes).toString('utf8'), renderBatch(entries, render, undefined))
        }),
        {numRuns: 500},
      )
    }
  })

  test('not where the renderer adds text per line (escapes, times) or the format is not the task\'s text or JSON', () => {
    for (const overrides of [{terminalSafe: true}, {timestamps: true}, {format: 'json-pretty' as const}, {kind: 'component' as const}]) {
      const chosen = options(overrides)
      assert.equal(createBatchEncoder(chosen, createEntryRenderer(chosen)), undefined, JSON.stringify(overrides))
    }
  })
})

