import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {CliError} from '../../src/errors.js'
import type {LogEntry, LogEvent, LogSource, OpenRequest, StreamInfo} from '../../src/logs/entry.js'
import {type FollowPolicy, follow} from '../../src/logs/follow.js'

const stream: StreamInfo = {id: 'web.1/stdout', kind: 'task', label: 'web.1'}

/** One scripted connection: batches of [message, cursor], then how it stops. */
type Step = Array<[string, string | undefined]> | {fail: CliError} | 'hang'
type Attempt = Step[]

function scriptedSource(attempts: Attempt[], cursorOrder: LogSource['cursorOrder'] = 'byte-offset') {
  const requests: OpenRequest[] = []
  const source: LogSource = {
    stream,
    cursorOrder,
    async *open(request, signal) {
      requests.push(request)
      const script = attempts.shift()
      if (script === undefined) throw new Error('no more scripted attempts')
      // like an HTTP source: connected once the headers are in (a 503 never gets that far)
      if (!(typeof script[0] === 'object' && 'fail' in script[0])) yield []
      for (const step of script) {
        if (step === 'hang') {
          await new Promise((_resolve, reject) => {
            if (signal.aborted) reject(new Error('aborted'))
            signal.addEventListener('abort', () => reject(new Error('aborted')), {once: true})
          })
        } else if ('fail' in step) {
          throw step.fail
        } else {
          yield step.map(([message, cursor]): LogEntry => ({stream, message, cursor}))
        }
      }
    },
  }
  return {source, requests}
}

function fakeClock() {
  const clock = {
    time: 0,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        clock.sleeps.push(ms)
        setImmediate(() => {
          if (signal?.aborted) return reject(signal.reason)
          clock.time += ms
          resolve()
        })
      }),
  }
  return clock
}

async function collect(events: AsyncIterable<LogEvent>, limit = 1000) {
  const lines: string[] = []
  const statuses: string[] = []
  let error: unknown
  try {
    for await (const event of events) {
      if (event.type === 'entries') lines.push(...event.entries.map((entry) => entry.message))
      else statuses.push([event.status.state, event.status.attempt, event.status.detail].filter((x) => x !== undefined).join(' '))
      if (lines.length + statuses.length > limit) throw new Error('runaway')
    }
  } catch (caught) {
    error = caught
  }
  return {lines, statuses, error}
}

const reset = () => ({fail: new CliError('network', 'connection reset (ECONNRESET)', {retryable: true})})
const unavailable = () => ({fail: new CliError('server', 'HTTP 503 Service Unavailable', {status: 503, retryable: true})})
const stalled = () => ({fail: new CliError('network', 'no data for 60 s', {retryable: true})})

function policy(clock: ReturnType<typeof fakeClock>, extra: Partial<FollowPolicy> = {}): FollowPolicy {
  return {follow: true, signal: new AbortController().signal, now: clock.now, sleep: clock.sleep, random: () => 0.5, ...extra}
}

