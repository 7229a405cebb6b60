/**
 * The simulated cluster in its own process, so its CPU is never counted against the client (or the
 * harness), behind a small front that serves what the sim cannot serve at benchmark speed:
 *
 * - replays: a task's event stream captured once from the sim (byte for byte) and then written from
 *   memory as fast as the socket takes it, from the Last-Event-ID a request resumes after. The sim renders ~400 bytes of SSE per line in JavaScript and
 *   tops out near 0.4 M events/s, which would make it, not the client, the thing measured. A replayed
 *   stream starts where the request says (cursor=BEG, or after Last-Event-ID) and then stays open like a
 *   real follow with nothing new to say; `bench_end=1` in the query ends it instead (for curl). Requests
 *   the replay cannot answer (no Last-Event-ID, or one it does not hold) go to the sim.
 * - a big master state: `/mesos/master/state` (and /mesos/state) answered from a file's bytes, while the
 *   sim itself loads only the needle task's framework and agent (the sim builds a sandbox with history
 *   for every task in a state file: 100,000 tasks take it minutes and gigabytes).
 * Everything else is proxied to the sim unchanged.
 *
 * Driven over stdin/stdout, one JSON object a line:
 *   argv[2]: {sim: SimOptions, bigStatePath?: string}; prints {"url": front, "simUrl": sim} once listening.
 *   {"id", "op": "synthetic", "lines", "name"?}   -> a SimTask (stdout holds `lines` generated lines)
 *   {"id", "op": "replay", "taskId"}              -> {path, bytes, events, lastEventId}: captures that task's
 *        stdout event stream after its first line (what `Last-Event-ID: lastEventId` answers)
 *   {"id", "op": "finish", "taskId"}              -> true
 *   {"id", "op": "tick", "taskIds", "perSecond"}  -> true: every 1/perSecond s each task gets one line
 *        `tick <seq> <epoch ms> <taskId>` (seq from 1), so a reader sees a lost line (a gap) and the lag
 *   {"id", "op": "stop-tick"}                     -> lines written per task
 *   {"id", "op": "delay", "ms"}                   -> true: from now on the front answers every request `ms` later
 *        (a distant cluster: each sequential request costs a round trip)
 * Answers are {"id", "result"} or {"id", "error"}. Ends (closing the sim) when stdin closes.
 */
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {Agent, createServer, request, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {startSim, type SimOptions} from '../src/sim/index.js'

interface ServerOptions {
  sim?: SimOptions
  /** Serve this master state; the needle task (name `needle`) is the one the sim really hosts. */
  bigStatePath?: string
}

const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions
const bigState = options.bigStatePath === undefined ? undefined : readFileSync(options.bigStatePath)
const simOptions = {...options.sim}
if (bigState !== undefined) simOptions.statePath = needleState(bigState)
const sim = await startSim(simOptions)
const simUrl = new URL(sim.url)

/** The big state cut down to the needle task, its framework and its agent (written to a temporary file). */
function needleState(bytes: Buffer): string {
  type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- master state JSON
  const state = JSON.parse(bytes.toString()) as Json
  for (const framework of state.frameworks as Json[]) {
    const needle = (framework.tasks as Json[]).find((task) => task.name === 'needle')
    if (needle === undefined) continue
    const small = {
      ...state,
      slaves: (state.slaves as Json[]).filter((agent) => agent.id === needle.slave_id),
      frameworks: [{...framework, tasks: [needle], unreachable_tasks: [], completed_tasks: []}],
      completed_frameworks: [],
    }
    const path = join(tmpdir(), `dcos-ts-bench-needle-${process.pid}.json`)
    writeFileSync(path, JSON.stringify(small))
    return path
  }
  throw new Error('the big state has no task named needle')
}

interface Replay {
  body: Buffer
  /** The Last-Event-ID the capture was asked with: the body is what follows it. */
  firstId: string
  /** Open responses, ended when the sim closes. */
  open: Set<ServerResponse>
}
const replays = new Map<string, Replay>()
const STREAM_HEADERS = {'Cache-Control': 'no-cache', Connection: 'keep-alive', 'Content-Type': 'text/event-stream', 'X-Accel-Buffering': 'no'}
const WRITE_BYTES = 1 << 20

/** Where a replayed stream starts: after the event whose id is Last-Event-ID (undefined: not replayed). */
function replayStart(req: IncomingMessage, replay: Replay): number | undefined {
  const lastEventId = req.headers['last-event-id']
  if (typeof lastEventId !== 'string') return undefined
  if (lastEventId === replay.firstId) return 0
  const at = replay.body.indexOf(`\nid: ${lastEventId}\n`)
  if (at < 0) return undefined
  const end = replay.body.indexOf('\n\n', at)
  return end < 0 ? undefined : end + 2
}

async function serveReplay(replay: Replay, start: number, end: boolean, res: ServerResponse): Promise<void> {
  res.writeHead(200, STREAM_HEADERS)
  res.flushHeaders()
  replay.open.add(res)
  res.once('close', () => replay.open.delete(res))
  for (let at = start; at < replay.body.length && !res.destroyed; at += WRITE_BYTES) {
    if (!res.write(replay.body.subarray(at, at + WRITE_BYTES))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done)
          res.off('close', done)
          resolve()
        }
        res.on('drain', done)
        res.on('close', done)
      })
    }
  }
  if (end) res.end()
}

const proxyAgent = new Agent({keepAlive: true})

