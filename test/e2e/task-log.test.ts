/**
 * `dcos-ts task log` as a user types it, against the simulated cluster over real sockets, in each version
 * mode: in-process (test/helpers/in-process.ts) where the output says it all, the built CLI where a follow
 * is stopped by a signal. Task files are set to known content first, so every assertion compares the output
 * with exactly what the task wrote.
 */
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {after, before, describe, test} from 'node:test'
import {CliError, EXIT_CODES} from '../../src/errors.js'
import {startSim, type Sim, type SimTask} from '../../src/sim/index.js'
import {resumeArgs, runCli, startCli} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const PODS_STATE = `${shared}fixtures/real/dcos-go__master-state__mesos-1.5.0__pods.json`
const needsShared = existsSync(shared) ? {} : {skip: 'needs ../shared beside the repository'}

const numbered = (prefix: string, count: number, from = 1) => Array.from({length: count}, (_, index) => `${prefix} ${from + index}`)
const text = (lines: string[]) => lines.map((line) => `${line}\n`).join('')

function byName(sim: Sim, name: string, state = 'TASK_RUNNING'): SimTask[] {
  return sim.tasks().filter((task) => task.name === name && task.state === state)
}

describe('task log on DC/OS 2.2 (logging v2)', {concurrency: true}, () => {
  let sim: Sim
  let web: SimTask[]
  before(async () => {
    sim = await startSim()
    web = byName(sim, 'web')
    for (const [index, task] of web.entries()) sim.writeFile(task.id, 'stdout', text(numbered(`web${index}`, 50)))
  })
  after(() => sim.close())
  const taskLog = (...args: string[]) => runInProcess(['task', 'log', ...args], {env: {DCOS_URL: sim.url}})

  test('an exact task id prints its last 10 lines as written, without a prefix', async () => {
    const result = await taskLog(web[0].id)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, text(numbered('web0', 10, 41)))
    assert.equal(result.stderr, '')
  })

  test('a task name reads every instance, each line prefixed with its task', async () => {
    const result = await taskLog('web', '--lines', '3')
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.trimEnd().split('\n').sort()
    const expected = web.flatMap((task, index) => numbered(`web${index}`, 3, 48).map((line) => `[${task.id}] ${line}`)).sort()
    assert.deepEqual(lines, expected)
  })

  test('more completed runs than --max-streams: refused with a hint, and --latest N reads the N newest', async () => {
    const runs: SimTask[] = []
    for (let run = 1; run <= 25; run++) {
      const task = sim.addSyntheticTask({lines: 1, name: 'crashy'})
      sim.writeFile(task.id, 'stdout', `run ${run}\n`)
      sim.finishTask(task.id, 'TASK_FAILED')
      runs.push(task)
      await new Promise((resolve) => setTimeout(resolve, 2)) // each run's status a distinct millisecond later
    }
    const refused = await taskLog('crashy', '--completed')
    assert.equal(refused.code, EXIT_CODES.usage)
    assert.match(refused.stderr, /25 tasks match, more than --max-streams 20 streams at once \(read the newest runs with --latest N/)
    const latest = await taskLog('crashy', '--completed', '--latest', '3')
    assert.equal(latest.code, 0, latest.stderr)
    assert.deepEqual(latest.stdout.trimEnd().split('\n').sort(), runs.slice(-3).map((task, index) => `[${task.id}] run ${23 + index}`).sort())
  })

  test('a substring of the id and a glob both resolve', async () => {
    const uuid = web[1].id.split('.')[1]
    const bySubstring = await taskLog(uuid.slice(0, 13), '-n', '1')
    assert.equal(bySubstring.stdout, 'web1 50\n', bySubstring.stderr)
    const byGlob = await taskLog(`web.${uuid.slice(0, 8)}*`, '-n', '1')
    assert.equal(byGlob.stdout, 'web1 50\n', byGlob.stderr)
  })

  test('no match names the pattern and exits not-found; completed matches are hinted', async () => {
    const none = await taskLog('no-such-task')
    assert.equal(none.code, EXIT_CODES['not-found'])
    assert.equal(none.stderr, "Error: no running task matches 'no-such-task' ('dcos-ts task list' shows the running tasks)\n")
    const completedOnly = sim.tasks().find((task) => task.state !== 'TASK_RUNNING' && !sim.tasks().some((other) => other.state === 'TASK_RUNNING' && other.id.includes(task.id)))
    assert.ok(completedOnly)
    const hinted = await taskLog(completedOnly.id)
    assert.equal(hinted.code, EXIT_CODES['not-found'])
    assert.match(hinted.stderr, /completed task.* match.*run with --completed/)
  })

  test('no TASK lists the running tasks in a usage error', async () => {
    const result = await taskLog()
    assert.equal(result.code, EXIT_CODES.usage)
    assert.match(result.stderr, /^Error: missing TASK.*running tasks: web \(2\)/)
  })

  test('--completed reads a finished task; duplicate ids across frameworks are told apart', async () => {
    const probes = sim.tasks().filter((task) => task.id === 'probe')
    assert.ok(probes.length >= 2, 'the sim has a task id shared by two completed frameworks')
    const result = await taskLog('probe', '--completed', '-n', '1')
    assert.equal(result.code, 0, result.stderr)
    const prefixes = result.stdout.trimEnd().split('\n').map((line) => /^\[([^\]]+)\] /.exec(line)?.[1])
    assert.equal(new Set(prefixes).size, probes.length, 'one stream per framework')
    for (const prefix of prefixes) assert.match(prefix ?? '', /^.+\/probe$/, 'prefixed with framework/task id')
  })

  test('a pod task reads its own sandbox (tasks/<id>), not the executor’s', async () => {
    const [nginx] = byName(sim, 'nginx')
    sim.writeFile(nginx.id, 'stdout', text(['nginx only']))
    const result = await taskLog(nginx.id)
    assert.equal(result.stdout, 'nginx only\n', result.stderr)
  })

  test('a nested sandbox file is read through the files API', async () => {
    sim.writeFile(web[0].id, 'logs/app.log', text(numbered('app', 30)))
    const result = await taskLog(web[0].id, 'logs/app.log', '-n', '2')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'app 29\napp 30\n')
  })

  test('a missing file is a not-found error naming it', async () => {
    const result = await taskLog(web[0].id, 'nope.log')
    assert.equal(result.code, EXIT_CODES['not-found'])
    assert.match(result.stderr, /^Error: .*nope\.log/)
  })

  test('the last N lines are exact when they span more than 64 KiB (the server alone gets this wrong)', async () => {
    const [api] = byName(sim, 'api')
    const long = Array.from({length: 3000}, (_, index) => `line-${String(index).padStart(5, '0')} ${'x'.repeat(40)}`)
    sim.writeFile(api.id, 'stdout', text(long))
    for (const count of [1400, 1489, 1490, 3000]) {
      const result = await taskLog(api.id, '-n', String(count))
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, text(long.slice(-count)), `--lines ${count}`)
    }
  })

  test('the last N lines are exact when longer lines precede the last 64 KiB (the estimate falls short)', async () => {
    const task = sim.addSyntheticTask({lines: 1, name: 'mixed'})
    const longer = Array.from({length: 6000}, (_, index) => `${'é'.repeat(12)} ${index}`)
    const shorter = numbered('s', 7000)
    const lines = [...longer, ...shorter]
    sim.writeFile(task.id, 'stdout', text(lines))
    for (const count of [7100, 9000, 9001, 9002, 9003, 13_000]) {
      const result = await taskLog(task.id, '-n', String(count))
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, text(lines.slice(-count)), `--lines ${count}`)
      assert.equal(result.stderr, '', 'nothing but the lines')
    }
  })

  test('--output json writes one documented object a line', async () => {
    const result = await taskLog(web[0].id, '-n', '2', '-o', 'json')
    const records = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))
    assert.deepEqual(
      records.map((record) => [record.task, record.file, record.agent, record.message]),
      numbered('web0', 2, 49).map((message) => [web[0].id, 'stdout', web[0].agentId, message]),
    )
  })

  test('more matches than --max-streams is an error naming the flag', async () => {
    const result = await taskLog('web', '--max-streams', '1')
    assert.equal(result.code, EXIT_CODES.usage)
    assert.match(result.stderr, /--max-streams/)
  })
})

