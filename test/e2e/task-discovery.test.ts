/**
 * Following a pattern follows what appears (issue #16), end to end against the simulated cluster: tasks
 * that start while `task log PATTERN --follow` runs join from their first line, found through the Mesos
 * event stream (SUBSCRIBE) or, on a master without it, by polling master state; a restarted task leaves
 * with its state and its next run joins; a cut event stream is re-subscribed and what started meanwhile
 * is found in the new snapshot; --max-streams leaves a newcomer out by name; Ctrl-C prints one line
 * that resumes every stream exactly; an exact task id follows that task alone. In-process (the run
 * function on an in-memory IO, over real sockets), each cluster its own: faults and restarts would
 * otherwise reach the other tests' streams.
 */
import assert from 'node:assert/strict'
import {setTimeout as delay} from 'node:timers/promises'
import {describe, test, type TestContext} from 'node:test'
import {CliError, EXIT_CODES} from '../../src/errors.js'
import type {TestIO} from '../../src/output/io.js'
import type {TaskReadOptions} from '../../src/read/task-sources.js'
import {startSim, type Sim, type SimOptions, type SimTask} from '../../src/sim/index.js'
import {type CliResult, resumeArgs} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

/** The cluster watched briskly: master state polled every 50 ms, the event stream re-subscribed within 100 ms. */
const BRISK: Pick<TaskReadOptions, 'watch'> = {watch: {pollMs: 50, backoff: {initialMs: 20, maxMs: 100}}}

const numbered = (prefix: string, count: number, from = 1) => Array.from({length: count}, (_, index) => `${prefix} ${from + index}`)
const text = (lines: string[]) => lines.map((line) => `${line}\n`).join('')
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1

/** The lines task `id` printed, prefix removed, in order. */
const linesOf = (stdout: string, id: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith(`[${id}] `))
    .map((line) => line.slice(id.length + 3))

const subscribes = (sim: Sim) => sim.requests.filter((request) => request.call === 'SUBSCRIBE').length

/** A cluster of the test's own whose running `web` tasks (two) hold known lines: `web0 1..3`, `web1 1..3`. */
async function webCluster(t: TestContext, options: SimOptions = {}): Promise<{sim: Sim; web: SimTask[]}> {
  const sim = await startSim(options)
  t.after(() => sim.close())
  const web = sim.tasks().filter((task) => task.name === 'web' && task.state === 'TASK_RUNNING')
  assert.equal(web.length, 2, 'the generated cluster runs two web tasks')
  for (const [index, task] of web.entries()) sim.writeFile(task.id, 'stdout', text(numbered(`web${index}`, 3)))
  return {sim, web}
}

interface Following {
  /** Resolves once stdout passes `test`; fails when the run ended first. */
  stdout(test: (out: string) => boolean, what: string): Promise<void>
  stderr(test: (err: string) => boolean, what: string): Promise<void>
  /** Resolves once `happened()` (something the cluster saw) is true, looking every few ms; fails when the run ended first. */
  cluster(happened: () => boolean, what: string): Promise<void>
}

/**
 * Runs `argv` (a follow) in-process while `script` acts on the cluster and waits on the output; Ctrl-C
 * once the script is done (or failed). The run's result, after the script's own failure if any.
 */
async function following(sim: Sim, argv: string[], script: (run: Following) => Promise<void>): Promise<CliResult> {
  const stop = new AbortController()
  let io: TestIO | undefined
  const result = runInProcess(argv, {env: {DCOS_URL: sim.url}, signal: stop.signal, extraOptions: BRISK, onStart: (started) => (io = started)})
  assert.ok(io, 'onStart is called at once')
  let ended = false
  const over = result.then(() => (ended = true))
  const endedFirst = (what: string) => new Error(`the run ended before ${what}`)
  const until = (wait: Promise<void>, what: string) => Promise.race([wait, over.then(() => Promise.reject(endedFirst(what)))])
  const output = io
  let failure: Error | undefined
  const scripted = script({
    stdout: (test, what) => until(output.stdoutWhen(test), what),
    stderr: (test, what) => until(output.stderrWhen(test), what),
    cluster: async (happened, what) => {
      while (!happened()) {
        if (ended) throw endedFirst(what)
        await delay(5)
      }
    },
  })
    .catch((error: Error) => (failure = error))
    .finally(() => stop.abort(new CliError('interrupted', 'interrupted')))
  const done = await result
  await scripted
  if (failure) throw new Error(`${failure.message}\n--- stderr:\n${done.stderr}--- stdout:\n${done.stdout}`, {cause: failure})
  return done
}

