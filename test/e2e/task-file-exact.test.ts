/**
 * Task files byte for byte on a cluster whose dcos-log has the real server's defects (the simulated
 * cluster's default): lines over 32 KiB cut and glued, text cut at byte 512, empty lines dropped, reads
 * that never end before a line of 64 KiB or more. In-process: the real HTTP client over sockets, the task
 * resolved from master state, follow() on top, as `task log` runs them. Every output is compared with the
 * file's bytes, and the sim's count of dcos-log's Mesos reads shows no request started a server loop.
 */
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'
import type {HttpClient} from '../../src/cluster/http.js'
import {type Sim, startSim} from '../../src/sim/index.js'
import {finishedIn, followSource, printed, readOnce, simHttp, simTaskSource, sleep} from '../helpers/sim-task-file.js'

let sim: Sim
let http: HttpClient

before(async () => {
  sim = await startSim({filePollMs: 20})
  http = simHttp(sim)
})

after(async () => {
  await sim.close()
})

const KB40 = 'x'.repeat(40_000)
const KB70 = 'y'.repeat(70_000)

/** A file with everything dcos-log gets wrong: long lines of both kinds, runs of empty lines, bytes that are not UTF-8. */
function nastyFile(prefix: string): Buffer {
  const parts: Array<string | Buffer> = []
  for (let i = 1; i <= 40; i++) {
    parts.push(`${prefix} line ${i} é世\n`)
    if (i % 7 === 0) parts.push('\n\n')
    if (i === 10) parts.push(`${KB40}\n`)
    if (i === 20) parts.push(`${KB70}\n`)
    if (i === 25) parts.push(Buffer.from([0xff, 0xfe, 0x20, 0x6f, 0x6b, 0x0a]))
    if (i === 30) parts.push(`${KB40}${KB70}\n`)
  }
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)))
}

/** The last `n` lines of `file` as bytes (`tail -n`), a last line without newline given one. */
function tailLines(file: Buffer, n: number): Buffer {
  const text = file.at(-1) === 0x0a ? file : Buffer.concat([file, Buffer.from('\n')])
  let start = text.length - 1
  for (let found = 0; found < n && start > 0; ) {
    start = text.lastIndexOf(0x0a, start - 1)
    if (start < 0) return text
    found++
    if (found === n) return text.subarray(start + 1)
  }
  return text
}

function lineCount(file: Buffer): number {
  let count = 0
  for (let lf = file.indexOf(0x0a); lf >= 0; lf = file.indexOf(0x0a, lf + 1)) count++
  return count
}

function runningTasks() {
  return sim.tasks().filter((t) => t.state === 'TASK_RUNNING' && !t.isPod)
}

const dcosLogRequests = () => sim.requests.filter((r) => r.url.includes('/logs/v2/task/')).length

