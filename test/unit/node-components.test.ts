/**
 * node log's pure parts: what a component name may mean, resolving it against a journal, --since/--until,
 * and which node MESOS_ID / --leader / --mesos-id name.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {CliError} from '../../src/errors.js'
import type {LogEntry, LogSource, StreamInfo} from '../../src/logs/entry.js'
import type {LogWindow} from '../../src/logs/sources/window.js'
import type {MasterState} from '../../src/mesos/state.js'
import {journalUnits, resolveUnit, unitCandidates, type JournalSourceFactory} from '../../src/read/components.js'
import {parseTimeFlag, pickMesosId} from '../../src/log-flags.js'
import {checkTarget, nodeFromState} from '../../src/read/journal-sources.js'

const signal = new AbortController().signal

describe('unitCandidates', () => {
  test('a short name means the dcos- unit first, then the plain one', () => {
    assert.deepEqual(unitCandidates('adminrouter'), ['dcos-adminrouter.service', 'adminrouter.service'])
    assert.deepEqual(unitCandidates('docker'), ['dcos-docker.service', 'docker.service'])
  })

  test('a dcos- name gets .service; a unit name is kept as it is', () => {
    assert.deepEqual(unitCandidates('dcos-adminrouter'), ['dcos-adminrouter.service'])
    assert.deepEqual(unitCandidates('dcos-mesos-master.service'), ['dcos-mesos-master.service'])
    for (const unit of ['init.scope', 'dcos-gen-resolvconf.timer', 'dcos-adminrouter-reload.path', 'docker.socket', 'var-lib.mount', 'system.slice', 'multi-user.target']) {
      assert.deepEqual(unitCandidates(unit), [unit])
    }
  })

  test('an empty name or one with spaces or slashes is a usage error', () => {
    for (const name of ['', '  ', 'a b', '../x']) {
      assert.throws(() => unitCandidates(name), (error: CliError) => error.kind === 'usage')
    }
  })
})

/** A fake node journal: each unit's entries; whole-journal reads see them all in order. */
function fakeJournal(byUnit: Record<string, Array<Record<string, string>>>): {sources: JournalSourceFactory; reads: Array<{unit?: string; window: LogWindow}>} {
  const reads: Array<{unit?: string; window: LogWindow}> = []
  const stream: StreamInfo = {id: 'n', kind: 'component', label: 'n'}
  const sources: JournalSourceFactory = (unit, window) => {
    reads.push({unit, window})
    const fields = unit === undefined ? Object.values(byUnit).flat() : (byUnit[unit] ?? [])
    const entries: LogEntry[] = fields.map((f, n) => ({stream, message: f.MESSAGE ?? '', cursor: String(n), fields: f}))
    const source: LogSource = {
      stream,
      async *open() {
        yield []
        if (entries.length > 0) yield entries
      },
    }
    return source
  }
  return {sources, reads}
}

describe('resolveUnit', () => {
  const journal = {
    'dcos-adminrouter.service': [{MESSAGE: 'a', _SYSTEMD_UNIT: 'dcos-adminrouter.service'}],
    'docker.service': [{MESSAGE: 'd', _SYSTEMD_UNIT: 'docker.service'}],
    'init.scope': [{MESSAGE: 'Started', _SYSTEMD_UNIT: 'init.scope', UNIT: 'dcos-net.service'}],
  }

  test('the first candidate the journal has an entry of, read one entry at a time', async () => {
    const {sources, reads} = fakeJournal(journal)
    assert.equal(await resolveUnit(sources, 'adminrouter', 'leader', signal), 'dcos-adminrouter.service')
    assert.deepEqual(reads, [{unit: 'dcos-adminrouter.service', window: {kind: 'tail', lines: 1}}])
    assert.equal(await resolveUnit(sources, 'docker', 'leader', signal), 'docker.service')
  })

  test('a name differing only in case resolves to the unit the journal knows', async () => {
    const {sources} = fakeJournal(journal)
    assert.equal(await resolveUnit(sources, 'Docker.service', 'leader', signal), 'docker.service')
  })

  test('no match: not-found, naming what was tried and the units the journal has (UNIT= included)', async () => {
    const {sources} = fakeJournal(journal)
    await assert.rejects(resolveUnit(sources, 'nope', 'agent S1 (10.0.1.11)', signal), (error: CliError) => {
      assert.equal(error.kind, 'not-found')
      assert.equal(error.message, 'no component nope on agent S1 (10.0.1.11): its journal has no entries of dcos-nope.service or nope.service')
      assert.equal(error.hint, 'units in its journal: dcos-adminrouter.service, dcos-net.service, docker.service, init.scope')
      return true
    })
  })

  test('an empty journal says so', async () => {
    const {sources} = fakeJournal({})
    await assert.rejects(resolveUnit(sources, 'x.service', 'leader', signal), /no entries of x\.service/)
    assert.deepEqual(await journalUnits(sources, signal), [])
  })
})