describe('follow', () => {
  test('resumes after reset, clean end, 503 and a stall: every line once, in order', async () => {
    const clock = fakeClock()
    const {source, requests} = scriptedSource([
      [[['l1', '3'], ['l2', '6']], [['l3', '9']], reset()],
      // the server repeats the resume line and one before it: both dropped
      [[['l2', '6'], ['l3', '9'], ['l4', '12']]],
      [unavailable()],
      [[['l5', '15']], stalled()],
      [[['l6', '18']], [['l7', '21']], 'hang'],
    ])
    // The task ends while the fifth connection is idle.
    const finished = async () => (requests.length >= 5 ? 'TASK_FINISHED' : undefined)
    const attempts = [...[[['l8', '24']]] as Attempt]
    const followed = follow(
      {
        ...source,
        open: (request, signal) => (request.follow ? source.open(request, signal) : drain(request, attempts)),
      },
      policy(clock, {isFinished: finished}),
    )
    async function* drain(request: OpenRequest, steps: Attempt) {
      requests.push(request)
      yield []
      for (const step of steps) yield (step as Array<[string, string]>).map(([message, cursor]) => ({stream, message, cursor}))
    }
    const {lines, statuses, error} = await collect(followed)
    assert.equal(error, undefined)
    assert.deepEqual(lines, ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8'])
    assert.deepEqual(
      requests.map((r) => `${r.after ?? '-'} ${r.follow ? 'follow' : 'range'}`),
      ['- follow', '9 follow', '12 follow', '12 follow', '15 follow', '21 range'],
    )
    assert.deepEqual(statuses, [
      'connecting',
      'live',
      'reconnecting 1 connection reset (ECONNRESET)',
      'live',
      'reconnecting 1 the server ended the stream',
      'reconnecting 2 HTTP 503 Service Unavailable',
      'live',
      'reconnecting 1 no data for 60 s',
      'live',
      'live',
      'ended TASK_FINISHED',
    ])
    assert.equal(followed.lastCursor, '24')
  })

  test('backoff: first retry immediate, then growing with jitter up to the cap', async () => {
    const clock = fakeClock()
    const {source} = scriptedSource([...Array.from({length: 9}, () => [unavailable()]), [[['ok', '2']], {fail: new CliError('auth', 'HTTP 401', {status: 401})}]])
    const {lines, error} = await collect(follow(source, policy(clock)))
    assert.deepEqual(lines, ['ok'])
    assert.equal((error as CliError).kind, 'auth')
    // attempts 2..9 sleep base/2 + random*base/2 with random 0.5: 0.75 * min(10000, 250 * 2^(n-2))
    assert.deepEqual(clock.sleeps, [187.5, 375, 750, 1500, 3000, 6000, 7500, 7500])
  })

  test('401 stops at once with a failed status and the error', async () => {
    const clock = fakeClock()
    const {source, requests} = scriptedSource([[[['a', '1']], {fail: new CliError('auth', 'token expired', {status: 401})}]])
    const {lines, statuses, error} = await collect(follow(source, policy(clock)))
    assert.deepEqual(lines, ['a'])
    assert.deepEqual(statuses, ['connecting', 'live', 'failed token expired'])
    assert.equal((error as CliError).kind, 'auth')
    assert.equal(requests.length, 1)
  })

  test('without following: a failure ends the read at once (a one-shot command ends within its timeout)', async () => {
    const clock = fakeClock()
    const script = () => scriptedSource([[[['a', '1']], reset()], [[['b', '3']]]])
    const once = script()
    const result = await collect(follow(once.source, policy(clock, {follow: false})))
    assert.deepEqual(result.lines, ['a'])
    assert.equal((result.error as CliError).kind, 'network')
    assert.deepEqual(once.requests.map((r) => r.after), [undefined])
    // Given more attempts (a follow's last read, once its task finished), it resumes from its cursor.
    const twice = script()
    const resumed = await collect(follow(twice.source, policy(clock, {follow: false, maxAttempts: 2})))
    assert.deepEqual(resumed.lines, ['a', 'b'])
    assert.deepEqual(twice.requests.map((r) => r.after), [undefined, '1'])
    assert.equal(resumed.statuses.at(-1), 'ended end of log')
  })

  test('a cut read whose lines have no cursor cannot resume exactly, so it fails', async () => {
    const clock = fakeClock()
    const {source} = scriptedSource([[[['a', undefined]], reset()], [[['a', undefined]]]])
    const {lines, error} = await collect(follow(source, policy(clock, {follow: false, maxAttempts: 4})))
    assert.deepEqual(lines, ['a'])
    assert.equal((error as CliError).kind, 'network')
  })

  test('Ctrl-C ends cleanly with the cursor to resume from', async () => {
    const clock = fakeClock()
    const controller = new AbortController()
    const {source} = scriptedSource([[[['a', '1'], ['b', '3']], 'hang']])
    const followed = follow(source, policy(clock, {signal: controller.signal}))
    const seen: string[] = []
    for await (const event of followed) {
      if (event.type === 'entries') {
        seen.push(...event.entries.map((e) => e.message))
        controller.abort()
      } else if (event.status.state === 'ended') {
        seen.push(`ended ${event.status.detail} at ${event.status.cursor}`)
      }
    }
    assert.deepEqual(seen, ['a', 'b', 'ended interrupted at 3'])
    assert.equal(followed.lastCursor, '3')
  })

  test('journal cursors: repeats within the same journal file are dropped by seqnum', async () => {
    const clock = fakeClock()
    const c = (i: number, s = 'aa') => `s=${s};i=${i.toString(16)};b=bb;m=1;t=2;x=3`
    const {source} = scriptedSource(
      [
        [[['e9', c(9)], ['e10', c(10)]], reset()],
        [[['e9', c(9)], ['e10', c(10)], ['e11', c(11)], ['r1', c(1, 'new')]]],
        [[['r2', c(2, 'new')]], {fail: new CliError('not-found', 'gone')}],
      ],
      'journal',
    )
    const {lines} = await collect(follow(source, policy(clock)))
    assert.deepEqual(lines, ['e9', 'e10', 'e11', 'r1', 'r2'])
  })
})

describe('follow and its stop condition', () => {
  test('a busy stream runs one idle timer per connection, not one per batch, and silence is still noticed', async () => {
    const clock = fakeClock()
    const busy: Attempt = Array.from({length: 200}, (_, i): Step => [[`l${i}`, String(i + 1)]])
    const {source} = scriptedSource([[...busy, 'hang'], []])
    let asked = 0
    const isFinished = async () => (++asked >= 2 ? 'TASK_FINISHED' : undefined)
    const {lines, statuses, error} = await collect(follow(source, policy(clock, {isFinished, idleCheckMs: 3000})), 10_000)
    assert.equal(error, undefined)
    assert.equal(lines.length, 200)
    assert.equal(statuses.at(-1), 'ended TASK_FINISHED')
    // Two quiet periods (asked twice), each one timer; no timer per batch.
    assert.equal(asked, 2)
    assert.ok(clock.sleeps.length <= 4, `sleeps: ${clock.sleeps.join(', ')}`)
    assert.ok(clock.sleeps.every((ms) => ms <= 3000))
  })

  test('a failing state check means "not finished yet": the follow goes on and ends once it answers', async () => {
    const clock = fakeClock()
    const {source} = scriptedSource([[[['a', '1']], reset()], [[['b', '2']]], [[['c', '3']]]])
    const answers: Array<() => Promise<string | undefined>> = [
      () => Promise.reject(new CliError('server', 'HTTP 502 Bad Gateway', {status: 502})),
      () => Promise.resolve('TASK_FINISHED'),
    ]
    const isFinished = () => (answers.shift() ?? (() => Promise.resolve('TASK_FINISHED')))()
    const {lines, statuses, error} = await collect(follow(source, policy(clock, {isFinished})))
    assert.equal(error, undefined)
    assert.deepEqual(lines, ['a', 'b', 'c'])
    assert.equal(statuses.at(-1), 'ended TASK_FINISHED')
  })
})
