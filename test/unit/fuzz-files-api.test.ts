/**
 * Property tests of the Mesos files API reader (src/logs/task-file/): LineAssembler, BackwardLineScan and
 * MesosFile over random file bytes, with the answers' bodies cut into random chunks. However the bytes
 * arrive, the lines (empty ones included) and their cursors are those of the file; bad answers fail only
 * with a CliError.
 */
import assert from 'node:assert/strict'
import {Readable} from 'node:stream'
import {describe, test} from 'node:test'
import fc from 'fast-check'
import {CliError, isCliError} from '../../src/errors.js'
import type {HttpClient, RequestOptions} from '../../src/cluster/http.js'
import type {LogEntry, StreamInfo} from '../../src/logs/entry.js'
import type {LogWindow} from '../../src/logs/sources/window.js'
import {BackwardLineScan, LineAssembler} from '../../src/logs/task-file/lines.js'
import {MESOS_READ_CAP, MesosFile, decodeReadAnswer} from '../../src/logs/task-file/mesos-file.js'
import {createTaskFileSource} from '../../src/logs/task-file/source.js'
import {splitAt} from '../helpers/chunks.js'
import {StreamOnlyHttp} from '../helpers/fake-http.js'

const RUNS = {numRuns: 200}
const STREAM: StreamInfo = {id: 'fw/web.1/stdout', kind: 'task', label: 'web.1', task: 'web.1', file: 'stdout'}
const PATH = '/sandbox/stdout'

/** File bytes rich in what matters: newlines, runs of them, multi-byte UTF-8, invalid bytes. */
const fileBytes = fc
  .array(
    fc.oneof(
      {weight: 3, arbitrary: fc.uint8Array({maxLength: 12}).map((b) => Buffer.from(b))},
      {weight: 3, arbitrary: fc.constantFrom('\n', '\n\n', 'é', '💥', '\r\n', '"', '\\', '/').map((s) => Buffer.from(s))},
      {weight: 2, arbitrary: fc.string({unit: 'grapheme', maxLength: 10}).map((s) => Buffer.from(s))},
    ),
    {maxLength: 40},
  )
  .map((parts) => Buffer.concat(parts))

/** The lines of a file from `base` on, empty ones too, as a reader must give them (cursor: the LF's offset). */
function expectedLines(file: Buffer, base: number, withTail: boolean): Array<{message: string; cursor: string}> {
  const lines: Array<{message: string; cursor: string}> = []
  let start = base
  for (let lf = file.indexOf(0x0a, base); lf >= 0; lf = file.indexOf(0x0a, start)) {
    lines.push({message: file.toString('utf8', start, lf), cursor: String(lf)})
    start = lf + 1
  }
  if (withTail && start < file.length) lines.push({message: file.toString('utf8', start), cursor: String(file.length)})
  return lines
}

const plain = (entries: LogEntry[]) => entries.map(({message, cursor}) => ({message, cursor}))

/** Mesos's answer: `data` holds the raw bytes, escaped as JSON needs (bytes >= 0x80 as they are). */
function mesosAnswer(data: Buffer, offset: number): Buffer {
  const escaped: number[] = []
  for (const byte of data) {
    if (byte === 0x22 || byte === 0x5c) escaped.push(0x5c, byte)
    else if (byte < 0x20) escaped.push(...Buffer.from(`\\u00${byte.toString(16).padStart(2, '0')}`))
    else escaped.push(byte)
  }
  return Buffer.concat([Buffer.from(`{"data":"`), Buffer.from(escaped), Buffer.from(`","offset":${offset}}`)])
}

/** A files API serving one file, every answer's body cut at the given points. */
class FakeFilesApi extends StreamOnlyHttp {
  constructor(
    private readonly file: Buffer,
    private readonly cuts: number[],
  ) {
    super()
  }

  async stream(path: string, options: RequestOptions = {}) {
    const query = options.query ?? {}
    assert.equal(query.path, PATH, `read of ${path}`)
    const offset = Number(query.offset)
    const body =
      offset === -1
        ? Buffer.from(`{"data":"","offset":${this.file.length}}`)
        : mesosAnswer(this.file.subarray(offset, offset + Math.min(Number(query.length ?? MESOS_READ_CAP), MESOS_READ_CAP)), offset)
    return {response: {status: 200, headers: {}, url: this.baseUrl + path}, body: Readable.from(splitAt(body, this.cuts))}
  }
}

const cuts = fc.array(fc.nat(), {maxLength: 30})

describe('LineAssembler, fuzzed', () => {
  test('any chunking gives the file lines with byte-offset cursors', () => {
    fc.assert(
      fc.property(fileBytes, cuts, fc.nat({max: 1_000_000}), (file, cutAt, base) => {
        const lines = new LineAssembler(STREAM)
        lines.restart(base)
        const got = [...splitAt(file, cutAt).flatMap((chunk) => lines.push(chunk)), ...lines.finish()]
        const shifted = Buffer.concat([Buffer.alloc(base), file])
        assert.deepEqual(plain(got), expectedLines(shifted, base, true))
      }),
      RUNS,
    )
  })
})