describe('exact task files on the real server\'s defects', {timeout: 120_000}, () => {
  test('windows with 40 KB and 70 KB lines, empty lines and invalid UTF-8: every byte, no logging v2 request, no server loop', async () => {
    const [task] = runningTasks()
    const file = nastyFile('w')
    sim.writeFile(task.id, 'stdout', file)
    const before = sim.dcosLogStats()
    const requestsBefore = dcosLogRequests()
    for (const lines of [1, 3, 8, 12, 20, 30, 45, 60]) {
      const entries = await readOnce(await simTaskSource(http, task.id, 'stdout', {kind: 'tail', lines}))
      assert.equal(entries.length, Math.min(lines, lineCount(file)), `--lines ${lines}: as many lines as asked, or the file has`)
      assert.deepEqual(printed(entries), tailLines(file, lines), `--lines ${lines}: byte for byte`)
    }
    assert.deepEqual(printed(await readOnce(await simTaskSource(http, task.id, 'stdout', {kind: 'all'}))), file, 'the whole file')
    assert.equal(dcosLogRequests(), requestsBefore, 'windows are read through the files API only')
    assert.deepEqual(sim.dcosLogStats(), before, "dcos-log made no Mesos read at all, so no loop")
  })

  test('a window within the last 64 KiB costs two files-API reads: the size, then the tail', async () => {
    const [task] = runningTasks()
    const file = Buffer.from(Array.from({length: 20_000}, (_, i) => `line ${i}\n`).join(''))
    sim.writeFile(task.id, 'stdout', file)
    const source = await simTaskSource(http, task.id, 'stdout', {kind: 'tail', lines: 100})
    const from = sim.requests.length
    await readOnce(source)
    const reads = sim.requests.slice(from).map((r) => new URL(r.url, sim.url).searchParams)
    assert.deepEqual(reads.map((q) => [q.get('offset'), q.get('length')]), [['-1', null], [String(file.length - 65_536), '65536']])
  })

  test('a window far beyond 64 KiB, held or (over the hold limit) read again forwards: exact', async () => {
    const [task] = runningTasks()
    const parts: string[] = []
    for (let i = 0; i < 20_000; i++) parts.push(i % 997 === 0 ? `${KB70}\n` : i % 13 === 0 ? '\n' : `line ${i} ${'ab'.repeat(i % 50)}\n`)
    const file = Buffer.from(parts.join(''))
    sim.writeFile(task.id, 'stdout', file)
    for (const holdBytes of [undefined, 200_000]) {
      for (const lines of [5_000, 19_999, 30_000]) {
        const entries = await readOnce(await simTaskSource(http, task.id, 'stdout', {kind: 'tail', lines}, {holdBytes}))
        assert.deepEqual(printed(entries), tailLines(file, lines), `--lines ${lines}, hold ${holdBytes ?? 'default'}`)
      }
    }
  })

  test('--lines N on a task writing fast: exactly N lines, the last N as of one measured end', async () => {
    const [task] = runningTasks()
    sim.writeFile(task.id, 'stdout', Array.from({length: 3000}, (_, i) => `seq ${i}\n`).join(''))
    let next = 3000
    let writing = true
    const writer = (async () => {
      while (writing) {
        sim.appendLines(task.id, Array.from({length: 50}, () => `seq ${next++}`))
        await sleep(1)
      }
    })()
    try {
      for (const lines of [1, 10, 999, 2500]) {
        for (let round = 0; round < 5; round++) {
          const messages = (await readOnce(await simTaskSource(http, task.id, 'stdout', {kind: 'tail', lines}))).map((e) => e.message)
          assert.equal(messages.length, lines, `--lines ${lines}`)
          const first = Number(messages[0].slice(4))
          assert.deepEqual(messages, Array.from({length: lines}, (_, i) => `seq ${first + i}`), 'consecutive lines')
        }
      }
    } finally {
      writing = false
      await writer
    }
  })

  test('following through appended 40 KB and 70 KB lines and empty lines: byte for byte, ends with the task, no loop left behind', async () => {
    const [, task] = runningTasks()
    const start = Buffer.from('s1\ns2\ns3\n')
    sim.writeFile(task.id, 'stdout', start)
    const appended = [
      Buffer.from(`n1\n\n${KB40}\nn2\n\n\n`),
      Buffer.from(`${KB70}\nn3\n\n`),
      Buffer.from(`${KB40}\n`), // the last line for a while: its cut event has nothing after it
      Buffer.concat([Buffer.from([0xff, 0x41, 0x0a]), Buffer.from(`${KB40}${KB70}\nlast\n`)]),
    ]
    const source = await simTaskSource(http, task.id, 'stdout', {kind: 'tail', lines: 2})
    const expected = Buffer.concat([Buffer.from('s2\ns3\n'), ...appended])
    const before = sim.dcosLogStats()
    let sent = 0
    const result = await followSource(source, {isFinished: finishedIn(sim, task.id)}, (entries) => {
      const bytes = printed(entries).length
      // each burst once everything before it was printed
      if (sent < appended.length && bytes === Buffer.concat([Buffer.from('s2\ns3\n'), ...appended.slice(0, sent)]).length) sim.appendBytes(task.id, appended[sent++])
      else if (sent === appended.length && bytes === expected.length) {
        sent++
        sim.finishTask(task.id, 'TASK_FINISHED')
      }
    })
    assert.deepEqual(printed(result.entries), expected)
    assert.equal(result.statuses.at(-1), 'ended:TASK_FINISHED')
    const stats = sim.dcosLogStats()
    console.log(`follow through long lines: dcos-log's Mesos reads ${stats.mesosReads - before.mesosReads}, of them stuck ${stats.stuckReads - before.stuckReads} (the sim polls every 20 ms; dcos-log every second)`)
    assert.equal(stats.readsAfterClientLeft, 0, 'no read of dcos-log outlived its client')
    // The event stream stalls before a 64 KiB line until the quiet spell; dcos-log polls that spot meanwhile.
    const reads = stats.mesosReads
    await sleep(200)
    assert.equal(sim.dcosLogStats().mesosReads, reads, 'and none goes on after the follow ended')
  })

  test('resuming from a cursor, followed or not, over the same defects: the file from that newline on', async () => {
    const [, , task] = runningTasks()
    const file = nastyFile('r')
    sim.writeFile(task.id, 'stdout', file)
    for (const cursor of [file.indexOf('r line 9'), file.indexOf('r line 19'), file.indexOf('r line 31')].map((at) => at - 1)) {
      const source = await simTaskSource(http, task.id, 'stdout', {kind: 'tail', lines: 10})
      assert.deepEqual(printed(await readOnce(source, String(cursor))), file.subarray(cursor + 1), `after ${cursor}`)
    }
    const cursor = file.indexOf('r line 19') - 1
    const source = await simTaskSource(http, task.id, 'stdout', {kind: 'tail', lines: 10})
    sim.appendBytes(task.id, Buffer.from(`${KB40}\nmore\n`))
    const whole = Buffer.concat([file, Buffer.from(`${KB40}\nmore\n`)])
    const result = await followSource(source, {after: String(cursor), isFinished: finishedIn(sim, task.id)}, (entries) => {
      if (printed(entries).length === whole.length - cursor - 1) sim.finishTask(task.id, 'TASK_FINISHED')
    })
    assert.deepEqual(printed(result.entries), whole.subarray(cursor + 1))
  })
})

