/**
 * The sources against a fake cluster that follows Mesos files-API semantics (64 KiB cap, offset -1,
 * raw bytes in JSON with `\/`, 404) and dcos-log's task and journal endpoints, defects included.
 */
import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {Readable} from 'node:stream'
import {CliError} from '../../src/cluster/errors.js'
import type {RequestOptions} from '../../src/cluster/http.js'
import type {LogEntry, LogSource, OpenRequest, StreamInfo} from '../../src/logs/entry.js'
import {createFilesApiSource} from '../../src/logs/sources/files-api.js'
import {createV2ComponentSource} from '../../src/logs/sources/v2-component.js'
import {type AgentTaskRoute, createV2TaskSource, dcosLogSandbox} from '../../src/logs/sources/v2-task.js'
import type {LogWindow} from '../../src/logs/sources/window.js'
import {StreamOnlyHttp} from '../helpers/fake-http.js'

const CAP = 65536
const stream: StreamInfo = {id: 'web/stdout', kind: 'task', label: 'web'}
const route: AgentTaskRoute = {agentId: 'AG-S0', frameworkId: 'FW', executorId: 'web.1', containerId: 'cid'}
const STDOUT = `${dcosLogSandbox(route)}/stdout`

interface Recorded {
  path: string
  query: Record<string, unknown>
  headers: Record<string, string>
}

const LF = 0x0a

/** Non-empty lines from byte `from` (a segment starting inside a line counts from there), with their newline offsets. */
function segments(content: Buffer, from: number, withPartial: boolean): Array<{start: number; end: number}> {
  const out: Array<{start: number; end: number}> = []
  let start = from
  for (let lf = content.indexOf(LF, start); lf >= 0; lf = content.indexOf(LF, start)) {
    if (lf > start) out.push({start, end: lf})
    start = lf + 1
  }
  if (withPartial && start < content.length) out.push({start, end: content.length})
  return out
}

class FakeCluster extends StreamOnlyHttp {
  files = new Map<string, Buffer>()
  journal: Array<{cursor: string; message: string; unit: string}> = []
  requests: Recorded[] = []
  /** Content-Type of logging v2 task text (a proxy's page would be text/html). */
  taskTextType = 'text/plain'

  async stream(path: string, options: RequestOptions = {}) {
    const query = options.query ?? {}
    const headers = options.headers ?? {}
    this.requests.push({path, query, headers})
    const respond = (status: number, body: Buffer | string = '') => ({
      response: {status, headers: {}, url: this.baseUrl + path},
      body: Readable.from([Buffer.from(body)]),
    })
    const missing = () => {
      if (options.allowStatuses?.includes(404)) return respond(404)
      throw new CliError('not-found', 'File not found', {status: 404})
    }
    if (/^\/agent\/[^/]+\/files\/read$/.test(path)) {
      const content = this.files.get(String(query.path))
      if (content === undefined) return missing()
      const offset = Number(query.offset)
      if (offset === -1) return respond(200, `{"data":"","offset":${content.length}}`)
      const length = Math.min(query.length === undefined ? CAP : Number(query.length), CAP)
      return respond(200, Buffer.concat([Buffer.from(`{"offset":${offset},"data":"`), mesosEscape(content.subarray(offset, offset + length)), Buffer.from('"}')]))
    }
    if (path.includes('/logs/v2/task/')) {
      const content = this.files.get(STDOUT)
      if (content === undefined) return query.cursor === 'END' ? respond(204) : missing()
      const sse = headers.Accept === 'text/event-stream'
      const lines = dcosLogTaskRead(content, query, headers['Last-Event-ID'], !sse)
      if (!sse) {
        const text = respond(200, lines.map((l) => content.subarray(l.start, l.end).toString('utf8') + '\n').join(''))
        return {...text, response: {...text.response, headers: {'content-type': this.taskTextType}}}
      }
      return respond(200, lines.map((l) => `${l.start > 0 ? `id: ${l.end}\n` : ''}data: ${JSON.stringify({fields: {AGENT_ID: 'AG-S0', CONTAINER_ID: 'cid', EXECUTOR_ID: 'web.1', FILE: 'stdout', FRAMEWORK_ID: 'FW', MESSAGE: content.subarray(l.start, l.end).toString('utf8')}})}\n\n`).join(''))
    }
    if (path.includes('/logs/v2/component')) {
      const unit = decodeURIComponent(path.split('/logs/v2/component')[1].slice(1))
      const matching = this.journal.filter((entry) => unit === '' || entry.unit === unit)
      const after = headers['Last-Event-ID']
      let first = after === undefined ? 0 : matching.findIndex((e) => e.cursor === after) + 1
      // dcos-log applies skip even after Last-Event-ID (relative to it): a client must not send both
      const skip = Number(query.skip ?? 0)
      if (skip < 0) first = Math.max(0, (after === undefined ? matching.length : first - 1) + skip)
      const entries = matching.slice(first)
      if (entries.length === 0 && headers.Accept !== 'text/event-stream') return respond(204)
      const json = entries.map((e) => JSON.stringify({fields: {MESSAGE: e.message, _SYSTEMD_UNIT: e.unit}, cursor: e.cursor, monotonic_timestamp: 1, realtime_timestamp: 1700000000000000}))
      if (headers.Accept === 'text/event-stream') return respond(200, ': ping\n\n' + json.map((j, i) => `id: ${entries[i].cursor}\ndata: ${j}\n\n`).join(''))
      return respond(200, json.map((j) => j + '\n').join(''))
    }
    throw new CliError('not-found', `no route ${path}`, {status: 404})
  }
}

