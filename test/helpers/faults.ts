/**
 * Seeded fault storms against the simulated cluster, for the reliability suites.
 *
 * Most faults are the sim's own (sim.inject): resets, clean closes, stalls, 502/503 bursts, delayed
 * answers. What the sim cannot do is cut an event stream in the middle of a chunk, so a small TCP proxy in
 * front of it does that: armed, it lets the next event-stream response through up to a random byte of its
 * body and then drops both sockets.
 *
 * Pacing, so that every fault fires and none waits for ever: faults that strike a stream (reset, close,
 * stall, cut) are taken by the next stream the client opens and strike within its first 50 events (or
 * 8 KiB), and each is followed by enough new lines to get there. Faults on a request (a burst of 502/503,
 * a delay) ride on the reconnect that the stream fault before them causes.
 */
import {createConnection, createServer, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'
import {after, before} from 'node:test'
import type {LogEvent, LogSource} from '../../src/logs/entry.js'
import {follow, type FollowPolicy} from '../../src/logs/follow.js'
import {startSim, type Fault, type FaultMatch, type Sim, type SimOptions} from '../../src/sim/index.js'
import {Rng} from '../../src/sim/random.js'

export type StormKind = 'reset' | 'close' | 'stall' | 'cut' | 'burst' | 'delay'

export interface StormStep {
  kind: StormKind
  /** The sim fault; undefined for a proxy cut. */
  fault?: Fault
  /** For a cut: bytes of the event-stream body let through first. */
  cutAfter?: number
  /** For a burst: how many 502/503 answers in a row. */
  answers?: number
}

const STREAM_FAULTS = new Set<StormKind>(['reset', 'close', 'stall', 'cut'])
const WEIGHTS: Array<[StormKind, number]> = [
  ['reset', 20],
  ['close', 18],
  ['stall', 7],
  ['cut', 20],
  ['burst', 20],
  ['delay', 15],
]

export interface StormOptions {
  seed: number
  count: number
  match: FaultMatch
  /** A stall lasts this long: longer than the client's idle window. */
  stallMs: number
  /** Kinds left out (a spawned CLI cannot shorten its idle window, so stalls would take a minute each). */
  without?: StormKind[]
}

/** `count` faults drawn with a fixed seed; the last one strikes a stream, so nothing is left pending. */
export function stormSchedule(options: StormOptions): StormStep[] {
  const rng = new Rng(options.seed)
  const weights = WEIGHTS.filter(([kind]) => !options.without?.includes(kind))
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0)
  const draw = (): StormKind => {
    let x = rng.next() * total
    for (const [kind, weight] of weights) if ((x -= weight) < 0) return kind
    return 'reset'
  }
  const {match} = options
  const steps: StormStep[] = []
  for (let i = 0; i < options.count; i++) {
    const kind = i === options.count - 1 ? 'reset' : draw()
    const afterEvents = rng.int(1, 50)
    switch (kind) {
      case 'reset':
      case 'close':
        steps.push({kind, fault: {kind: 'end-stream', afterEvents, mode: kind, match}})
        break
      case 'stall':
        steps.push({kind, fault: {kind: 'stall', afterEvents, ms: options.stallMs, match}})
        break
      case 'cut':
        steps.push({kind, cutAfter: rng.int(1, 8192)})
        break
      case 'burst': {
        const answers = rng.int(1, 3)
        steps.push({kind, answers, fault: {kind: 'status', status: rng.pick([502, 503]), count: answers, match}})
        break
      }
      case 'delay':
        steps.push({kind, fault: {kind: 'delay', ms: rng.int(5, 40), match}})
        break
    }
  }
  return steps
}

/** "1000 injected (reset 201, close 180, ...)". */
export function describeStorm(steps: readonly StormStep[]): string {
  const counts = new Map<StormKind, number>()
  for (const step of steps) counts.set(step.kind, (counts.get(step.kind) ?? 0) + 1)
  const answers = steps.reduce((sum, step) => sum + (step.answers ?? 0), 0)
  const parts = WEIGHTS.map(([kind]) => `${kind === 'burst' ? '502/503 burst' : kind} ${counts.get(kind) ?? 0}`)
  return `${steps.length} injected (${parts.join(', ')}; ${answers} error answers in the bursts)`
}

export interface StormRun {
  sim: Sim
  proxy: CuttingProxy
  steps: readonly StormStep[]
  writer: LineWriter
  linesPerStreamFault: number
  /**
   * Streams cut to keep the pacing: a stream fault taken by a request the client had already given up on
   * (a delayed answer that outlasted its idle window) never strikes, and the healthy stream after it
   * would wait for ever. Counted and printed; they are faults like the others for the client.
   */
  nudges: number
  /** How long a queued fault may wait for the next stream before the pacing cut (default 300 ms). */
  nudgeMs?: number
}