describe('exact task files on an older cluster (files API only)', {timeout: 60_000}, () => {
  let old: Sim
  let oldHttp: HttpClient
  before(async () => {
    old = await startSim({dcosVersion: '1.8', filePollMs: 20})
    oldHttp = simHttp(old)
  })
  after(async () => {
    await old.close()
  })

  test('a window and a follow by polling: every byte, empty lines and long lines included', async () => {
    const task = old.tasks().find((t) => t.state === 'TASK_RUNNING' && !t.isPod)
    assert.ok(task)
    const file = nastyFile('o')
    old.writeFile(task.id, 'stdout', file)
    const source = await simTaskSource(oldHttp, task.id, 'stdout', {kind: 'tail', lines: 30}, {transport: 'files'})
    assert.deepEqual(printed(await readOnce(source)), tailLines(file, 30))
    const more = Buffer.from(`\n\n${KB70}\nend\n`)
    const result = await followSource(source, {isFinished: async () => (old.tasks().find((t) => t.id === task.id)?.state === 'TASK_RUNNING' ? undefined : 'TASK_KILLED')}, (entries) => {
      const bytes = printed(entries).length
      if (bytes === tailLines(file, 30).length) old.appendBytes(task.id, more)
      if (bytes === tailLines(file, 30).length + more.length) old.finishTask(task.id, 'TASK_KILLED')
    })
    assert.deepEqual(printed(result.entries), Buffer.concat([tailLines(file, 30), more]))
    assert.equal(old.requests.filter((r) => r.url.includes('/logs/')).length, 0, 'no logging API on this cluster')
  })
})