/** Mesos <= 1.6 JSON string of raw bytes: `"`, `\`, `/` and controls escaped, bytes >= 0x80 passed through. */
function mesosEscape(bytes: Buffer): Buffer {
  const out: number[] = []
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c || byte === 0x2f) out.push(0x5c, byte)
    else if (byte === LF) out.push(0x5c, 0x6e)
    else if (byte < 0x20) out.push(...Buffer.from(`\\u00${byte.toString(16).padStart(2, '0')}`))
    else out.push(byte)
  }
  return Buffer.from(out)
}

/** dcos-log's file reader, with its two defects (§7.3): the skip-back past one chunk, and byte 65,536 from 0. */
function dcosLogTaskRead(content: Buffer, query: Record<string, unknown>, lastEventId: string | undefined, text: boolean) {
  let from = 0
  if (lastEventId !== undefined) from = Number(lastEventId)
  else if (query.cursor === 'END') from = content.length
  else if (query.cursor !== undefined && query.cursor !== 'BEG') from = Number(query.cursor)
  const skip = lastEventId === undefined ? Number(query.skip ?? 0) : 0
  if (skip < 0) {
    const chunkStart = Math.max(0, from - CAP)
    const inChunk = segments(content.subarray(0, from), chunkStart, false).filter((s) => s.start > chunkStart || chunkStart === 0)
    // enough lines in the last chunk: right; otherwise a wrong, mid-line offset
    from = inChunk.length >= -skip ? inChunk[inChunk.length + skip].start : chunkStart === 0 ? 0 : chunkStart + 5
  }
  const lines = segments(content, from, text)
  if (from !== 0) return lines
  return lines.flatMap((l) => (l.start < CAP && l.end > CAP ? [{start: l.start, end: CAP}, {start: CAP - 1, end: l.end}] : [l]))
}

async function read(source: LogSource, request: OpenRequest): Promise<LogEntry[]> {
  const entries: LogEntry[] = []
  for await (const batch of source.open(request, new AbortController().signal)) entries.push(...batch)
  return entries
}

/** The expected lines: non-empty, newline-terminated, with the newline offset as cursor. */
function expected(content: Buffer, last?: number) {
  const all = segments(content, 0, false).map((s) => ({message: content.subarray(s.start, s.end).toString('utf8'), cursor: String(s.end)}))
  return last === undefined ? all : all.slice(Math.max(0, all.length - last))
}

