import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import fc from 'fast-check'
import {CliError} from '../../src/errors.js'
import {ByteEntry, type StreamInfo} from '../../src/logs/entry.js'
import {type EventId, EventTooLong, SseParser, parseEventJson, taskEventMessage, taskMessageBytesStart} from '../../src/logs/sse.js'
import {splitAt} from '../helpers/chunks.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const needsShared = existsSync(shared) ? {} : {skip: 'needs ../shared beside the repository'}

type Parsed = {type: 'event'; id?: string; data: string} | {type: 'comment'}

function parse(chunks: Buffer[]): {events: Parsed[]; incomplete: boolean} {
  const events: Parsed[] = []
  const parser = new SseParser({
    onEvent: (id, buf, start, end) => events.push({type: 'event', id: id === undefined ? undefined : String(id), data: buf.toString('utf8', start, end)}),
    onComment: () => events.push({type: 'comment'}),
  })
  for (const chunk of chunks) parser.push(chunk)
  return {events, incomplete: parser.incomplete}
}

/** The body of a captured HTTP response (after the blank line that ends the headers). */
function wireBody(name: string): Buffer {
  const raw = readFileSync(`${shared}fixtures/wire/${name}`)
  return raw.subarray(raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') + 4 : raw.indexOf('\n\n') + 2)
}

describe('SSE parser', () => {
  test('a captured dcos-log task stream: the first line has no id, then ids are newline offsets', needsShared, () => {
    const {events} = parse([wireBody('dcos-log/v2-task/stdout.sse.limit3.http')])
    const entries = events.map((event) => (event.type === 'event' ? {id: event.id, message: taskEventMessage(Buffer.from(event.data), 0, Buffer.byteLength(event.data))} : undefined))
    assert.deepEqual(entries.slice(0, 3), [
      {id: undefined, message: 'stdout line 1'},
      {id: '27', message: 'stdout line 2'},
      {id: '41', message: 'stdout line 3'},
    ])
    assert.equal(Buffer.byteLength('stdout line 1'), 13, 'the first line ends at 13, the next id is 13 + 1 + 13')
  })

  test('ids, multi-line data, comments, unknown fields and a field without colon', () => {
    const text = ': ping\n\nid: 7\nevent: x\nretry: 5\ndata: {"a":1}\n\ndata:first\ndata: second\ndata\n\nid: only-id\n\ndata: z\n\n'
    assert.deepEqual(parse([Buffer.from(text)]).events, [
      {type: 'comment'},
      {type: 'event', id: '7', data: '{"a":1}'},
      {type: 'event', id: undefined, data: 'first\nsecond\n'},
      {type: 'event', id: 'only-id', data: 'z'},
    ])
  })

  test('CRLF line ends parse like LF', () => {
    const lf = 'id: 1\ndata: a\n\n: ping\n\ndata: b\n\n'
    assert.deepEqual(parse([Buffer.from(lf.replaceAll('\n', '\r\n'))]).events, parse([Buffer.from(lf)]).events)
  })

  test('a multi-byte character split at every byte position survives', () => {
    const bytes = Buffer.from('id: 5\ndata: héllo 世界 🎉\n\n')
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.deepEqual(parse([bytes.subarray(0, cut), bytes.subarray(cut)]).events, [{type: 'event', id: '5', data: 'héllo 世界 🎉'}])
    }
  })

  test('a stream cut inside an event dispatches nothing and says so', () => {
    const {events, incomplete} = parse([Buffer.from('id: 1\ndata: a\n\nid: 2\ndata: b\n')])
    assert.deepEqual(events, [{type: 'event', id: '1', data: 'a'}])
    assert.equal(incomplete, true)
    assert.equal(parse([Buffer.from('data: a\n\n')]).incomplete, false)
  })

  test('random chunking never changes the events', () => {
    const event = fc.record({
      id: fc.option(fc.stringMatching(/^[0-9a-z=;]{1,20}$/), {nil: undefined}),
      lines: fc.array(fc.string({unit: 'grapheme', maxLength: 30}).filter((s) => !/[\r\n]/.test(s)), {minLength: 1, maxLength: 3}),
      comment: fc.boolean(),
    })
    fc.assert(
      fc.property(fc.array(event, {maxLength: 12}), fc.array(fc.nat(), {maxLength: 20}), fc.boolean(), (events, cuts, crlf) => {
        let text = ''
        for (const {id, lines, comment} of events) {
          if (comment) text += ': ping\n\n'
          if (id !== undefined) text += `id: ${id}\n`
          text += lines.map((line) => `data: ${line}\n`).join('') + '\n'
        }
        const bytes = Buffer.from(crlf ? text.replaceAll('\n', '\r\n') : text)
        const whole = parse([bytes]).events
        assert.deepEqual(parse(splitAt(bytes, cuts)).events, whole)
        assert.equal(whole.filter((e) => e.type === 'event').length, events.length)
      }),
      {numRuns: 300},
    )
  })
})

