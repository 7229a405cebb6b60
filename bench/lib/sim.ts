/** The simulated cluster as a child process (bench/sim-server.ts), and the calls it answers. */
import {spawn, type ChildProcess} from 'node:child_process'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'
import type {SimOptions, SimTask} from '../../src/sim/index.js'
import {childEnv} from './process.js'

const SERVER = fileURLToPath(new URL('../sim-server.ts', import.meta.url))

export interface SimProcess {
  /** The front (replays, big state, everything else proxied). */
  url: string
  /** The sim itself, with no front in the way. */
  simUrl: string
  synthetic(lines: number, name?: string): Promise<SimTask>
  /**
   * Captures the task's stdout event stream after its first line for replay at socket speed: `events`
   * events, `bytes` bytes, what a request with `Last-Event-ID: lastEventId` to `path` gets.
   */
  replay(taskId: string): Promise<{path: string; bytes: number; events: number; lastEventId: string}>
  finish(taskId: string): Promise<void>
  tick(taskIds: string[], perSecond: number): Promise<void>
  /** Stops the ticker; resolves to the lines written per task. */
  stopTick(): Promise<number>
  /** Every answer of the front `ms` later from now on (0: none). */
  delay(ms: number): Promise<void>
  close(): Promise<void>
}

export async function startSimProcess(options: {sim?: SimOptions; bigStatePath?: string} = {}): Promise<SimProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SERVER, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: childEnv({}),
  })
  const lines = createInterface({input: child.stdout!})
  const waiting = new Map<number, {resolve: (value: unknown) => void; reject: (error: Error) => void}>()
  let ready: (value: {url: string; simUrl: string}) => void
  let failed: (error: Error) => void
  const started = new Promise<{url: string; simUrl: string}>((resolve, reject) => {
    ready = resolve
    failed = reject
  })
  child.once('exit', (code) => {
    const error = new Error(`sim server exited with ${code}`)
    failed(error)
    for (const call of waiting.values()) call.reject(error)
  })
  lines.on('line', (line) => {
    const message = JSON.parse(line) as {url?: string; simUrl?: string; id?: number; result?: unknown; error?: string}
    if (message.url !== undefined) return ready({url: message.url, simUrl: message.simUrl!})
    const call = waiting.get(message.id!)
    waiting.delete(message.id!)
    if (message.error !== undefined) call?.reject(new Error(`sim: ${message.error}`))
    else call?.resolve(message.result)
  })
  const {url, simUrl} = await started
  let next = 0
  const call = <T>(op: string, args: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next
      waiting.set(id, {resolve: resolve as (value: unknown) => void, reject})
      child.stdin!.write(`${JSON.stringify({id, op, ...args})}\n`)
    })
  return {
    url,
    simUrl,
    synthetic: (count, name) => call('synthetic', {lines: count, name}),
    replay: (taskId) => call('replay', {taskId}),
    finish: (taskId) => call('finish', {taskId}),
    tick: (taskIds, perSecond) => call('tick', {taskIds, perSecond}),
    stopTick: () => call('stop-tick'),
    delay: (ms) => call('delay', {ms}),
    close: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit')
        child.once('exit', () => resolve())
        child.stdin!.end()
      }),
  }
}