function proxy(req: IncomingMessage, res: ServerResponse): void {
  const upstream = request(
    {host: simUrl.hostname, port: simUrl.port, method: req.method, path: req.url, headers: req.headers, agent: proxyAgent},
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    },
  )
  upstream.on('error', () => res.destroy())
  res.on('close', () => upstream.destroy())
  req.pipe(upstream)
}

/** How long the front waits before answering each request: one round trip to a distant cluster. */
let delayMs = 0

const front = createServer((req, res) => {
  if (delayMs > 0) setTimeout(() => answer(req, res), delayMs)
  else answer(req, res)
})

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://front')
  if (bigState !== undefined && req.method === 'GET' && (url.pathname === '/mesos/master/state' || url.pathname === '/mesos/state')) {
    res.writeHead(200, {'Content-Type': 'application/json', 'Content-Length': bigState.length})
    res.end(bigState)
    return
  }
  const replay = replays.get(url.pathname)
  if (replay !== undefined && req.method === 'GET' && req.headers.accept === 'text/event-stream') {
    const start = replayStart(req, replay)
    if (start !== undefined) {
      void serveReplay(replay, start, url.searchParams.get('bench_end') === '1', res)
      return
    }
  }
  proxy(req, res)
}
await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`

/**
 * Captures a task's stdout event stream after its first line, as the sim answers `Last-Event-ID: <end of
 * line 1>`: read until the event of the file's last line (its id is where that line ends) has arrived,
 * then hung up, since a follow never ends by itself. Not from cursor=BEG: read from offset 0, dcos-log
 * splits the line that straddles byte 65,536 (a defect the sim keeps), which no resumed request sees.
 * (The sim's end-stream fault would end the stream, but while it is armed the sim queues writes without
 * waiting for the socket.)
 */
async function capture(taskId: string): Promise<{path: string; bytes: number; events: number; lastEventId: string}> {
  const task = sim.tasks().find((candidate) => candidate.id === taskId)
  if (task === undefined) throw new Error(`no task ${taskId}`)
  const filesRead = async (query: string) => {
    const answer = await fetch(`${sim.url}/agent/${task.agentId}/files/read?path=${encodeURIComponent(`${task.sandboxDir}/stdout`)}&${query}`)
    return (await answer.json()) as {offset: number; data: string}
  }
  const size = (await filesRead('offset=-1')).offset
  const lastEventId = String((await filesRead('offset=0&length=4096')).data.indexOf('\n'))
  const discovery = await fetch(`${sim.url}/system/v1/logs/v2/task/${encodeURIComponent(taskId)}`, {redirect: 'manual'})
  const location = discovery.headers.get('location')
  if (discovery.status !== 303 || location === null) throw new Error(`discovery of ${taskId} answered ${discovery.status}`)
  const path = new URL(location, sim.url).pathname
  const hangUp = new AbortController()
  const response = await fetch(`${sim.url}${path}`, {headers: {Accept: 'text/event-stream', 'Last-Event-ID': lastEventId}, signal: hangUp.signal})
  const chunks: Buffer[] = []
  for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
    const chunk = Buffer.from(piece)
    chunks.push(chunk)
    // The id of the chunk's last event, when the chunk ends with a complete event: the last line's ends the file.
    const tail = chunk.toString('latin1', Math.max(0, chunk.length - 2048))
    const id = tail.endsWith('\n\n') ? /\nid: (\d+)\n[^\n]*\n\n$/.exec(tail) : null
    if (id !== null && Number(id[1]) >= size - 1) break
  }
  hangUp.abort()
  const body = Buffer.concat(chunks)
  let events = 0
  for (let at = body.indexOf('\n\n'); at !== -1; at = body.indexOf('\n\n', at + 2)) events++
  replays.set(path, {body, firstId: lastEventId, open: new Set()})
  return {path, bytes: body.length, events, lastEventId}
}

let ticker: NodeJS.Timeout | undefined
let ticks = 0

type Request = {id: number; op: string; [key: string]: unknown}

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'synthetic':
      return sim.addSyntheticTask({lines: request.lines as number, name: request.name as string | undefined})
    case 'replay':
      return capture(request.taskId as string)
    case 'finish':
      sim.finishTask(request.taskId as string)
      return true
    case 'tick': {
      const taskIds = request.taskIds as string[]
      clearInterval(ticker)
      ticks = 0
      ticker = setInterval(() => {
        ticks++
        const now = Date.now()
        for (const taskId of taskIds) sim.appendLines(taskId, [`tick ${ticks} ${now} ${taskId}`])
      }, 1000 / (request.perSecond as number))
      return true
    }
    case 'stop-tick':
      clearInterval(ticker)
      return ticks
    case 'delay':
      delayMs = request.ms as number
      return true
    default:
      throw new Error(`unknown op ${request.op}`)
  }
}

const input = createInterface({input: process.stdin})
input.on('line', (line) => {
  const request = JSON.parse(line) as Request
  handle(request).then(
    (result) => process.stdout.write(`${JSON.stringify({id: request.id, result})}\n`),
    (error: Error) => process.stdout.write(`${JSON.stringify({id: request.id, error: error.message})}\n`),
  )
})
input.on('close', () => {
  clearInterval(ticker)
  for (const replay of replays.values()) for (const res of replay.open) res.end()
  front.closeAllConnections()
  front.close()
  if (bigState !== undefined) rmSync(simOptions.statePath!, {force: true})
  void sim.close().then(() => process.exit(0))
})
process.stdout.write(`${JSON.stringify({url: frontUrl, simUrl: sim.url})}\n`)