const subscribed = (run: Following, sim: Sim) => run.cluster(() => subscribes(sim) >= 1, 'the SUBSCRIBE call')

/** The follow of `web -n 1` printed each task's last line and watches the event stream. */
async function followingWeb(run: Following, sim: Sim): Promise<void> {
  await run.stdout((out) => out.includes('web0 3\n') && out.includes('web1 3\n'), 'the last line of each web task')
  await subscribed(run, sim)
}

/** The follow ended as Ctrl-C ends it: exit 130, the resume line last on stderr. */
function assertInterrupted(result: CliResult): void {
  assert.equal(result.code, EXIT_CODES.interrupted, result.stderr)
  assert.match(result.stderr, /(^|\n)Resume with: [^\n]+\n$/)
}

describe('task log PATTERN --follow follows the tasks that start (DC/OS 2.2: the Mesos event stream)', {concurrency: true}, () => {
  test('a new matching task joins from its first line, once; a task the pattern does not match stays out', async (t) => {
    const {sim, web} = await webCluster(t)
    let fresh: SimTask | undefined
    let other: SimTask | undefined
    const result = await following(sim, ['task', 'log', 'web', '--follow', '-n', '1'], async (run) => {
      await followingWeb(run, sim)
      // `webhook` shares the id's first letters, not the name `web` matched by.
      other = await sim.startTask({name: 'webhook', lines: numbered('hook', 3)})
      fresh = await sim.startTask({name: 'web', lines: numbered('fresh', 12)})
      const id = fresh.id
      await run.stdout((out) => out.includes(`[${id}] fresh 12\n`), 'the new task')
      sim.appendLines(other.id, ['hook later'])
      sim.appendLines(id, ['fresh later'])
      sim.appendLines(web[0].id, ['web0 later'])
      await run.stdout((out) => out.includes(`[${id}] fresh later\n`) && out.includes('web0 later\n'), 'the lines written since')
    })
    assertInterrupted(result)
    assert.ok(fresh && other)
    assert.deepEqual(linesOf(result.stdout, fresh.id), [...numbered('fresh', 12), 'fresh later'], 'from its first line, each line once')
    assert.deepEqual(linesOf(result.stdout, web[0].id), ['web0 3', 'web0 later'])
    assert.deepEqual(linesOf(result.stdout, web[1].id), ['web1 3'])
    assert.equal(count(result.stdout, other.id), 0, 'webhook is not followed')
    assert.equal(count(result.stderr, other.id), 0)
    assert.equal(count(result.stderr, `following ${fresh.id} (new task, `), 1, `joined once: ${result.stderr}`)
    assert.equal(subscribes(sim), 1, 'one subscription, never broken')
  })

  test('a restarted task leaves with its state and its next run joins from its first line', async (t) => {
    const {sim, web} = await webCluster(t)
    let next: SimTask | undefined
    const result = await following(sim, ['task', 'log', 'web', '--follow', '-n', '1'], async (run) => {
      await followingWeb(run, sim)
      sim.appendLines(web[0].id, ['last words'])
      await run.stdout((out) => out.includes('last words\n'), 'the last line before the restart')
      next = await sim.restartTask(web[0].id)
      sim.appendLines(next.id, numbered('next', 5))
      const id = next.id
      await run.stdout((out) => out.includes(`[${id}] next 5\n`), 'the next run')
      await run.stderr((err) => err.includes(`${web[0].id} ended (TASK_FAILED)\n`), 'the old run ending')
    })
    assertInterrupted(result)
    assert.ok(next)
    assert.deepEqual(linesOf(result.stdout, web[0].id), ['web0 3', 'last words'])
    assert.deepEqual(linesOf(result.stdout, next.id), numbered('next', 5))
    assert.equal(count(result.stderr, `following ${next.id} (new task, `), 1, result.stderr)
    const notices = result.stderr.split('\n').filter((line) => !line.startsWith('Resume with: '))
    assert.deepEqual(notices.filter((line) => line.includes(web[0].id)), [`${web[0].id} ended (TASK_FAILED)`], 'the old run is not joined again')
  })

  test('a reset event stream is re-subscribed: a task started while it was down joins from its first line, and none twice', async (t) => {
    const {sim} = await webCluster(t)
    let first: SimTask | undefined
    let meanwhile: SimTask | undefined
    // Records: SUBSCRIBED, then the first task's TASK_ADDED, TASK_STARTING, TASK_RUNNING; the stream is reset after those.
    sim.inject({kind: 'end-stream', afterEvents: 4, mode: 'reset', match: 'subscribe'})
    const result = await following(sim, ['task', 'log', 'web', '--follow', '-n', '1'], async (run) => {
      await subscribed(run, sim)
      // Re-subscribing meets 503s until they are cleared.
      sim.inject({kind: 'status', status: 503, count: 1_000_000, match: 'subscribe'})
      first = await sim.startTask({name: 'web', lines: ['first 1']})
      await run.stderr((err) => /reconnecting to the Mesos event stream \(attempt 2\)/.test(err), 'a failed re-subscription')
      meanwhile = await sim.startTask({name: 'web', lines: numbered('meanwhile', 12)})
      sim.clearFaults()
      const id = meanwhile.id
      await run.stdout((out) => out.includes(`[${id}] meanwhile 12\n`), 'the task started meanwhile')
      sim.appendLines(id, ['meanwhile later'])
      sim.appendLines(first.id, ['first later'])
      await run.stdout((out) => out.includes(`[${id}] meanwhile later\n`) && out.includes('first later\n'), 'the lines written since')
    })
    assertInterrupted(result)
    assert.ok(first && meanwhile)
    assert.match(result.stderr, /reconnecting to the Mesos event stream \(attempt 1\): .*connection reset/)
    assert.match(result.stderr, /reconnected to the Mesos event stream/)
    // Written before the new snapshot told of it: read from the start, not as a window of -n 1.
    assert.deepEqual(linesOf(result.stdout, meanwhile.id), [...numbered('meanwhile', 12), 'meanwhile later'])
    assert.equal(count(result.stderr, `following ${meanwhile.id} (new task, TASK_RUNNING)`), 1, result.stderr)
    // The first task is in the new snapshot too: it is followed on, not joined again.
    assert.deepEqual(linesOf(result.stdout, first.id), ['first 1', 'first later'])
    assert.equal(count(result.stderr, `following ${first.id} (new task, `), 1, result.stderr)
    assert.equal(subscribes(sim) >= 3, true, 'subscribed, refused, subscribed again')
  })

  test('a task past --max-streams is named and waits; it joins from its first line once a followed task ends', async (t) => {
    const {sim, web} = await webCluster(t)
    let waiting: SimTask | undefined
    let last: SimTask | undefined
    const result = await following(sim, ['task', 'log', 'web', '--follow', '-n', '1', '--max-streams', '2'], async (run) => {
      await followingWeb(run, sim)
      waiting = await sim.startTask({name: 'web', lines: numbered('waiting', 3)})
      const id = waiting.id
      await run.stderr((err) => err.includes(`not following ${id} yet: 2 streams are open (--max-streams); it joins when one of their tasks ends\n`), 'the notice')
      last = await sim.startTask({name: 'web', lines: numbered('last', 2)})
      const lastId = last.id
      await run.stderr((err) => err.includes(`not following ${lastId} yet`), 'the second notice')
      sim.appendLines(web[1].id, ['web1 later'])
      await run.stdout((out) => out.includes('web1 later\n'), 'the streams followed going on')
      sim.finishTask(web[0].id)
      await run.stdout((out) => out.includes(`[${id}] waiting 3\n`), 'the first waiting task, once web0 ended')
      sim.appendLines(id, ['waiting 4'])
      await run.stdout((out) => out.includes(`[${id}] waiting 4\n`), 'followed on')
    })
    assertInterrupted(result)
    assert.ok(waiting && last)
    assert.deepEqual(linesOf(result.stdout, waiting.id), numbered('waiting', 4), 'from its first line, once')
    assert.equal(count(result.stdout, last.id), 0, 'the second still waits: two tasks run')
    assert.deepEqual(
      resumeArgs(result.stderr).filter((word) => word.includes('=')).map((word) => word.split('=')[0]).sort(),
      [...web.map((task) => task.id), waiting.id].sort(),
      'cursors of the streams that printed',
    )
  })

  test('at --max-streams, the next run of a task that ended takes its place', async (t) => {
    const {sim, web} = await webCluster(t)
    let next: SimTask | undefined
    const result = await following(sim, ['task', 'log', 'web', '--follow', '-n', '1', '--max-streams', '2'], async (run) => {
      await followingWeb(run, sim)
      next = await sim.restartTask(web[0].id)
      sim.appendLines(next.id, numbered('next', 3))
      const id = next.id
      const refused = run.stderr((err) => err.includes('not following'), 'a refusal').then(() => assert.fail('the next run was refused'))
      await Promise.race([run.stdout((out) => out.includes(`[${id}] next 3\n`), 'the next run'), refused])
    })
    assertInterrupted(result)
    assert.ok(next)
    assert.deepEqual(linesOf(result.stdout, next.id), numbered('next', 3))
    assert.doesNotMatch(result.stderr, /not following/)
  })

  test('Ctrl-C prints one line resuming all three streams, a task that joined among them; it resumes each exactly', async (t) => {
    const {sim, web} = await webCluster(t)
    let joined: SimTask | undefined
    const written = new Map<string, string[]>(web.map((task, index) => [task.id, [`web${index} 3`]]))
    const write = (id: string, lines: string[]) => {
      sim.appendLines(id, lines)
      written.get(id)?.push(...lines)
    }
    const printedAll = (out: string) => [...written].every(([id, lines]) => out.includes(`[${id}] ${lines.at(-1)}\n`))
    const first = await following(sim, ['task', 'log', 'web', '--follow', '-n', '1'], async (run) => {
      await run.stdout(printedAll, 'the last line of each web task')
      await subscribed(run, sim)
      joined = await sim.startTask({name: 'web', lines: ['joined 1', 'joined 2']})
      written.set(joined.id, ['joined 1', 'joined 2'])
      await run.stdout(printedAll, 'the task that joined')
      for (const id of written.keys()) write(id, numbered('a', 20))
      await run.stdout(printedAll, 'a round of lines')
      // Ctrl-C comes while the next round is under way.
      for (const id of written.keys()) write(id, numbered('b', 20))
    })
    assertInterrupted(first)
    assert.ok(joined)
    const resume = resumeArgs(first.stderr)
    assert.equal(count(first.stderr, 'Resume with:'), 1)
    assert.deepEqual(resume.slice(0, 4), ['task', 'log', 'web', '--follow'], 'the command as typed, less -n')
    const cursors = resume.slice(4)
    assert.deepEqual(cursors.filter((_, index) => index % 2 === 0), ['--cursor', '--cursor', '--cursor'])
    assert.deepEqual(cursors.filter((_, index) => index % 2 === 1).map((word) => /^(\S+)=\d+$/.exec(word)?.[1]).sort(), [...written.keys()].sort(), 'TASK=OFFSET for each stream')

    for (const id of written.keys()) write(id, numbered('c', 5))
    const resumed = await following(sim, resume, async (run) => {
      await run.stdout(printedAll, 'every line written since')
    })
    assertInterrupted(resumed)
    for (const [id, lines] of written) {
      assert.deepEqual([...linesOf(first.stdout, id), ...linesOf(resumed.stdout, id)], lines, `${id}: no line lost, none twice`)
    }
  })

  test('an app with no task running (a crash loop between runs): the follow says so and waits for the next run; a name never seen is an error', async (t) => {
    const {sim} = await webCluster(t)
    const runs = [await sim.startTask({name: 'crashy', lines: ['run 1']}), await sim.startTask({name: 'crashy', lines: ['run 2']})]
    for (const run of runs) sim.finishTask(run.id, 'TASK_FAILED')
    let next: SimTask | undefined
    const result = await following(sim, ['task', 'log', 'crashy', '--follow', '-n', '1'], async (run) => {
      await run.stderr((err) => err.includes("no running task matches 'crashy' (2 ended): waiting for one to start\n"), 'the notice')
      await subscribed(run, sim)
      next = await sim.startTask({name: 'crashy', lines: numbered('next', 2)})
      const id = next.id
      await run.stdout((out) => out.includes(`[${id}] next 2\n`), 'the next run')
    })
    assertInterrupted(result)
    assert.ok(next)
    assert.deepEqual(linesOf(result.stdout, next.id), numbered('next', 2), 'from its first line, once')
    assert.equal(count(result.stdout, runs[0].id) + count(result.stdout, runs[1].id), 0, 'nothing of the ended runs')

    const env = {DCOS_URL: sim.url}
    const typo = await runInProcess(['task', 'log', 'crashyy', '--follow'], {env})
    assert.equal(typo.code, EXIT_CODES['not-found'], typo.stderr)
    assert.match(typo.stderr, /^Error: no running task matches 'crashyy'/)
    const byIdPart = await runInProcess(['task', 'log', runs[0].id.slice(0, 12), '--follow'], {env})
    assert.equal(byIdPart.code, EXIT_CODES['not-found'], 'part of an ended id is not waited for')
    assert.match(byIdPart.stderr, /1 completed task matches: run with --completed/)
    sim.finishTask(next.id)
    const oneShot = await runInProcess(['task', 'log', 'crashy'], {env})
    assert.equal(oneShot.code, EXIT_CODES['not-found'], 'without --follow nothing is waited for')
  })

  test('an exact task id follows that task alone, watches nothing, and ends when it ends', async (t) => {
    const {sim, web} = await webCluster(t)
    let started: SimTask | undefined
    const result = await runInProcess(['task', 'log', web[0].id, '--follow', '-n', '1'], {
      env: {DCOS_URL: sim.url},
      extraOptions: BRISK,
      onStart: (io) => {
        void io.stdoutWhen((out) => out.includes('web0 3\n')).then(async () => {
          started = await sim.startTask({name: 'web', lines: ['not followed']})
          sim.appendLines(web[0].id, ['web0 last'])
          await io.stdoutWhen((out) => out.includes('web0 last\n'))
          sim.finishTask(web[0].id)
        })
      },
    })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'web0 3\nweb0 last\n', 'its lines alone, unprefixed')
    assert.equal(result.stderr, `${web[0].id} ended (TASK_FINISHED)\n`)
    assert.ok(started)
    assert.equal(subscribes(sim), 0)
  })
})