describe('parseTimeFlag', () => {
  const now = Date.UTC(2024, 0, 15, 10, 0, 0)

  test('durations back from now, combined units included, in microseconds', () => {
    assert.equal(parseTimeFlag('since', '10m', now), (now - 600_000) * 1000)
    assert.equal(parseTimeFlag('since', '1h30m', now), (now - 5_400_000) * 1000)
    assert.equal(parseTimeFlag('since', '2d', now), (now - 172_800_000) * 1000)
    assert.equal(parseTimeFlag('since', '1.5s', now), (now - 1500) * 1000)
    assert.equal(parseTimeFlag('since', '250ms', now), (now - 250) * 1000)
  })

  test('RFC 3339 times, with or without a zone or seconds', () => {
    assert.equal(parseTimeFlag('until', '2024-01-15T09:00:00Z', now), Date.UTC(2024, 0, 15, 9) * 1000)
    assert.equal(parseTimeFlag('until', '2024-01-15T11:00:00+02:00', now), Date.UTC(2024, 0, 15, 9) * 1000)
    assert.equal(parseTimeFlag('until', '2024-01-15T09:00:00.250Z', now), (Date.UTC(2024, 0, 15, 9) + 250) * 1000)
    assert.equal(parseTimeFlag('until', '2024-01-15', now), Date.UTC(2024, 0, 15) * 1000)
    assert.equal(parseTimeFlag('until', '2024-01-15 09:00', now), new Date(2024, 0, 15, 9).getTime() * 1000)
  })

  test('anything else is a usage error naming the flag', () => {
    for (const text of ['yesterday', '10', '10 minutes', '-5m', '2024-13-45T99:00:00Z', '']) {
      assert.throws(() => parseTimeFlag('since', text, now), (error: CliError) => error.kind === 'usage' && error.message.includes('--since'), text)
    }
  })
})

describe('which node', () => {
  const state: MasterState = {
    leader: {hostname: 'master-1', pid: 'master@10.0.0.1:5050'},
    agents: [{id: 'S1', hostname: 'agent-1', pid: 'slave(1)@10.0.1.1:5051', ip: '10.0.1.1', port: 5051, public: false, attributes: {}}],
    frameworks: [],
    tasks: [],
  }

  test('no id: the leading master, with its address from master state', () => {
    const node = nodeFromState(state, {})
    assert.deepEqual(node.node, {kind: 'leader', of: 'mesos'})
    assert.equal(node.ip, '10.0.0.1')
    assert.equal(node.description, 'the leading master (master-1)')
  })

  test('an agent id must be one of the agents', () => {
    assert.deepEqual(nodeFromState(state, {mesosId: 'S1'}).node, {kind: 'agent', agentId: 'S1'})
    assert.throws(() => nodeFromState(state, {mesosId: 'bogus'}), (error: CliError) => error.kind === 'not-found' && /agent 'bogus' not found/.test(error.message))
    assert.throws(() => nodeFromState({...state, agents: []}, {mesosId: 'S1'}), /agent 'S1' not found/)
  })

  test('--leader with an id, or two different ids, is a usage error', () => {
    assert.throws(() => checkTarget({leader: true, mesosId: 'S1'}), (error: CliError) => error.kind === 'usage')
    assert.throws(() => pickMesosId('S1', 'S2'), (error: CliError) => error.kind === 'usage')
    assert.equal(pickMesosId('S1', 'S1'), 'S1')
    assert.equal(pickMesosId(undefined, 'S2'), 'S2')
    assert.equal(pickMesosId(undefined, undefined), undefined)
  })
})