describe('task event MESSAGE', () => {
  const fields = {AGENT_ID: 'a-S0', CONTAINER_ID: 'c', EXECUTOR_ID: 'e', FILE: 'stdout', FRAMEWORK_ID: 'f'}
  const read = (json: string) => taskEventMessage(Buffer.from(json), 0, Buffer.byteLength(json))

  test('the fast path and JSON.parse agree on any message, escapes and lookalike keys included', () => {
    const tricky = fc.constantFrom('"MESSAGE":"x', '\\', '"}}', '<&>', '\u0000', '\u2028', 'é世🎉', '\\"MESSAGE\\":\\"')
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({unit: 'grapheme'}), tricky), {maxLength: 5}), (parts) => {
        const message = parts.join('')
        // Go escapes <, > and & like this; the fallback must decode them.
        const json = JSON.stringify({fields: {...fields, MESSAGE: message}}).replaceAll('<', '\\u003c').replaceAll('&', '\\u0026')
        assert.equal(read(json), message)
      }),
      {numRuns: 500},
    )
  })

  test('a different shape goes through JSON.parse', () => {
    assert.equal(read('{"fields":{"MESSAGE":"a","ZZZ":"b"}}'), 'a')
    assert.equal(read('{"other":1,"fields":{"MESSAGE":"m"}}'), 'm')
  })

  test('data that is not JSON, or has no MESSAGE, is a non-retryable protocol error', () => {
    for (const bad of ['not json', '{"fields":{}}', '[1]']) {
      assert.throws(
        () => read(bad),
        (error: unknown) => error instanceof CliError && error.kind === 'protocol' && !error.retryable,
      )
    }
    assert.throws(() => parseEventJson(Buffer.from('{"a":'), 0, 5), /not JSON/)
  })
})

describe('task event MESSAGE bytes', () => {
  const event = (message: string) => Buffer.from(JSON.stringify({fields: {FILE: 'stdout', MESSAGE: message}}))
  const start = (data: Buffer) => taskMessageBytesStart(data, 0, data.length)

  test('on the fast path MESSAGE is the bytes as they came; escapes send it through JSON.parse', () => {
    const fast = event('plain line é')
    assert.equal(fast.toString('utf8', start(fast), fast.length - 3), 'plain line é')
    assert.equal(start(event('say "hi"')), -1)
  })

  test('bytes that cannot be the file\'s (not UTF-8, or U+FFFD that dcos-log put there) are never taken as they came', () => {
    const invalid = Buffer.concat([Buffer.from('{"fields":{"MESSAGE":"a'), Buffer.from([0xff, 0xc3]), Buffer.from('b"}}')])
    assert.equal(start(invalid), -1)
    assert.equal(start(event('a\ufffdb')), -1)
  })

  test('a backslash in one event of a chunk sends only that event through JSON.parse', () => {
    const chunk = Buffer.concat([event('one'), event('t\\wo'), event('three')])
    const ends = [event('one').length, event('one').length + event('t\\wo').length, chunk.length]
    const starts = [taskMessageBytesStart(chunk, 0, ends[0]), taskMessageBytesStart(chunk, ends[0], ends[1]), taskMessageBytesStart(chunk, ends[1], ends[2])]
    assert.deepEqual(starts.map((from) => from >= 0), [true, false, true])
    assert.equal(taskEventMessage(chunk, ends[0], ends[1]), 't\\wo')
  })

  test('an event longer than the bound is not held: the parser throws and forgets it', () => {
    const parser = new SseParser({onEvent: () => assert.fail('no event'), onComment: () => {}}, 100)
    parser.push(Buffer.from('id: 1\ndata: '))
    assert.throws(() => {
      for (let i = 0; i < 20; i++) parser.push(Buffer.alloc(10, 0x61))
    }, EventTooLong)
    assert.equal(parser.incomplete, false)
  })

  test('ids come back exactly as sent, decimal or not; byte offsets as numbers', () => {
    const ids: EventId[] = []
    const parser = new SseParser({onEvent: (id) => ids.push(id!), onComment: () => {}})
    const sent = ['0', '7', '007', '123456789012345', '1234567890123456789', '12a', '-1', ' 5', 'é1']
    parser.push(Buffer.from(sent.map((id) => `id: ${id}\ndata: x\n\n`).join('')))
    assert.deepEqual(ids.map(String), sent)
    assert.deepEqual(ids.map((id) => typeof id), ['number', 'number', 'string', 'number', 'string', 'string', 'string', 'string', 'string'])
  })
})