describe('task log PATTERN --follow on DC/OS 1.8 (no event stream): master state polled', () => {
  test('new tasks and the next run of a restarted one are found by polls and join from their first line, once however many polls list them', async (t) => {
    const {sim, web} = await webCluster(t, {dcosVersion: '1.8'})
    let fresh: SimTask | undefined
    let next: SimTask | undefined
    const states = () => sim.requests.filter((request) => request.url.startsWith('/mesos/master/state')).length
    const result = await following(sim, ['task', 'log', 'web', '--follow', '-n', '1', '--interval', '50'], async (run) => {
      await run.stdout((out) => out.includes('web0 3\n') && out.includes('web1 3\n'), 'the last line of each web task')
      await run.stderr((err) => err.includes('this master has no event stream; watching for new tasks by reading master state every 0.05 s\n'), 'the switch to polling')
      fresh = await sim.startTask({name: 'web', lines: numbered('fresh', 12)})
      const id = fresh.id
      await run.stdout((out) => out.includes(`[${id}] fresh 12\n`), 'the new task')
      // Later polls list it again: it must not join twice.
      const polled = states()
      await run.cluster(() => states() >= polled + 3, 'three more polls')
      sim.appendLines(id, ['fresh later'])
      await run.stdout((out) => out.includes(`[${id}] fresh later\n`), 'its next line')
      next = await sim.restartTask(web[0].id, {state: 'TASK_KILLED'})
      sim.appendLines(next.id, numbered('next', 3))
      const nextId = next.id
      await run.stdout((out) => out.includes(`[${nextId}] next 3\n`), 'the next run of a restarted task')
      await run.stderr((err) => err.includes(`${web[0].id} ended (TASK_KILLED)\n`), 'the old run ending')
    })
    assertInterrupted(result)
    assert.ok(fresh && next)
    assert.deepEqual(linesOf(result.stdout, fresh.id), [...numbered('fresh', 12), 'fresh later'])
    assert.deepEqual(linesOf(result.stdout, web[0].id), ['web0 3'])
    assert.deepEqual(linesOf(result.stdout, next.id), numbered('next', 3))
    assert.equal(count(result.stderr, `following ${fresh.id} (new task, `), 1, result.stderr)
    assert.equal(count(result.stderr, `following ${next.id} (new task, `), 1, result.stderr)
    assert.equal(subscribes(sim), 1, 'asked once, then polled')
  })
})