const plain = (entries: LogEntry[]) => entries.map((e) => ({message: e.message, cursor: e.cursor}))

/** ~200 KB of lines of varied length with runs of empty lines and multi-byte characters. */
function bigFile(): Buffer {
  let text = ''
  for (let i = 0; text.length < 200_000; i++) text += `line ${i} ${'é世🎉x'.repeat(i % 40)}${i % 17 === 0 ? '\n\n\n' : ''}\n`
  return Buffer.from(text)
}

const noSleep = async () => {}

describe('files API source', () => {
  test('last N lines exactly, across 64 KiB windows, empty lines and split characters', async () => {
    const cluster = new FakeCluster()
    const content = bigFile()
    cluster.files.set('/sb/stdout', content)
    for (const lines of [1, 10, 900, 5000, 100_000]) {
      const source = createFilesApiSource(cluster, {stream, agentId: 'AG-S0', path: '/sb/stdout'}, {kind: 'tail', lines}, {sleep: noSleep})
      assert.deepEqual(plain(await read(source, {follow: false})), expected(content, lines), `last ${lines}`)
    }
  })

  test('the whole file, and resuming after a cursor', async () => {
    const cluster = new FakeCluster()
    const content = bigFile()
    cluster.files.set('/sb/stdout', content)
    const source = createFilesApiSource(cluster, {stream, agentId: 'AG-S0', path: '/sb/stdout'}, {kind: 'all'}, {sleep: noSleep})
    const all = expected(content)
    assert.deepEqual(plain(await read(source, {follow: false})), all)
    assert.deepEqual(plain(await read(source, {follow: false, after: all[999].cursor})), all.slice(1000))
  })

  test('a last line without newline: shown by a read, held back while following', async () => {
    const cluster = new FakeCluster()
    cluster.files.set('/sb/stdout', Buffer.from('one\ntwo\nthr'))
    const source = createFilesApiSource(cluster, {stream, agentId: 'AG-S0', path: '/sb/stdout'}, {kind: 'tail', lines: 5}, {sleep: noSleep})
    assert.deepEqual(plain(await read(source, {follow: false})), [
      {message: 'one', cursor: '3'},
      {message: 'two', cursor: '7'},
      {message: 'thr', cursor: '11'},
    ])
  })

  test('following: polling, a line completed later, rotation, and a file that appears late', async () => {
    const cluster = new FakeCluster()
    const path = '/sb/logs/app.log'
    const polls: Array<() => void> = [
      () => cluster.files.set(path, Buffer.from('a1\na2\npart')),
      () => cluster.files.set(path, Buffer.from('a1\na2\npartial done\na3 ünïcode\n')),
      // logrotate: the old file (grown a bit more) becomes .1, a new one starts
      () => {
        cluster.files.set(`${path}.1`, Buffer.from('a1\na2\npartial done\na3 ünïcode\na4\n'))
        cluster.files.set(path, Buffer.from('b1\n'))
      },
      () => cluster.files.set(path, Buffer.from('b1\nb2\n')),
    ]
    const controller = new AbortController()
    const sleep = async () => {
      const next = polls.shift()
      if (next === undefined) controller.abort()
      else next()
    }
    const source = createFilesApiSource(cluster, {stream, agentId: 'AG-S0', path}, {kind: 'tail', lines: 10}, {sleep, intervalMs: 1000})
    const seen: string[] = []
    try {
      for await (const batch of source.open({follow: true}, controller.signal)) {
        seen.push(...batch.map((e) => `${e.message}@${e.cursor}`))
        if (controller.signal.aborted) break
      }
    } catch {
      // aborted
    }
    assert.deepEqual(seen, ['a1@2', 'a2@5', 'partial done@18', 'a3 ünïcode@31', 'a4@34', 'b1@2', 'b2@5'])
  })

  test('a missing file is a clear not-found for a read', async () => {
    const source = createFilesApiSource(new FakeCluster(), {stream, agentId: 'AG-S0', path: '/sb/nope'}, {kind: 'tail', lines: 5}, {sleep: noSleep})
    await assert.rejects(read(source, {follow: false}), (error: unknown) => error instanceof CliError && error.kind === 'not-found')
  })
})

