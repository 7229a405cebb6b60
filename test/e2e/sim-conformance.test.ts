/**
 * Conformance of the simulated cluster with the real dcos-log server: every capture in
 * ../shared/fixtures/wire/ is replayed against the simulator, loaded with the same data (the captured
 * master state, the captured journal, the captured sandbox files), and the status, Content-Type,
 * Location, body framing (Content-Length vs chunked) and body are compared.
 * Normalised: the `remote address` in v1 error texts (a client port) and browse `mtime`s (dates). Streams cut by curl's
 * --max-time are compared on their complete events, except the long-line captures (v2-task-defects/), whose
 * cut events have no end: those are compared byte for byte as far as curl got. Bodies are compared as bytes
 * (latin1), since a line cut at 32 KiB may end inside a character. Excluded: none of the *.http captures;
 * the two cursor*.txt files are not captures. Framing is not compared for via-front/ captures, whose
 * stand-in front re-chunked every response. The defects' Mesos reads (mesos-read-*) came from a stand-in
 * Mesos written in Python: they are compared as the data and offset they carry.
 */
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {request, type IncomingHttpHeaders} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'
import {startSim, type RawJournalEntry, type Sim} from '../../src/sim/index.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const wire = join(shared, 'fixtures/wire')
const skip = existsSync(shared) ? false : 'needs ../shared beside the repository'

const AGENT = 'a1b2c3d4-0000-4000-8000-000000000001-S0'
const TASK = 'hello-world.1a2b3c4d-0000-11ee-9999-0242ac110002'
const STDOUT = Array.from({length: 30}, (_, n) => `stdout line ${n + 1}\n`).join('')
const APPENDED = 'appended line 31\nappended line 32\nappended line 33\npartial-no-newline ...completed\n'
const LATER = 'follow appended A\nfollow appended B\nfollow appended C\nfollow appended D\nafter reconnect E\n'
const DEFECTS = 'dcos-log/v2-task-defects'

interface CapturedResponse {
  status: number
  headers: Map<string, string>
  body: string
}

interface Capture {
  name: string
  url: URL
  headers: Record<string, string>
  removeAccept: boolean
  follow: boolean
  streamed: boolean
  date: string
  responses: CapturedResponse[]
}

function parseCapture(name: string, text: string): Capture {
  const lines = text.split('\n')
  let url = new URL('http://127.0.0.1/')
  const headers: Record<string, string> = {}
  let removeAccept = false
  let follow = false
  let streamed = false
  let n = 0
  const args: string[] = []
  for (; lines[n]?.startsWith('>>> '); n++) {
    const line = lines[n].slice(4)
    if (line.startsWith('GET ')) url = new URL(line.slice(4))
    else if (line.startsWith('Accept:')) {
      const value = line.slice('Accept:'.length).trim()
      if (value === '') removeAccept = true
      else headers.accept = value
    } else if (line.startsWith('curl-arg: ')) args.push(line.slice('curl-arg: '.length))
  }
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-H') {
      const [key, ...value] = args[++i].split(':')
      headers[key.toLowerCase()] = value.join(':').trim()
    } else if (args[i] === '-L') follow = true
    else if (args[i] === '--max-time') {
      streamed = true
      i++
    }
  }
  let rest = lines.slice(n + 1).join('\n')
  const responses: CapturedResponse[] = []
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n')
    const [statusLine, ...headerLines] = rest.slice(0, end).split('\r\n')
    const map = new Map<string, string>()
    for (const h of headerLines) {
      const colon = h.indexOf(':')
      map.set(h.slice(0, colon).toLowerCase(), h.slice(colon + 1).trim())
    }
    rest = rest.slice(end + 4)
    responses.push({status: Number(statusLine.split(' ')[1]), headers: map, body: rest.startsWith('HTTP/1.1 ') ? '' : rest})
  }
  const date = responses[0]?.headers.get('date') ?? ''
  return {name, url, headers, removeAccept, follow, streamed, date: date.slice(17, 25), responses}
}

function captures(): Capture[] {
  if (skip) return []
  const out: Capture[] = []
  for (const dir of ['dcos-log/v1', 'dcos-log/v2-component', 'dcos-log/v2-task', DEFECTS, 'via-front']) {
    for (const file of readdirSync(join(wire, dir)).filter((f) => f.endsWith('.http')).sort()) {
      out.push(parseCapture(`${dir}/${file}`, readFileSync(join(wire, dir, file), 'latin1')))
    }
  }
  return out
}