test('twelve streams at once: every line, and nothing of Node\'s on stderr (a process of its own)', async () => {
  const sim = await startSim()
  try {
    for (let n = 0; n < 12; n++) sim.addSyntheticTask({lines: 3, name: 'dozen'})
    const result = await runCli(['task', 'log', 'dozen', '--lines', '1'], {env: {DCOS_URL: sim.url}})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout.trimEnd().split('\n').length, 12)
    assert.equal(result.stderr, '', 'no MaxListenersExceededWarning')
  } finally {
    await sim.close()
  }
})

describe('task log --follow', {concurrency: true}, () => {
  let sim: Sim
  before(async () => {
    sim = await startSim()
  })
  after(() => sim.close())

  test('follows through resets, clean ends and 503s line for line, and exits 0 when the task finishes', async () => {
    const [task] = byName(sim, 'hello-world')
    sim.writeFile(task.id, 'stdout', text(numbered('old', 5)))
    // Faults hit the requests that follow: the first stream is reset after 7 events, the reconnect ends
    // cleanly after 3, the next is reset after 1 and then meets three 503s.
    sim.inject({kind: 'end-stream', afterEvents: 7, mode: 'reset', match: 'task-stream'})
    sim.inject({kind: 'end-stream', afterEvents: 3, mode: 'close', match: 'task-stream'})
    sim.inject({kind: 'end-stream', afterEvents: 1, mode: 'reset', match: 'task-stream'})
    const cli = startCli(['task', 'log', task.id, '--follow', '-n', '2'], {env: {DCOS_URL: sim.url}, timeoutMs: 30_000})
    await cli.waitForStdout(/old 5\n/)
    const written: string[] = []
    for (const batch of ['a', 'b', 'c', 'd']) {
      if (batch === 'c') sim.inject({kind: 'status', status: 503, count: 3, match: 'task'})
      const lines = numbered(batch, 10)
      written.push(...lines)
      sim.appendLines(task.id, lines)
      await cli.waitForStdout(new RegExp(`${batch} 10\\n`))
    }
    sim.finishTask(task.id)
    const result = await cli.done
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, text(['old 4', 'old 5', ...written]), 'nothing lost, nothing twice, in order')
    assert.match(result.stderr, /reconnecting to .*attempt 1/)
    assert.match(result.stderr, /ended \(TASK_FINISHED\)/)
  })

  test('Ctrl-C exits 130 with the cursor, and --cursor resumes exactly there', async () => {
    const [task] = byName(sim, 'api')
    sim.writeFile(task.id, 'stdout', text(numbered('x', 3)))
    const cli = startCli(['task', 'log', task.id, '--follow'], {env: {DCOS_URL: sim.url}})
    await cli.waitForStdout(/x 3\n/)
    cli.child.kill('SIGINT')
    const interrupted = await cli.done
    assert.equal(interrupted.code, 130)
    const cursor = /Resume with: .* --cursor \S+=(\d+)/.exec(interrupted.stderr)?.[1]
    assert.ok(cursor, interrupted.stderr)
    sim.appendLines(task.id, ['y 1', 'y 2'])
    const resumed = await runInProcess(['task', 'log', task.id, '--cursor', cursor], {env: {DCOS_URL: sim.url}})
    assert.equal(resumed.stdout, 'y 1\ny 2\n', resumed.stderr)
  })

  test('Ctrl-C while following several tasks prints one command that resumes each exactly, one that ended since included', async () => {
    // A cluster of its own: the faults other tests here inject would hit these streams too.
    const sim = await startSim()
    after(() => sim.close())
    const [one, two] = [sim.addSyntheticTask({lines: 1, name: 'resumable'}), sim.addSyntheticTask({lines: 1, name: 'resumable'})]
    sim.writeFile(one.id, 'stdout', 'a1\na2\n')
    sim.writeFile(two.id, 'stdout', 'b1\nb2\n')
    const stop = new AbortController()
    const interrupted = await runInProcess(['task', 'log', 'resumable', '--follow', '-n', '1'], {
      env: {DCOS_URL: sim.url},
      signal: stop.signal,
      onStart: (io) => {
        void io.stdoutWhen((out) => out.includes(`[${one.id}] a2\n`) && out.includes(`[${two.id}] b2\n`)).then(() => stop.abort(new CliError('interrupted', 'interrupted')))
      },
    })
    assert.equal(interrupted.code, EXIT_CODES.interrupted, interrupted.stderr)
    const resume = resumeArgs(interrupted.stderr)
    assert.deepEqual(resume.slice(0, 4), ['task', 'log', 'resumable', '--follow'], 'the command as typed, less -n')
    assert.deepEqual(resume.slice(4).filter((word) => word !== '--cursor').sort(), [`${one.id}=5`, `${two.id}=5`].sort(), 'one cursor a task, after its last line')

    sim.appendLines(one.id, ['a3'])
    sim.appendLines(two.id, ['b3'])
    sim.finishTask(two.id)
    const three = sim.addSyntheticTask({lines: 1, name: 'resumable'})
    sim.writeFile(three.id, 'stdout', 'c1\n')
    const resumed = await runInProcess(resume.filter((word) => word !== '--follow'), {env: {DCOS_URL: sim.url}})
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.deepEqual(resumed.stdout.trimEnd().split('\n').sort(), [`[${one.id}] a3`, `[${two.id}] b3`, `[${three.id}] c1`].sort(), 'what each wrote since, and a new task from its first line')
  })

  test('a cursor this file cannot have is exit 2 with the reason, followed or not, and prints nothing', async () => {
    const task = sim.addSyntheticTask({lines: 1, name: 'cursors'})
    sim.writeFile(task.id, 'stdout', text(['first', 'second', 'third'])) // newlines at 5, 12, 18
    const cases: Array<[cursor: string, message: RegExp]> = [
      ['999999999', new RegExp(`--cursor 999999999 is past the end of stdout of task ${task.id.replace(/\./g, '\\.')} \\(19 bytes\\)`)],
      ['19', /--cursor 19 is past the end of stdout of task .* \(19 bytes\)/],
      ['7', /--cursor 7 is not where a line of stdout of task .* ends: it is from another file, or the file was rotated since/],
      ['garbage', /"garbage" is not a task log cursor/],
    ]
    for (const [cursor, message] of cases) {
      for (const follow of [[], ['--follow']]) {
        const result = await runInProcess(['task', 'log', task.id, '--cursor', cursor, ...follow], {env: {DCOS_URL: sim.url}})
        assert.equal(result.code, EXIT_CODES.usage, `--cursor ${cursor} ${follow.join('')}: ${result.stderr}`)
        assert.match(result.stderr, message)
        assert.equal(result.stdout, '')
      }
    }
    const atTheEnd = await runInProcess(['task', 'log', task.id, '--cursor', '18'], {env: {DCOS_URL: sim.url}})
    assert.deepEqual([atTheEnd.code, atTheEnd.stdout], [0, ''], 'the last newline: nothing more yet')
    const atTheStart = await runInProcess(['task', 'log', task.id, '--cursor', '5'], {env: {DCOS_URL: sim.url}})
    assert.equal(atTheStart.stdout, 'second\nthird\n', atTheStart.stderr)
  })

  test('a followed resume from far back reads the cursor\'s one byte through the files API, then the event stream', async () => {
    const task = sim.addSyntheticTask({lines: 1, name: 'far-back'})
    const lines = numbered(`far back ${'x'.repeat(90)}`, 3000) // ~300 KB: a catch-up would take 5 files-API reads
    sim.writeFile(task.id, 'stdout', text(lines))
    const cursor = String(text(lines.slice(0, 1)).length - 1)
    const cli = startCli(['task', 'log', task.id, '--follow', '--cursor', cursor], {env: {DCOS_URL: sim.url}})
    await cli.waitForStdout(`${lines.at(-1)}\n`)
    cli.child.kill('SIGINT')
    const result = await cli.done
    assert.equal(result.stdout, text(lines.slice(1)), result.stderr)
    const reads = sim.requests.filter((r) => r.url.includes('/files/read') && r.url.includes(encodeURIComponent(task.id)))
    assert.deepEqual(reads.map((r) => new URL(r.url, sim.url).searchParams.get('length')), ['1'], 'one byte read, the rest streamed')
  })

  test('following a finished task prints its last lines and exits 0', async () => {
    const [task] = byName(sim, 'sidecar')
    sim.writeFile(task.id, 'stdout', text(numbered('done', 3)))
    sim.finishTask(task.id)
    const result = await runInProcess(['task', 'log', task.id, '--follow', '--completed', '-n', '2'], {env: {DCOS_URL: sim.url}})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'done 2\ndone 3\n')
  })

  test('a window found by the backward scan (following, 5 MB back) prints nothing but its lines', async () => {
    const task = sim.addSyntheticTask({lines: 1, name: 'scanned'})
    const lines = numbered(`scanned ${'x'.repeat(40)}`, 120_000)
    sim.writeFile(task.id, 'stdout', text(lines))
    sim.finishTask(task.id)
    const result = await runInProcess(['task', 'log', task.id, '--follow', '--completed', '-n', '100000'], {env: {DCOS_URL: sim.url}})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, `${task.id} ended (TASK_FINISHED)\n`, 'no warnings')
    assert.equal(result.stdout, text(lines.slice(-100_000)))
  })
})