/**
 * Plays the schedule: request faults are queued, each stream fault is armed and followed by new lines,
 * then the storm waits until the client has taken everything queued (the next stream opened).
 * Inject the first step's faults before the client connects, with `armFirst`.
 */
export async function playStorm(run: StormRun, first = 0): Promise<void> {
  for (let i = first; i < run.steps.length; i++) {
    const step = run.steps[i]
    arm(run, step)
    if (!STREAM_FAULTS.has(step.kind)) continue
    run.writer.write(run.linesPerStreamFault)
    await waitUntil(async () => !run.proxy.pending && (await pendingFaults(run.sim)) === 0, run.nudgeMs ?? 300, () => {
      run.nudges++
      run.proxy.cutStreams()
    })
  }
}

/** Arms the request faults up to and including the first stream fault; returns where playStorm goes on. */
export function armFirst(run: Pick<StormRun, 'sim' | 'proxy' | 'steps'>): number {
  let i = 0
  while (i < run.steps.length) {
    const step = run.steps[i++]
    arm(run, step)
    if (STREAM_FAULTS.has(step.kind)) break
  }
  return i
}

function arm(run: Pick<StormRun, 'sim' | 'proxy'>, step: StormStep): void {
  if (step.kind === 'cut') run.proxy.armCut(step.cutAfter ?? 1)
  else if (step.fault) run.sim.inject(step.fault)
}

async function pendingFaults(sim: Sim): Promise<number> {
  const response = await fetch(`${sim.url}/__sim/faults`)
  return ((await response.json()) as unknown[]).length
}

async function waitUntil(condition: () => Promise<boolean>, nudgeMs: number, nudge: () => void, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let nudgeAt = Date.now() + nudgeMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`fault storm: a fault was not taken within ${timeoutMs} ms`)
    if (Date.now() > nudgeAt) {
      nudge()
      nudgeAt = Date.now() + nudgeMs
    }
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

export interface CuttingProxy {
  /** http://127.0.0.1:<port>, forwarding to the sim. */
  url: string
  /** The next event-stream response is cut after `bytes` bytes of its body. */
  armCut(bytes: number): void
  /** An armed cut not yet given to a response. */
  readonly pending: boolean
  /** Cuts done. */
  readonly cuts: number
  /** Drops every connection now carrying an event stream. */
  cutStreams(): void
  close(): Promise<void>
}

/** A sim behind a cutting proxy, started before the file's tests and closed after them. */
export function stormCluster(options: SimOptions): {readonly sim: Sim; readonly proxy: CuttingProxy} {
  const cluster = {} as {sim: Sim; proxy: CuttingProxy}
  before(async () => {
    cluster.sim = await startSim(options)
    cluster.proxy = await startCuttingProxy(cluster.sim.url)
  })
  after(async () => {
    await cluster.proxy.close()
    await cluster.sim.close()
  })
  return cluster
}

const EVENT_STREAM = Buffer.from('text/event-stream')
const HEADER_END = Buffer.from('\r\n\r\n')