describe('MesosFile and the task file source without logging v2, fuzzed', () => {
  const signal = new AbortController().signal
  const clock = {sleep: async () => {}, now: Date.now}
  const source = (http: HttpClient, window: LogWindow) => createTaskFileSource(http, {stream: STREAM, agentId: 'S0', path: PATH, name: 'stdout of task web.1'}, window, clock)
  const windowStart = (file: MesosFile, lines: number, end: number, includePartial: boolean) =>
    file.scanBack(new BackwardLineScan(lines, end, includePartial), end, 0, signal).then((found) => found.start)

  test('decodeReadAnswer gives back the raw bytes of any answer Mesos writes', () => {
    fc.assert(
      fc.property(fileBytes, fc.nat(), (data, offset) => {
        assert.deepEqual(decodeReadAnswer(mesosAnswer(data, offset), PATH), {data, offset})
      }),
      RUNS,
    )
  })

  test('decodeReadAnswer on random bytes: an answer or a protocol CliError', () => {
    const prefix = fc.constantFrom('', '{"data":"', '{"offset":1,"data":"', '{"data":')
    fc.assert(
      fc.property(prefix, fc.uint8Array({maxLength: 80}), fc.constantFrom('', '"}', '","offset":3}', '}'), (start, bytes, end) => {
        try {
          const answer = decodeReadAnswer(Buffer.concat([Buffer.from(start), Buffer.from(bytes), Buffer.from(end)]), PATH)
          assert.ok(Buffer.isBuffer(answer.data) && typeof answer.offset === 'number')
        } catch (error) {
          assert.ok(isCliError(error) && error.kind === 'protocol', `not a protocol CliError: ${String(error)}`)
        }
      }),
      {numRuns: 400},
    )
  })

  test('reading a file through the source: the same lines however the answers are chunked', async () => {
    const window: fc.Arbitrary<LogWindow> = fc.oneof(fc.constant({kind: 'all'} as const), fc.nat({max: 12}).map((lines) => ({kind: 'tail', lines}) as const))
    await fc.assert(
      fc.asyncProperty(fileBytes, cuts, window, async (file, cutAt, shown) => {
        const got: LogEntry[] = []
        for await (const batch of source(new FakeFilesApi(file, cutAt), shown).open({follow: false}, signal)) got.push(...batch)
        const all = expectedLines(file, 0, true)
        assert.deepEqual(plain(got), shown.kind === 'all' ? all : all.slice(Math.max(0, all.length - shown.lines)))
      }),
      RUNS,
    )
  })

  test('a backward scan finds where the last N lines begin, in files spanning several 64 KiB reads', async () => {
    // Long lines and long runs of empty lines around the 64 KiB read boundaries.
    const part = fc.oneof(
      fc.nat({max: 70_000}).map((n) => Buffer.alloc(n, 0x61)),
      fc.nat({max: 5}).map((n) => Buffer.alloc(n, 0x0a)),
      fc.constant(Buffer.from('short\n')),
    )
    const bigFile = fc.array(part, {maxLength: 8}).map((parts) => Buffer.concat(parts))
    await fc.assert(
      fc.asyncProperty(bigFile, fc.nat({max: 6}), fc.boolean(), async (file, lines, includePartial) => {
        const start = await windowStart(new MesosFile(new FakeFilesApi(file, []), 'S0', PATH), lines, file.length, includePartial)
        // The window is exactly the last `lines` lines: reading from start yields them and no more.
        const all = expectedLines(file, 0, includePartial)
        assert.deepEqual(expectedLines(file, start, includePartial), lines === 0 ? [] : all.slice(-lines))
      }),
      {numRuns: 60},
    )
  })

  test('a backward scan keeps several reads in flight for a big window, and aborts the ones it does not need', async () => {
    const file = Buffer.from('x'.repeat(29) + '\n').subarray(0, 30)
    const big = Buffer.concat(Array.from({length: 40_000}, () => file)) // 1.2 MB, ~18 reads
    const inner = new FakeFilesApi(big, [])
    let inFlight = 0
    let most = 0
    let aborted = 0
    const slow: HttpClient = {
      ...inner,
      json: inner.json,
      text: inner.text,
      stream: async (path, options = {}) => {
        inFlight++
        most = Math.max(most, inFlight)
        try {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, 2)
            options.signal?.addEventListener('abort', () => {
              clearTimeout(timer)
              aborted++
              reject(new CliError('interrupted', 'aborted'))
            })
          })
          return await inner.stream(path, options)
        } finally {
          inFlight--
        }
      },
    }
    for (const lines of [1, 30_000]) {
      most = 0
      const start = await windowStart(new MesosFile(slow, 'S0', PATH), lines, big.length, false)
      assert.equal(start, big.length - lines * 30, `${lines}`)
      assert.equal(most, lines === 1 ? 1 : 8, `reads in flight for ${lines} lines`)
    }
    assert.ok(aborted > 0, 'reads beyond the window were aborted')
  })

  test('a missing file is a not-found CliError, not a crash', async () => {
    const http: HttpClient = {
      baseUrl: 'http://fake',
      json: () => Promise.reject(new Error('not used')),
      text: () => Promise.reject(new Error('not used')),
      stream: async (path) => ({response: {status: 404, headers: {}, url: path}, body: Readable.from([Buffer.from('')])}),
    }
    await assert.rejects(
      async () => {
        for await (const _ of source(http, {kind: 'all'}).open({follow: false}, signal));
      },
      (error: unknown) => error instanceof CliError && error.kind === 'not-found',
    )
  })
})