for (const version of ['1.10', '1.8']) {
  describe(`task log on DC/OS ${version} (no logging v2)`, {concurrency: true}, () => {
    let sim: Sim
    let task: SimTask
    before(async () => {
      sim = await startSim({dcosVersion: version, rotateBytes: 4096})
      ;[task] = byName(sim, 'api')
      // Appended (not replaced) so that on 1.10 the journald container logger sees the lines too.
      sim.appendLines(task.id, numbered('v', 40))
    })
    after(() => sim.close())

    test('reads the last lines', async () => {
      const result = await runInProcess(['task', 'log', task.id, '-n', '3'], {env: {DCOS_URL: sim.url}})
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, 'v 38\nv 39\nv 40\n')
    })

    test('follows line for line across a rotation', async () => {
      const [other] = byName(sim, 'web')
      sim.appendLines(other.id, ['start'])
      const cli = startCli(['task', 'log', other.id, '--follow', '-n', '1', '--interval', '50'], {env: {DCOS_URL: sim.url}, timeoutMs: 30_000})
      await cli.waitForStdout('start\n')
      const lines = numbered(`rotating ${'r'.repeat(60)}`, 200)
      for (let index = 0; index < lines.length; index += 20) {
        sim.appendLines(other.id, lines.slice(index, index + 20))
        await cli.waitForStdout(`${lines[index + 19]}\n`)
      }
      sim.finishTask(other.id)
      const result = await cli.done
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, text(['start', ...lines]))
    })
  })
}

