/**
 * Journal event streams read with eventsource's EventSource over our HTTP client (src/logs/sources/
 * journal-events.ts), against a fake client serving chunks: one connection, ended as follow.ts expects.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {Readable} from 'node:stream'
import fc from 'fast-check'
import type {RequestOptions} from '../../src/cluster/http.js'
import {CliError, isCliError} from '../../src/errors.js'
import type {LogEntry, StreamInfo} from '../../src/logs/entry.js'
import {readJournalEvents} from '../../src/logs/sources/journal-events.js'
import {parseJsonObject} from '../../src/logs/sse.js'
import {splitAt} from '../helpers/chunks.js'
import {StreamOnlyHttp} from '../helpers/fake-http.js'

const stream: StreamInfo = {id: 'leader/adminrouter', kind: 'component', label: 'leader:dcos-adminrouter.service'}
const REQUEST = {path: '/system/v1/leader/mesos/logs/v2/component/a.service', query: {}, headers: {'Last-Event-ID': 'c0'}, idleMs: 45_000, purpose: 'following leader logs'}

/** Answers every request with these chunks (or throws `refuse`), and keeps what was asked. */
class ChunkServer extends StreamOnlyHttp {
  requests: Array<{path: string; options: RequestOptions}> = []
  constructor(
    private readonly chunks: Buffer[],
    private readonly refuse?: CliError,
  ) {
    super()
  }

  async stream(path: string, options: RequestOptions = {}) {
    this.requests.push({path, options})
    if (this.refuse) throw this.refuse
    return {response: {status: 200, headers: {}, url: this.baseUrl + path}, body: Readable.from(this.chunks)}
  }
}

const decode = (data: string): LogEntry => {
  const value = parseJsonObject(data)
  return {stream, message: String(value.message), cursor: String(value.cursor)}
}

/** Every batch until the read ends, and how it ended. */
async function read(http: ChunkServer, signal = new AbortController().signal): Promise<{batches: LogEntry[][]; error?: unknown}> {
  const batches: LogEntry[][] = []
  try {
    for await (const batch of readJournalEvents(http, REQUEST, signal, decode)) batches.push(batch)
    return {batches}
  } catch (error) {
    return {batches, error}
  }
}

function sse(events: Array<{message: string; cursor: string} | 'ping'>): {bytes: Buffer; ends: number[]} {
  const ends: number[] = []
  let text = ''
  for (const event of events) {
    text += event === 'ping' ? ': ping\n\n' : `id: ${event.cursor}\ndata: ${JSON.stringify(event)}\n\n`
    ends.push(Buffer.byteLength(text))
  }
  return {bytes: Buffer.from(text), ends}
}

describe('journal event streams over eventsource', () => {
  const event = fc.oneof(
    {arbitrary: fc.record({message: fc.string({unit: 'grapheme', maxLength: 30}), cursor: fc.stringMatching(/^s=[0-9a-f]{4};i=[0-9a-f]{1,4}$/)}), weight: 4},
    {arbitrary: fc.constant('ping' as const), weight: 1},
  )

  test('any chunking: every entry once, in order; a cut anywhere but at the end of an event is a retryable error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, {maxLength: 15}), fc.array(fc.nat(), {maxLength: 20}), fc.nat(), async (events, cuts, cutAt) => {
        const {bytes, ends} = sse(events)
        const length = cutAt % (bytes.length + 1)
        const whole = length === 0 || ends.includes(length)
        const http = new ChunkServer(splitAt(bytes.subarray(0, length), cuts))
        const {batches, error} = await read(http)
        const sent = events.flatMap((e, i) => (e !== 'ping' && ends[i] <= length ? [{message: e.message, cursor: e.cursor}] : []))
        assert.deepEqual(
          batches.flat().map((entry) => ({message: entry.message, cursor: entry.cursor})),
          sent,
        )
        assert.deepEqual(batches[0], [], 'connected: an empty batch first')
        if (whole) assert.equal(error, undefined)
        else assert.ok(isCliError(error) && error.retryable && /ended in the middle of an event/.test(error.message), String(error))
        assert.equal(http.requests.length, 1, 'EventSource never reconnects by itself')
      }),
      {numRuns: 200},
    )
  })

  test('the request: our client, the route asked for, Last-Event-ID, the idle watchdog, EventSource\'s Accept', async () => {
    const http = new ChunkServer([Buffer.from(': ping\n\n')])
    const {batches, error} = await read(http)
    assert.equal(error, undefined)
    assert.deepEqual(batches, [[], []], 'connected, then the ping: alive')
    const [{path, options}] = http.requests
    assert.equal(path, REQUEST.path)
    assert.deepEqual(options.headers, {Accept: 'text/event-stream', 'Last-Event-ID': 'c0'})
    assert.equal(options.mode, 'stream')
    assert.equal(options.idleMs, 45_000)
    assert.equal(options.purpose, 'following leader logs')
  })

  test('a refused request ends the read with the client\'s own error, and nothing is retried', async () => {
    const refused = new CliError('auth', 'following leader logs: 401 Unauthorized', {status: 401})
    const http = new ChunkServer([], refused)
    const {batches, error} = await read(http)
    assert.equal(error, refused)
    assert.deepEqual(batches, [])
    assert.equal(http.requests.length, 1)
  })

  test('an entry that is not JSON is a protocol error', async () => {
    const {error} = await read(new ChunkServer([Buffer.from('data: {"message":\n\n')]))
    assert.ok(isCliError(error) && error.kind === 'protocol' && !error.retryable, String(error))
  })

  test('an abort ends the read quietly', async () => {
    const controller = new AbortController()
    const http = new ChunkServer([Buffer.from('id: 1\ndata: {"message":"a","cursor":"1"}\n\n')])
    const batches: LogEntry[][] = []
    for await (const batch of readJournalEvents(http, REQUEST, controller.signal, decode)) {
      batches.push(batch)
      controller.abort()
    }
    assert.deepEqual(batches, [[]])
  })
})
