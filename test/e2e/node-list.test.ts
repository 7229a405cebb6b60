/**
 * `dcos-ts node list` and `dcos-ts node list-components` against the simulated cluster (3 masters, 4
 * agents, 1 public agent), including clusters that do not serve dcos-diagnostics' node and unit lists.
 */
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {startSim, type Sim} from '../../src/sim/index.js'
import {runInProcess} from '../helpers/in-process.js'

interface RawState {
  slaves: Array<{id: string; hostname: string; attributes: Record<string, string>}>
}

describe('node list and node list-components', () => {
  let sim: Sim
  let state: RawState
  before(async () => {
    sim = await startSim()
    state = (await (await fetch(`${sim.url}/mesos/master/state`)).json()) as RawState
  })
  after(() => sim.close())

  const cli = (...args: string[]) => runInProcess(['node', ...args], {env: {DCOS_URL: sim.url}})

  test('a table: the leading master first, the other masters, agents, then the public agent', async () => {
    const result = await cli('list')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, '')
    const rows = result.stdout.trimEnd().split('\n').map((line) => line.split(/ {2,}/))
    assert.deepEqual(rows[0], ['HOSTNAME', 'IP', 'ID', 'TYPE'])
    assert.deepEqual(rows[1], ['10.0.0.1', '10.0.0.1', '-', 'master (leader)'])
    assert.deepEqual(rows.slice(2, 4).map((row) => row[3]), ['master', 'master'])
    const agents = rows.slice(4)
    assert.deepEqual(agents.map((row) => row[2]).sort(), state.slaves.map((agent) => agent.id).sort())
    assert.deepEqual(agents.map((row) => row[3]), ['agent', 'agent', 'agent', 'agent', 'public-agent'])
  })

  test('--json: one node a line with stable fields', async () => {
    const result = await cli('list', '--json')
    assert.equal(result.code, 0, result.stderr)
    const records = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    assert.deepEqual(records[0], {id: null, hostname: '10.0.0.1', ip: '10.0.0.1', type: 'master', leader: true})
    assert.equal(records.filter((record) => record.leader).length, 1)
    const publicAgent = state.slaves.find((agent) => agent.attributes.public_ip === 'true')
    assert.deepEqual(records.at(-1), {id: publicAgent?.id, hostname: '10.0.5.10', ip: '10.0.5.10', type: 'public-agent', leader: false})
  })

  test("list-components: the leading master's units, or an agent's, as node log --component takes them", async () => {
    const leader = await cli('list-components')
    assert.equal(leader.code, 0, leader.stderr)
    assert.ok(leader.stdout.split('\n').includes('dcos-mesos-master.service'), leader.stdout)
    const agent = await cli('list-components', state.slaves[0].id, '--json')
    assert.equal(agent.code, 0, agent.stderr)
    const units = agent.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as {id: string; name: string | null; health: number | null})
    assert.deepEqual(units.find((unit) => unit.id === 'dcos-mesos-slave.service'), {id: 'dcos-mesos-slave.service', name: 'mesos-slave', health: 0})
    assert.deepEqual(units.map((unit) => unit.id), [...units.map((unit) => unit.id)].sort())
  })

  test('list-components of an unknown agent: exit 6; --leader with an id: usage', async () => {
    const unknown = await cli('list-components', 'bogus')
    assert.equal(unknown.code, EXIT_CODES['not-found'])
    assert.match(unknown.stderr, /^Error: agent 'bogus' not found/)
    const both = await cli('list-components', '--leader', state.slaves[0].id)
    assert.equal(both.code, EXIT_CODES.usage)
  })

  test('no dcos-diagnostics (404): node list shows the leader and agents, and says so', async () => {
    sim.inject({kind: 'status', status: 404, count: 1, match: '/system/health/v1/nodes'})
    const result = await cli('list', '--json')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, 'Note: the cluster does not serve /system/health/v1/nodes, so only the leading master is listed\n')
    const types = result.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as {type: string}).type)
    assert.deepEqual(types, ['master', 'agent', 'agent', 'agent', 'agent', 'public-agent'])
  })

  test("no unit list (404): list-components names the units in the node's journal instead", async () => {
    sim.inject({kind: 'status', status: 404, count: 1, match: '/system/health/v1/nodes/'})
    const result = await cli('list-components', state.slaves[0].id)
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /^Note: the cluster does not report the units of agent .*; these are the units in its recent journal\n$/)
    const units = result.stdout.trimEnd().split('\n')
    assert.ok(units.includes('dcos-mesos-slave.service') && units.includes('docker.service'), result.stdout)
  })
})