describe('task log with a real recorded master state', needsShared, () => {
  let sim: Sim
  before(async () => {
    sim = await startSim({statePath: PODS_STATE})
  })
  after(() => sim.close())

  test('resolves a pod container task of the recording and reads it', async () => {
    const pod = sim.tasks().find((task) => task.id.includes('container-1') && task.state === 'TASK_RUNNING')
    assert.ok(pod, 'the pods recording has container-1')
    sim.writeFile(pod.id, 'stdout', 'from the recording\n')
    const result = await runInProcess(['task', 'log', pod.id], {env: {DCOS_URL: sim.url}})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'from the recording\n')
  })
})

describe('task log --follow across a log rotation (logging v2)', () => {
  let sim: Sim
  before(async () => {
    sim = await startSim({rotateBytes: 4096})
  })
  after(() => sim.close())

  test('a resume after stdout rotated finishes stdout.1, then reads the new stdout from its start', async () => {
    const [task] = byName(sim, 'api')
    sim.writeFile(task.id, 'stdout', text(numbered('p', 3)))
    const first = startCli(['task', 'log', task.id, '--follow'], {env: {DCOS_URL: sim.url}})
    await first.waitForStdout(/p 3\n/)
    first.child.kill('SIGINT')
    const cursor = /--cursor \S+=(\d+)/.exec((await first.done).stderr)?.[1]
    assert.ok(cursor)
    const lines = numbered(`after rotation ${'z'.repeat(50)}`, 150)
    sim.appendLines(task.id, lines) // ~10 KB through a 4 KiB rotation size
    const resumed = startCli(['task', 'log', task.id, '--follow', '--cursor', cursor], {env: {DCOS_URL: sim.url}, timeoutMs: 30_000})
    await resumed.waitForStdout(`${lines.at(-1)}\n`)
    sim.finishTask(task.id)
    const result = await resumed.done
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, text(lines), 'nothing lost, nothing twice')
  })
})
