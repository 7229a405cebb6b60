/**
 * Property tests of the event-stream parser (src/logs/sse.ts): however the bytes are cut into chunks,
 * the same events come out, the same ones the `eventsource` package's EventSource finds in them; whatever
 * bytes arrive, nothing but a CliError is ever thrown.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {EventSource, type FetchLike} from 'eventsource'
import fc from 'fast-check'
import {isCliError} from '../../src/errors.js'
import {SseParser, parseEventJson, taskEventMessage} from '../../src/logs/sse.js'
import {splitAt} from '../helpers/chunks.js'

const RUNS = {numRuns: 300}

interface Parsed {
  events: Array<{id: string | undefined; data: string}>
  comments: number
  incomplete: boolean
}

/** Everything the parser reports for these chunks (data decoded at once, as the contract asks). */
function parse(chunks: Buffer[]): Parsed {
  const parsed: Parsed = {events: [], comments: 0, incomplete: false}
  const parser = new SseParser({
    onEvent: (id, buf, start, end) => parsed.events.push({id: id === undefined ? undefined : String(id), data: buf.toString('utf8', start, end)}),
    onComment: () => parsed.comments++,
  })
  for (const chunk of chunks) parser.push(chunk)
  parsed.incomplete = parser.incomplete
  return parsed
}

/** A line value: any text without line ends (lone surrogates left out: they do not survive UTF-8). */
const value = fc.string({unit: 'grapheme', maxLength: 40}).map((text) => text.replace(/[\r\n]/g, ' '))
const event = fc.record({
  id: fc.option(fc.stringMatching(/^[0-9a-z=;]{1,20}$/), {nil: undefined}),
  data: fc.array(value, {minLength: 1, maxLength: 3}),
  comment: fc.boolean(),
  crlf: fc.boolean(),
})
const cuts = fc.array(fc.nat(), {maxLength: 40})

describe('event-stream parser, fuzzed', () => {
  test('well-formed events come out whole and in order, however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(event, {maxLength: 20}), cuts, (events, cutAt) => {
        const text = events
          .map(({id, data, comment, crlf}) => {
            const end = crlf ? '\r\n' : '\n'
            const lines = [...(comment ? [': ping'] : []), ...(id === undefined ? [] : [`id: ${id}`]), ...data.map((line) => `data: ${line}`)]
            return lines.map((line) => line + end).join('') + end
          })
          .join('')
        const parsed = parse(splitAt(Buffer.from(text), cutAt))
        assert.deepEqual(
          parsed.events,
          events.map(({id, data}) => ({id, data: data.join('\n')})),
        )
        assert.equal(parsed.comments, events.filter((e) => e.comment).length)
        assert.equal(parsed.incomplete, false)
      }),
      RUNS,
    )
  })

  test('random bytes: chunking never changes what comes out, and nothing throws', () => {
    // Bytes biased towards the ones that matter to the framing.
    const byte = fc.oneof(fc.integer({min: 0, max: 255}), fc.constantFrom(0x0a, 0x0d, 0x3a, 0x20, 0x64, 0x69))
    const prefix = fc.constantFrom('', 'data:', 'id:', 'data: ', ':', 'id: 7\ndata: x')
    fc.assert(
      fc.property(prefix, fc.array(byte, {maxLength: 300}), cuts, (start, bytes, cutAt) => {
        const input = Buffer.concat([Buffer.from(start), Buffer.from(bytes)])
        assert.deepEqual(parse(splitAt(input, cutAt)), parse([input]))
      }),
      RUNS,
    )
  })

  test('a stream cut anywhere inside an event never dispatches it, and says so', () => {
    fc.assert(
      fc.property(fc.array(value, {minLength: 1, maxLength: 3}), fc.nat(), (data, cut) => {
        const whole = Buffer.from(`id: 9\n${data.map((line) => `data: ${line}\n`).join('')}\n`)
        const at = cut % (whole.length - 1) // strictly before the final blank line completes
        const parsed = parse([whole.subarray(0, at)])
        assert.deepEqual(parsed.events, [])
        assert.equal(parsed.incomplete, at > 0)
      }),
      RUNS,
    )
  })
})

