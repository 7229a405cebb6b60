/**
 * `dcos-ts service log` against the simulated cluster: a package's scheduler (the Marathon app labelled
 * DCOS_PACKAGE_FRAMEWORK_NAME=hello-world) read like a task, Marathon and Metronome read from the leading
 * master's journal, and the errors for names that match nothing.
 */
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {startSim, type Sim, type SimTask} from '../../src/sim/index.js'
import {startCli} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

// In order: the follow test appends to the scheduler's stdout, which the first test reads.
describe('service log', () => {
  let sim: Sim
  let scheduler: SimTask
  before(async () => {
    sim = await startSim()
    const found = sim.tasks().find((task) => task.name === 'hello-world' && task.frameworkName === 'marathon')
    assert.ok(found)
    scheduler = found
    sim.appendLines(scheduler.id, ['scheduler line 1', 'scheduler line 2'])
    sim.appendLines(scheduler.id, ['scheduler warning'], 'stderr')
  })
  after(() => sim.close())

  const serviceLog = (...args: string[]) => runInProcess(['service', 'log', ...args], {env: {DCOS_URL: sim.url, TZ: 'UTC'}})

  test("a package's framework name reads its scheduler task's stdout, or another FILE", async () => {
    const stdout = await serviceLog('hello-world', '--lines', '2')
    assert.equal(stdout.code, 0, stdout.stderr)
    assert.equal(stdout.stdout, 'scheduler line 1\nscheduler line 2\n')
    const stderr = await serviceLog('hello-world', 'stderr', '-n', '1', '-o', 'json')
    assert.equal(stderr.code, 0, stderr.stderr)
    const record = JSON.parse(stderr.stdout) as Record<string, unknown>
    assert.equal(record.task, scheduler.id)
    assert.equal(record.file, 'stderr')
    assert.equal(record.message, 'scheduler warning')
  })

  test("marathon and metronome: the journal of their leader (Marathon's own for marathon), short and json", async () => {
    const marathon = await serviceLog('marathon', '-n', '3')
    assert.equal(marathon.code, 0, marathon.stderr)
    const lines = marathon.stdout.trimEnd().split('\n')
    assert.equal(lines.length, 3)
    for (const line of lines) assert.match(line, /^2024-01-15 \d\d:\d\d:\d\d\.\d{3} UTC 10\.0\.0\.1 marathon\[\d+\]: /)
    assert.ok(sim.requests.some((request) => request.url === '/system/v1/leader/marathon/logs/v2/component/dcos-marathon.service?skip=-3'))
    const metronome = await serviceLog('metronome', '-n', '2', '-o', 'json')
    assert.equal(metronome.code, 0, metronome.stderr)
    for (const line of metronome.stdout.trimEnd().split('\n')) assert.equal((JSON.parse(line) as {_SYSTEMD_UNIT: string})._SYSTEMD_UNIT, 'dcos-metronome.service')
  })

  test('marathon with a FILE is a usage error', async () => {
    const result = await serviceLog('marathon', 'stdout')
    assert.equal(result.code, EXIT_CODES.usage)
    assert.match(result.stderr, /^Error: the <file> argument is invalid for marathon \(/)
  })

  test('an unknown service: exit 6 and the services there are; none given: usage, same list', async () => {
    const unknown = await serviceLog('kafka')
    assert.equal(unknown.code, EXIT_CODES['not-found'])
    assert.equal(
      unknown.stderr,
      'Error: no service kafka: no Marathon app is labelled DCOS_PACKAGE_FRAMEWORK_NAME=kafka and no framework has that name (services: hello-world, marathon, metronome)\n',
    )
    const missing = await serviceLog()
    assert.equal(missing.code, EXIT_CODES.usage)
    assert.match(missing.stderr, /services: hello-world, marathon, metronome\)\n$/)
  })

  test('--follow prints new scheduler lines as they are written', async () => {
    const cli = startCli(['service', 'log', '--follow', 'hello-world', '-n', '0'], {env: {DCOS_URL: sim.url}})
    // The stream is live once the sim has a task stream open for the scheduler.
    const deadline = Date.now() + 10_000
    while (!sim.requests.some((request) => request.headers.accept === 'text/event-stream' && request.url.includes(encodeURIComponent(scheduler.id))) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    sim.appendLines(scheduler.id, ['followed 1', 'followed 2'])
    await cli.waitForStdout('followed 2\n')
    cli.kill('SIGINT')
    const result = await cli.done
    assert.equal(result.code, 130)
    assert.equal(result.stdout, 'followed 1\nfollowed 2\n')
  })
})

describe('service log on a distant cluster', () => {
  test("Marathon's apps and master state are asked at once: master state is asked while the apps answer is held back", async (t) => {
    const sim = await startSim()
    t.after(() => sim.close())
    sim.inject({kind: 'delay', ms: 5000, count: 1, match: '/service/marathon/v2/apps'})
    const run = runInProcess(['service', 'log', 'hello-world', '-n', '1'], {env: {DCOS_URL: sim.url}})
    const apps = () => sim.requests.find((request) => request.url === '/service/marathon/v2/apps')
    const state = () => sim.requests.find((request) => request.url.startsWith('/mesos/master/state'))
    // Progress, not time: until master state is asked, or the apps answer went out first.
    while (state() === undefined && (apps() === undefined || apps()?.status === 0)) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(state(), 'master state asked before the apps answered')
    assert.equal(apps()?.status, 0, 'the apps answer still held back')
    const result = await run
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout.split('\n').length, 2)
  })
})

describe('service log where Marathon cannot be asked', () => {
  let sim: Sim
  before(async () => {
    sim = await startSim()
  })
  after(() => sim.close())

  test("the scheduler is found by the label Marathon copies to its Mesos task", async () => {
    sim.inject({kind: 'status', status: 404, count: 1, match: '/service/marathon/'})
    const result = await runInProcess(['service', 'log', 'hello-world', '-n', '1'], {env: {DCOS_URL: sim.url}})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout.split('\n').length, 2)
    assert.ok(sim.requests.some((request) => request.url === '/service/marathon/v2/apps' && request.status === 404))
  })
})
