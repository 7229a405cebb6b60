/**
 * Property tests of the event-stream parser (src/logs/sse.ts): however the bytes are cut into chunks,
 * the same events come out; whatever bytes arrive, nothing but a CliError is ever thrown.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
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