/** Whether a block (lines up to a blank one; LF or CR LF ends a line) sets an id but has no data line. */
function hasIdOnlyBlock(input: Buffer): boolean {
  let id = false
  let data = false
  for (const line of input.toString('latin1').split('\n').map((text) => text.replace(/\r$/, ''))) {
    if (line === '') {
      if (id && !data) return true
      id = data = false
    } else {
      const field = line.includes(':') ? line.slice(0, line.indexOf(':')) : line
      id ||= field === 'id'
      data ||= field === 'data'
    }
  }
  return false
}

/**
 * The events EventSource (eventsource 4, over a `fetch` that serves these chunks) finds in a stream: every
 * event whatever its `event:` type (ours has none), as its id ('' where the event set none) and data.
 */
async function eventSourceEvents(chunks: Buffer[]): Promise<Array<{id: string; data: string}>> {
  const events: Array<{id: string; data: string}> = []
  let parsed!: () => void
  const done = new Promise<void>((resolve) => (parsed = resolve))
  class Recording extends EventSource {
    override dispatchEvent(event: Event): boolean {
      if (event instanceof MessageEvent) events.push({id: event.lastEventId, data: event.data as string})
      return true
    }
  }
  const fetch: FetchLike = async () => {
    let next = 0
    // Pulled when EventSource reads, which it does once it has parsed the last chunk. It is closed before
    // the body ends, or it would schedule a reconnect.
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (next < chunks.length) return controller.enqueue(chunks[next++])
          source.close()
          controller.close()
          parsed()
        },
      },
      {highWaterMark: 0},
    )
    return {status: 200, url: 'http://127.0.0.1/', redirected: false, headers: {get: () => 'text/event-stream'}, body}
  }
  const source = new Recording('http://127.0.0.1/', {fetch})
  await done
  return events
}

describe('event-stream parser against eventsource (the reference), fuzzed', () => {
  /**
   * Any bytes, but for where SSE as dcos-log sends it and the WHATWG rules EventSource follows differ on
   * purpose (see src/logs/sse.ts):
   * - a CR is a line end only before an LF here (dcos-log ends lines with LF), anywhere for EventSource: every
   *   CR is followed by an LF;
   * - an id holding NUL is ignored by EventSource, kept here: no NUL;
   * - EventSource drops a byte order mark at the start (two, in fact: its TextDecoder and its parser each
   *   drop one); dcos-log sends none: the stream does not start with one;
   * - a block with an id but no data dispatches nothing in both, but here its id goes to the next event (as
   *   WHATWG's last event ID buffer would; logs-sse.test.ts), where eventsource 4 forgets it: no such block.
   * Invalid UTF-8 stays in: EventSource decodes the whole stream with a TextDecoder, this parser each value
   * once its line is complete, and both put U+FFFD for the same bytes. Ids are compared as text (this parser
   * reads a decimal id, a byte offset of a task file, as a number) and an event without one as '' (what
   * EventSource reports for it).
   */
  /** Bytes biased towards those that matter to framing and decoding (line ends, colon, space, UTF-8 parts). */
  const byte = fc.oneof(fc.integer({min: 1, max: 255}), fc.constantFrom(0x0a, 0x0d, 0x3a, 0x20, 0xe2, 0x82, 0xac))
  const bytes = (maxLength: number, of = byte) => fc.array(of, {maxLength}).map((values) => Buffer.from(values))
  /** Mostly blocks of field lines (values: any bytes but NUL, or text) ended by a blank line, so that many make events. */
  const value = fc.oneof(fc.integer({min: 1, max: 255}), fc.constantFrom(0x3a, 0x20, 0xe2, 0x82, 0xac))
  const text = fc.string({unit: 'grapheme', maxLength: 12}).map((chars) => Buffer.from(chars.replace(/[\0\r\n]/g, ' ')))
  const line = fc
    .tuple(fc.constantFrom('data:', 'data: ', 'data', 'id:', 'id: ', 'id', ':', 'event: ', 'retry: ', ''), fc.oneof(bytes(12, value), text), fc.constantFrom('\n', '\r\n', ''))
    .map(([field, text, end]) => Buffer.concat([Buffer.from(field), text, Buffer.from(end)]))
  const block = fc.tuple(fc.array(line, {minLength: 1, maxLength: 3}), fc.constantFrom('\n', '\r\n', '')).map(([lines, end]) => Buffer.concat([...lines, Buffer.from(end)]))
  const parts = fc.array(fc.oneof({arbitrary: block, weight: 4}, {arbitrary: bytes(40), weight: 1}), {minLength: 1, maxLength: 20, size: 'medium'})
  const stream = parts.map((parts) => {
    const joined = Buffer.concat(parts)
    const input = [...joined].flatMap((b, i) => (b === 0x0d && joined[i + 1] !== 0x0a ? [0x0d, 0x0a] : [b]))
    const bom = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf
    return Buffer.from(bom ? input.slice(1) : input)
  }).filter((input) => !hasIdOnlyBlock(input))

  test('for any bytes and any chunking, the same events (ids, data) as EventSource', async () => {
    await fc.assert(
      fc.asyncProperty(stream, cuts, cuts, async (input, ours, theirs) => {
        const expected = await eventSourceEvents(splitAt(input, theirs))
        assert.deepEqual(
          parse(splitAt(input, ours)).events.map(({id, data}) => ({id: id ?? '', data})),
          expected,
        )
      }),
      RUNS,
    )
  })
})