describe('logging v2 task source', () => {
  function setup(content: Buffer, withRoute: boolean, window: LogWindow) {
    const cluster = new FakeCluster()
    cluster.files.set(STDOUT, content)
    const source = createV2TaskSource(cluster, {stream, taskId: 'web.1', file: 'stdout', route: withRoute ? route : undefined}, window)
    return {cluster, source}
  }

  test('a small file: the server window, followed with cursors (the first line has none on the wire)', async () => {
    const content = Buffer.from('stdout line 1\nstdout line 2\n\nstdout line 3\n')
    const {cluster, source} = setup(content, true, {kind: 'tail', lines: 10})
    assert.deepEqual(plain(await read(source, {follow: true})), [
      {message: 'stdout line 1', cursor: '13'},
      {message: 'stdout line 2', cursor: '27'},
      {message: 'stdout line 3', cursor: '42'},
    ])
    const logs = cluster.requests.filter((r) => r.path.includes('/logs/v2/'))
    assert.deepEqual(logs.map((r) => [r.path, r.query, r.headers.Accept]), [
      ['/system/v1/agent/AG-S0/logs/v2/task/frameworks/FW/executors/web.1/runs/cid/stdout', {cursor: 'END', skip: -10}, 'text/event-stream'],
    ])
  })

  test('the last N lines of a big file are exact although the server would get them wrong', async () => {
    const content = bigFile()
    for (const lines of [3000, 100_000]) {
      for (const follow of [false, true]) {
        const {source} = setup(content, true, {kind: 'tail', lines})
        assert.deepEqual((await read(source, {follow})).map((e) => e.message), expected(content, lines).map((e) => e.message), `${lines} ${follow}`)
      }
      // the defect is real in the fake: without the agent route only the server's window is available
      const {source: blind} = setup(content, false, {kind: 'tail', lines})
      assert.notDeepEqual((await read(blind, {follow: false})).map((e) => e.message), expected(content, lines).map((e) => e.message))
    }
  })

  const filesReads = (cluster: FakeCluster) => cluster.requests.filter((r) => r.path.endsWith('/files/read')).map((r) => r.query.offset)
  const taskReads = (cluster: FakeCluster) => cluster.requests.filter((r) => r.path.includes('/logs/v2/')).map((r) => r.query.cursor ?? r.headers['Last-Event-ID'])

  test('a window the last 64 KiB of a big file hold: printed from that one read, then followed after its last line', async () => {
    const content = bigFile()
    const read10 = setup(content, true, {kind: 'tail', lines: 10})
    assert.deepEqual(plain(await read(read10.source, {follow: false})), expected(content, 10))
    assert.deepEqual(filesReads(read10.cluster), [-1, content.length - CAP])
    assert.deepEqual(taskReads(read10.cluster), [])
    const follow10 = setup(content, true, {kind: 'tail', lines: 10})
    assert.deepEqual(plain(await read(follow10.source, {follow: true})), expected(content, 10))
    assert.deepEqual(taskReads(follow10.cluster), [expected(content).at(-1)!.cursor])
  })

  test('a bigger window without following: one logging v2 read from an offset estimated to lie before it', async () => {
    const content = bigFile()
    const {cluster, source} = setup(content, true, {kind: 'tail', lines: 900})
    assert.deepEqual((await read(source, {follow: false})).map((e) => e.message), expected(content, 900).map((e) => e.message))
    assert.deepEqual(filesReads(cluster), [-1, content.length - CAP], 'size and the last 64 KiB')
    const [cursor] = taskReads(cluster)
    assert.equal(taskReads(cluster).length, 1)
    assert.ok(Number(cursor) > CAP && Number(cursor) < content.length - CAP)
  })

  test('an estimated offset inside a line, at its start or at its newline: the window is exact from each', async () => {
    // The last 64 KiB are 1,024 lines of 64 bytes, the lines before them 9 bytes long: each line more in
    // the window moves the estimate back by 64 bytes plus the margin, so these windows land on every byte
    // of a 9-byte line.
    const short = Array.from({length: 20_000}, (_, i) => `é${String(i).padStart(6, '0')}\n`)
    const long = Array.from({length: 1024}, (_, i) => `${String(i).padStart(63, '-')}\n`)
    const content = Buffer.from(short.join('') + long.join(''))
    const places = new Set<number>()
    for (let lines = 1025; lines < 1050; lines++) {
      const {cluster, source} = setup(content, true, {kind: 'tail', lines})
      assert.deepEqual((await read(source, {follow: false})).map((e) => e.message), expected(content, lines).map((e) => e.message), `${lines}`)
      assert.equal(taskReads(cluster).length, 1, `${lines}: one logging v2 read`)
      places.add(Number(taskReads(cluster)[0]) % 9)
    }
    assert.equal(places.size, 9, 'every byte of a line, its first and its newline included')
  })

  test('an estimate that falls short (longer lines before shorter ones): completed over the files API from where it landed', async () => {
    // Before the last 64 KiB, 10-byte lines; in them, 5-byte lines: windows reaching 800 lines into the
    // longer ones start some 4 KB before the estimate, which lands on every byte of a line in turn.
    const longer = Array.from({length: 20_000}, (_, i) => `é${String(i).padStart(7, '0')}\n`)
    const shorter = Array.from({length: 14_000}, (_, i) => `${String(i % 10_000).padStart(4, '0')}\n`)
    const content = Buffer.from(longer.join('') + shorter.join(''))
    const places = new Set<number>()
    for (let lines = 14_800; lines < 14_850; lines++) {
      const {cluster, source} = setup(content, true, {kind: 'tail', lines})
      assert.deepEqual((await read(source, {follow: false})).map((e) => e.message), expected(content, lines).map((e) => e.message), `${lines}`)
      assert.equal(taskReads(cluster).length, 1, `${lines}: the estimated read only`)
      const [size, last, ...shortfall] = filesReads(cluster)
      assert.deepEqual([size, last], [-1, content.length - CAP])
      assert.ok(shortfall.length >= 1 && shortfall.length <= 2, `${lines}: ${shortfall.length} files-API reads for ~4 KB`)
      places.add(Number(taskReads(cluster)[0]) % 10)
    }
    assert.equal(places.size, 10, 'every byte of a line, its first and its newline included')
  })

  test('an estimate that falls short by far (long lines before short ones), even to the start of the file: exact', async () => {
    const long = Buffer.from(`${'L'.repeat(1999)}\n`)
    const short = Buffer.from('short ln\n')
    const content = Buffer.concat([...Array.from({length: 100}, () => long), ...Array.from({length: 8000}, () => short)])
    for (const lines of [8020, 8100, 9000]) {
      const {cluster, source} = setup(content, true, {kind: 'tail', lines})
      assert.deepEqual((await read(source, {follow: false})).map((e) => e.message), expected(content, lines).map((e) => e.message), `${lines}`)
      assert.equal(taskReads(cluster).length, 1, 'the estimated read, completed over the files API')
    }
  })

  test('a web page with a 200 where log text belongs is a protocol error, not log lines', async () => {
    const {cluster, source} = setup(Buffer.from('one\ntwo\n'), false, {kind: 'tail', lines: 10})
    cluster.taskTextType = 'text/html; charset=utf-8'
    await assert.rejects(read(source, {follow: false}), (error: unknown) => {
      assert.ok(error instanceof CliError && error.kind === 'protocol')
      assert.equal(error.message, 'reading stdout of task web.1: expected log text, got text/html; charset=utf-8')
      return true
    })
  })

  test('following a big file, cursors match the files API (newline offsets)', async () => {
    const content = bigFile()
    const {source} = setup(content, true, {kind: 'tail', lines: 2000})
    assert.deepEqual(plain(await read(source, {follow: true})), expected(content, 2000))
  })

  test('resuming sends Last-Event-ID and no window parameters', async () => {
    const content = Buffer.from('one\ntwo\nthree\nfour\nfive\n')
    const {cluster, source} = setup(content, true, {kind: 'tail', lines: 2})
    assert.deepEqual(plain(await read(source, {follow: true, after: '13'})), [
      {message: 'four', cursor: '18'},
      {message: 'five', cursor: '23'},
    ])
    const [probe, resumed] = cluster.requests
    assert.equal(probe.query.offset, 13, 'one byte at the cursor: still the newline, so the file was not rotated')
    assert.equal(probe.query.length, 1)
    assert.deepEqual([resumed.query, resumed.headers['Last-Event-ID']], [{}, '13'])
    assert.equal(cluster.requests.length, 2)
  })

  test('nested paths are refused (logging v2 cannot carry them)', () => {
    assert.throws(() => createV2TaskSource(new FakeCluster(), {stream, taskId: 't', file: 'logs/app.log'}, {kind: 'all'}), /nested/)
  })
})