export async function startCuttingProxy(targetUrl: string): Promise<CuttingProxy> {
  const target = new URL(targetUrl)
  const armed: number[] = []
  const sockets = new Set<Socket>()
  const streams = new Set<Socket>()
  let cuts = 0
  const server = createServer((client) => {
    const upstream = createConnection({host: target.hostname, port: Number(target.port)})
    sockets.add(client).add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
      streams.delete(client)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream)
    /** Bytes still to pass before the cut on this connection, once an armed cut was given to it. */
    let left: number | undefined
    upstream.on('data', (chunk: Buffer) => {
      if (left === undefined && chunk.includes(EVENT_STREAM)) {
        streams.add(client)
        const end = chunk.indexOf(HEADER_END)
        if (end >= 0 && armed.length > 0) left = (armed.shift() as number) + end + HEADER_END.length
      }
      if (left !== undefined && chunk.length >= left) {
        cuts++
        // The server side goes at once; the client gets the bytes before the cut, then the connection drops.
        upstream.removeAllListeners('close')
        upstream.destroy()
        client.write(chunk.subarray(0, left), drop)
        return
      }
      if (left !== undefined) left -= chunk.length
      if (!client.write(chunk)) {
        upstream.pause()
        client.once('drain', () => upstream.resume())
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    armCut: (bytes) => armed.push(bytes),
    get pending() {
      return armed.length > 0
    },
    get cuts() {
      return cuts
    },
    cutStreams: () => {
      for (const client of streams) client.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

const WORDS = ['GET /health 200', 'ünïcödé', '日本語のログ', 'emoji 🚀✅', 'quote "x"', 'back\\slash', 'tab\there', '<html>&amp;', 'level=warn', 'a=b;c=d']

/** Line `n` of a seeded log: numbered, of varied content and length (sometimes several KiB). */
export function stormLine(rng: Rng, n: number): string {
  let line = `${String(n).padStart(6, '0')}`
  const parts = rng.int(1, 6)
  for (let i = 0; i < parts; i++) line += ` ${rng.pick(WORDS)}`
  if (rng.next() < 0.01) line += ` ${'x'.repeat(rng.int(1000, 9000))}`
  return line
}

/** Lost and repeated lines of `got` against `want` (lines are unique), and whether the order holds. */
export function compareLines(got: readonly string[], want: readonly string[]): {lost: number; repeated: number; inOrder: boolean} {
  const seen = new Set<string>()
  let repeated = 0
  for (const line of got) {
    if (seen.has(line)) repeated++
    seen.add(line)
  }
  let lost = 0
  for (const line of want) if (!seen.has(line)) lost++
  const inOrder = got.length === want.length && got.every((line, i) => line === want[i])
  return {lost, repeated, inOrder}
}

/** Lines written in seeded batches to wherever `append` puts them, up to `total`. */
export interface LineWriter {
  /** Every line written so far. */
  written: string[]
  /** Appends up to n more lines (entries) to what is followed; returns how many it wrote. */
  write(n: number): number
}

export function lineWriter(seed: number, total: number, append: (lines: string[]) => void): LineWriter {
  const rng = new Rng(seed)
  const written: string[] = []
  return {
    written,
    write(n) {
      const batch: string[] = []
      while (batch.length < n && written.length < total) {
        const line = stormLine(rng, written.length + 1)
        written.push(line)
        batch.push(line)
      }
      if (batch.length > 0) append(batch)
      return batch.length
    },
  }
}

/** Lines to write after each stream fault so that `total` are written over the storm. */
export function linesPerStreamFault(steps: readonly StormStep[], total: number): number {
  return Math.ceil(total / steps.filter((step) => STREAM_FAULTS.has(step.kind)).length)
}

export interface StormOutcome {
  lines: string[]
  reconnects: number
  last?: LogEvent
}

/** Messages, reconnects and the last event of a followed stream. */
export async function collect(events: AsyncIterable<LogEvent>): Promise<StormOutcome> {
  const outcome: StormOutcome = {lines: [], reconnects: 0}
  for await (const event of events) {
    if (event.type === 'entries') for (const entry of event.entries) outcome.lines.push(entry.message)
    else if (event.status.state === 'reconnecting') outcome.reconnects++
    outcome.last = event
  }
  return outcome
}

/**
 * Follows `source` through the storm (in-process: the real source, follow() and HTTP client over real
 * sockets), writes the rest of `total`, calls `end`, and returns what came out, with the line printed.
 */
export async function weatherStorm(
  name: string,
  run: Omit<StormRun, 'nudges' | 'linesPerStreamFault'>,
  total: number,
  source: LogSource,
  policy: FollowPolicy,
  end: () => void,
): Promise<StormOutcome & {lost: number; repeated: number; inOrder: boolean}> {
  const storm: StormRun = {...run, nudges: 0, linesPerStreamFault: linesPerStreamFault(run.steps, total)}
  const cutsBefore = run.proxy.cuts
  const first = armFirst(storm)
  const outcome = collect(follow(source, policy))
  const endedEarly = outcome.then((result) => {
    throw new Error(`the follow ended during the storm: ${JSON.stringify(result.last?.type === 'status' ? result.last.status.detail : result.last)}`)
  })
  await Promise.race([playStorm(storm, first), endedEarly])
  run.writer.write(total)
  end()
  const result = await outcome
  const {written} = run.writer
  const comparison = compareLines(result.lines, written)
  console.log(
    `${name}: faults: ${describeStorm(run.steps)}, plus ${storm.nudges} pacing cuts; cuts done ${run.proxy.cuts - cutsBefore}; ` +
      `lines: ${result.lines.length} of ${written.length}, lost ${comparison.lost}, repeated ${comparison.repeated}, in order ${comparison.inOrder}; reconnects ${result.reconnects}`,
  )
  return {...result, ...comparison}
}