/** Every journal entry any capture shows, in journal order: 12 from the first journal file, 7 live ones. */
function capturedJournal(all: Capture[]): {base: RawJournalEntry[]; live: RawJournalEntry[]} {
  const byCursor = new Map<string, RawJournalEntry>()
  for (const capture of all) {
    for (const response of capture.responses) {
      for (const line of response.body.split('\n')) {
        const json = line.startsWith('data: ') ? line.slice(6) : line
        if (!json.startsWith('{"fields"') || !json.includes('"cursor"')) continue
        try {
          const entry = JSON.parse(json) as RawJournalEntry
          byCursor.set(entry.cursor, entry)
        } catch {
          // a stream cut mid-event
        }
      }
    }
  }
  const entries = [...byCursor.values()].sort((a, b) => a.realtime_timestamp - b.realtime_timestamp)
  return {base: entries.filter((e) => e.cursor.startsWith('s=9165')), live: entries.filter((e) => !e.cursor.startsWith('s=9165'))}
}

/** How many live entries the journal held when a capture was taken (from the Date header). */
function liveCount(capture: Capture): number {
  if (capture.name.includes('.live.')) return 0
  if (capture.date < '02:38:00') return 0
  return capture.date < '02:40:00' ? 4 : 7
}

function simPath(url: URL): string {
  const path = url.pathname + url.search
  if (url.port === '8080') return `/system/v1/logs${path}`
  if (url.port === '8081') return `/system/v1/agent/${AGENT}/logs${path}`
  if (url.port === '5051') return `/agent/${AGENT}${path}`
  return path
}

/**
 * The sandbox stdout a long-line capture was taken of: `<name>.file`, or that of the capture its name
 * extends (`hang-64k-sse-cursor-2` read `hang-64k.file`); `.initial.file` is what a live capture started with.
 */
function defectFiles(name: string): {full: Buffer; initial?: Buffer} {
  const base = name.slice(DEFECTS.length + 1, -'.http'.length).replace(/^mesos-read-/, '')
  const parts = base.split('-')
  for (let n = parts.length; n > 0; n--) {
    const path = join(wire, DEFECTS, `${parts.slice(0, n).join('-')}.file`)
    if (!existsSync(path)) continue
    const initial = path.replace(/\.file$/, '.initial.file')
    return {full: readFileSync(path), initial: existsSync(initial) ? readFileSync(initial) : undefined}
  }
  throw new Error(`no sandbox file for ${name}`)
}