describe('logging v2 component source', () => {
  const component: StreamInfo = {id: 'leader/adminrouter', kind: 'component', label: 'leader adminrouter'}
  function setup() {
    const cluster = new FakeCluster()
    for (let i = 1; i <= 8; i++) cluster.journal.push({cursor: `s=aa;i=${i.toString(16)};b=bb;m=1;t=2;x=3`, message: `m${i}`, unit: i % 2 ? 'a.service' : 'b.service'})
    return cluster
  }

  test('a window then following: resumes after the last cursor with no skip (no repeats)', async () => {
    const cluster = setup()
    const source = createV2ComponentSource(cluster, {stream: component, node: {kind: 'leader'}}, {kind: 'tail', lines: 3})
    assert.deepEqual((await read(source, {follow: true})).map((e) => e.message), ['m6', 'm7', 'm8'])
    assert.deepEqual(cluster.requests.map((r) => [r.path, r.query.skip, r.headers.Accept, r.headers['Last-Event-ID']]), [
      ['/system/v1/leader/mesos/logs/v2/component', -3, 'application/json', undefined],
      ['/system/v1/leader/mesos/logs/v2/component', undefined, 'text/event-stream', 's=aa;i=8;b=bb;m=1;t=2;x=3'],
    ])
  })

  test('a window of 0 while following shows only new entries; 204 is an empty finished read', async () => {
    const cluster = setup()
    const source = createV2ComponentSource(cluster, {stream: component, node: {kind: 'agent', agentId: 'AG-S1'}, unit: 'a.service'}, {kind: 'tail', lines: 0})
    assert.deepEqual(await read(source, {follow: true}), [])
    assert.equal(cluster.requests[0].path, '/system/v1/agent/AG-S1/logs/v2/component/a.service')
    const empty = createV2ComponentSource(cluster, {stream: component, node: {kind: 'local'}, unit: 'none.service'}, {kind: 'all'})
    assert.deepEqual(await read(empty, {follow: false}), [])
  })

  test('a unit together with filters becomes a _SYSTEMD_UNIT filter (the path form would OR them)', async () => {
    const cluster = setup()
    const source = createV2ComponentSource(cluster, {stream: component, node: {kind: 'leader'}, unit: 'a.service'}, {kind: 'all'}, {filters: [['PRIORITY', '6']]})
    await read(source, {follow: false}).catch(() => [])
    assert.deepEqual(cluster.requests[0].query.filter, ['_SYSTEMD_UNIT:a.service', 'PRIORITY:6'])
    assert.equal(cluster.requests[0].path, '/system/v1/leader/mesos/logs/v2/component')
  })
})
