/** `dcos-ts node log` on a DC/OS 1.10 cluster: logging v1 routes (journald), same output and resume. */
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {startSim, type Sim} from '../../src/sim/index.js'
import {startCli, SPAWNS_AT_ONCE} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

describe('node log against a simulated DC/OS 1.10 cluster (logging v1)', {concurrency: SPAWNS_AT_ONCE}, () => {
  let sim: Sim
  let agent: string
  before(async () => {
    sim = await startSim({dcosVersion: '1.10'})
    const state = (await (await fetch(`${sim.url}/mesos/master/state`)).json()) as {slaves: Array<{id: string}>}
    agent = state.slaves[0].id
  })
  after(() => sim.close())

  const nodeLog = (...args: string[]) => runInProcess(['node', 'log', ...args], {env: {DCOS_URL: sim.url, TZ: 'UTC'}})

  test("a component on the leader and on an agent, over /logs/v1/range with the unit as a filter", async () => {
    const leader = await nodeLog('--component', 'mesos-master', '-n', '3')
    assert.equal(leader.code, 0, leader.stderr)
    const lines = leader.stdout.trimEnd().split('\n')
    assert.equal(lines.length, 3)
    for (const line of lines) assert.match(line, /^2024-01-15 \d\d:\d\d:\d\d\.\d{3} UTC 10\.0\.0\.1 mesos-master\[\d+\]: /)
    assert.ok(sim.requests.some((request) => request.url.startsWith('/system/v1/leader/mesos/logs/v1/range/?filter=_SYSTEMD_UNIT%3Adcos-mesos-master.service&skip_prev=3')))
    const onAgent = await nodeLog(agent, '--component', 'docker', '-o', 'json', '-n', '2')
    assert.equal(onAgent.code, 0, onAgent.stderr)
    for (const line of onAgent.stdout.trimEnd().split('\n')) assert.equal((JSON.parse(line) as {_SYSTEMD_UNIT: string})._SYSTEMD_UNIT, 'docker.service')
    // The protocol is learned from the routes: logging v2 is asked first and answers 404 here.
    assert.ok(sim.requests.filter((request) => request.url.includes('/logs/v2/')).every((request) => request.status === 404))
  })

  test('an unknown component lists the units of the node', async () => {
    const result = await nodeLog('--component', 'nope')
    assert.equal(result.code, EXIT_CODES['not-found'])
    assert.match(result.stderr, /units in its journal: .*dcos-marathon\.service/)
  })

  test('--follow resumes after a dropped stream with no entry twice', async () => {
    const unit = 'dcos-ts-v1.service'
    sim.addJournal('leader', [{unit, message: 'one'}, {unit, message: 'two'}])
    sim.inject({kind: 'end-stream', afterEvents: 1, mode: 'reset', match: 'component-stream'})
    const cli = startCli(['node', 'log', '-f', '--component', unit, '-n', '1', '-o', 'cat'], {env: {DCOS_URL: sim.url}})
    await cli.waitForStdout('two\n')
    sim.addJournal('leader', [{unit, message: 'three'}])
    await cli.waitForStdout('three\n')
    sim.addJournal('leader', [{unit, message: 'four'}])
    await cli.waitForStdout('four\n')
    cli.kill('SIGINT')
    const result = await cli.done
    assert.equal(result.code, 130)
    assert.equal(result.stdout, 'two\nthree\nfour\n')
  })
})