describe('event data decoding, fuzzed', () => {
  /** Runs fn; anything thrown must be a CliError. */
  function onlyCliErrors(fn: () => unknown): void {
    try {
      fn()
    } catch (error) {
      assert.ok(isCliError(error), `not a CliError: ${String(error)}`)
      assert.equal(error.kind, 'protocol')
    }
  }

  test('random bytes as event data: a message or a protocol CliError, nothing else', () => {
    const prefix = fc.constantFrom('', '{"fields":{', '{"fields":{"MESSAGE":"', '{"fields":{"A":"b","MESSAGE":"')
    const suffix = fc.constantFrom('', '"}}', '}}', '"}', '\\"}}')
    fc.assert(
      fc.property(prefix, fc.uint8Array({maxLength: 100}), suffix, (start, bytes, end) => {
        const buf = Buffer.concat([Buffer.from(start), Buffer.from(bytes), Buffer.from(end)])
        onlyCliErrors(() => {
          const message = taskEventMessage(buf, 0, buf.length)
          assert.equal(typeof message, 'string')
        })
        onlyCliErrors(() => parseEventJson(buf, 0, buf.length))
      }),
      RUNS,
    )
  })

  test('a task event gives back its MESSAGE exactly, fast path or not', () => {
    const fields = fc.dictionary(fc.stringMatching(/^[A-Z_]{1,12}$/), fc.string({maxLength: 20}), {maxKeys: 4})
    // Any code point, lone surrogates and controls included: JSON escapes what it must.
    const message = fc.oneof(fc.string({unit: 'binary', maxLength: 60}), fc.string({maxLength: 60}))
    fc.assert(
      fc.property(fields, message, fc.integer({min: 0, max: 8}), (others, text, padding) => {
        const {MESSAGE: _ignored, ...rest} = others
        const json = Buffer.from(JSON.stringify({fields: {...rest, MESSAGE: text}}))
        // Inside a larger chunk, as the parser hands it over.
        const buf = Buffer.concat([Buffer.alloc(padding, 0x78), json, Buffer.alloc(padding, 0x78)])
        assert.equal(taskEventMessage(buf, padding, padding + json.length), text)
      }),
      RUNS,
    )
  })
})