interface Received {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** GET with raw framing visible; a streamed body is read until `want` characters or a timeout. */
function get(sim: Sim, path: string, headers: Record<string, string>, want?: number, onHeaders?: () => void): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}${path}`, {headers}, (res) => {
      onHeaders?.()
      let body = ''
      const finish = () => {
        clearTimeout(timer)
        resolve({status: res.statusCode ?? 0, headers: res.headers, body})
        req.destroy()
      }
      const timer = setTimeout(finish, want === undefined ? 10_000 : 3000)
      res.setEncoding('latin1')
      res.on('data', (chunk: string) => {
        body += chunk
        if (want !== undefined && body.length >= want) finish()
      })
      res.on('end', finish)
      res.on('error', finish)
    })
    req.on('error', reject)
    req.end()
  })
}

function framing(headers: IncomingHttpHeaders | Map<string, string>): string {
  const get = (k: string) => (headers instanceof Map ? headers.get(k) : (headers[k] as string | undefined))
  return get('transfer-encoding') === 'chunked' ? 'chunked' : get('content-length') === undefined ? 'none' : 'length'
}

function normalise(text: string): string {
  return text.replace(/remote address: [^;]+;/g, 'remote address: X;').replace(/"mtime":\d+/g, '"mtime":0')
}

/** The part of a body cut by --max-time that is complete: whole SSE events or whole lines. */
function completePart(body: string, sse: boolean): string {
  const end = sse ? body.lastIndexOf('\n\n') + 2 : body.lastIndexOf('\n') + 1
  return body.slice(0, Math.max(end, 0))
}

const all = captures()
const journal = skip ? {base: [], live: []} : capturedJournal(all)
const statePath = (() => {
  if (skip) return ''
  const state = all.find((c) => c.name.endsWith('mesos-master-state.json.http'))
  const path = join(mkdtempSync(join(tmpdir(), 'sim-conformance-')), 'state.json')
  writeFileSync(path, state?.responses[0].body ?? '{}')
  return path
})()

/** Polls `condition` (progress, not time, decides; the bound only stops a test that would hang). */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; !condition(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
  }
}

/**
 * A read that never answers: no status line while dcos-log re-reads the same spot from Mesos, a loop that
 * goes on after the client has left. An event stream sends its headers, then nothing, polling that spot.
 */
async function assertHangs(sim: Sim, capture: Capture): Promise<void> {
  const eventStream = capture.responses.length > 0
  let status = 0
  let bodyBytes = 0
  const req = request(`${sim.url}${simPath(capture.url)}`, {headers: capture.headers}, (res) => {
    status = res.statusCode ?? 0
    res.on('data', (chunk: Buffer) => (bodyBytes += chunk.length))
    res.on('error', () => {})
  })
  req.on('error', () => {})
  req.end()
  await waitFor(() => sim.dcosLogStats().stuckReads >= (eventStream ? 3 : 50), 'dcos-log to re-read the spot')
  assert.equal(status, eventStream ? 200 : 0, eventStream ? 'headers only' : 'no status line')
  assert.equal(bodyBytes, 0, 'no body')
  req.destroy()
  if (!eventStream) return waitFor(() => sim.dcosLogStats().readsAfterClientLeft >= 20, 'the loop to outlive its client')
  await waitFor(() => sim.dcosLogStats().stuckReads >= 3, 'the poll to stop')
  const reads = sim.dcosLogStats().mesosReads
  // Ten poll intervals without a read: the stream's polling ended with its client.
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.equal(sim.dcosLogStats().mesosReads, reads, 'no read after the stream closed')
}

describe('sim conformance with captured dcos-log responses', {skip}, () => {
  for (const capture of all) {
    test(capture.name, async () => {
      const sim = await startSim({statePath, requireTaskToken: true, pingFirstMs: 60_000, filePollMs: 20})
      try {
        const defects = capture.name.startsWith(DEFECTS) ? defectFiles(capture.name) : undefined
        if (defects !== undefined) {
          sim.writeFile(TASK, 'stdout', defects.initial ?? defects.full)
          if (capture.name.includes('hang-64k') && (capture.responses.length === 0 || capture.responses[0].body === '')) return await assertHangs(sim, capture)
        }
        const live = liveCount(capture)
        for (const node of ['leader', AGENT]) sim.loadJournal(node, [...journal.base, ...journal.live.slice(0, live)])
        const viaFront = capture.name.startsWith('via-front/')
        if (defects === undefined) sim.writeFile(TASK, 'stdout', viaFront ? STDOUT + APPENDED + LATER : STDOUT)
        sim.writeFile(TASK, 'stderr', 'stderr line 1\nstderr line 2\n')
        const expected = capture.responses.at(-1) as CapturedResponse
        const sse = expected.headers.get('content-type') === 'text/event-stream'
        const expectedBody = capture.streamed && defects === undefined ? completePart(expected.body, sse) : expected.body
        const headers = {...capture.headers}
        const appendLive = () => {
          if (!capture.name.includes('live')) return
          setTimeout(() => {
            if (defects?.initial !== undefined) sim.appendBytes(TASK, defects.full.subarray(defects.initial.length))
            else if (capture.name.includes('v2-task')) sim.appendBytes(TASK, Buffer.from(APPENDED))
            else for (const node of ['leader', AGENT]) sim.loadJournal(node, [...journal.base, ...journal.live])
          }, 50)
        }
        let path = simPath(capture.url)
        let got = await get(sim, path, headers, capture.streamed ? expectedBody.length : undefined, appendLive)
        if (capture.follow && capture.responses.length > 1) {
          const redirect = capture.responses[0]
          assert.equal(got.status, redirect.status, 'redirect status')
          assert.equal(got.headers.location, redirect.headers.get('location'), 'Location')
          path = String(got.headers.location)
          got = await get(sim, path, headers, capture.streamed ? expectedBody.length : undefined)
        }
        assert.equal(got.status, expected.status, 'status')
        assert.equal(got.headers['content-type'], expected.headers.get('content-type'), 'Content-Type')
        assert.equal(got.headers.location, expected.headers.get('location'), 'Location')
        if (!viaFront && !capture.streamed) assert.equal(framing(got.headers), framing(expected.headers), 'framing')
        if (capture.name.endsWith('mesos-master-state.json.http')) {
          assert.deepEqual(JSON.parse(got.body), JSON.parse(expected.body))
        } else if (capture.url.port === '5051') {
          const read = (body: string) => JSON.parse(body) as {data: string; offset: number}
          assert.deepEqual(read(got.body), read(expected.body), 'data and offset')
        } else if (capture.streamed) {
          assert.equal(normalise(got.body.slice(0, expectedBody.length)), normalise(expectedBody), 'stream body')
        } else {
          assert.equal(normalise(got.body), normalise(expectedBody), 'body')
        }
      } finally {
        await sim.close()
      }
    })
  }
})
