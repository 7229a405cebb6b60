/**
 * `dcos-ts node log` as a user types it, in-process (test/helpers/in-process.ts), against a simulated
 * DC/OS 2.2 cluster: one agent's journal is replaced by fixed entries for golden outputs; the leader's
 * generated journal serves component names. Following through injected faults, and the time zone, take a
 * process of their own (the built CLI).
 */
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {startSim, type RawJournalEntry, type Sim} from '../../src/sim/index.js'
import {formatCursor} from '../../src/sim/journal.js'
import {runCli, startCli} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

const BASE_US = Date.UTC(2024, 0, 15, 10, 0, 0) * 1000
const BOOT = 'b'.repeat(32)

function raw(seqnum: number, realtime: number, fields: Record<string, string>): RawJournalEntry {
  const monotonic = 5_000_000 + seqnum
  return {
    fields: {_BOOT_ID: BOOT, _HOSTNAME: 'agent-1', _TRANSPORT: 'stdout', ...fields},
    cursor: formatCursor({seqnumId: 'a'.repeat(32), seqnum, bootId: BOOT, monotonic, realtime}),
    monotonic_timestamp: monotonic,
    realtime_timestamp: realtime,
  }
}

const GOLDEN: RawJournalEntry[] = [
  raw(1, BASE_US + 123_456, {MESSAGE: 'agent started', PRIORITY: '6', SYSLOG_IDENTIFIER: 'mesos-agent', _PID: '1234', _SYSTEMD_UNIT: 'dcos-mesos-slave.service'}),
  raw(2, BASE_US + 1_000_000, {MESSAGE: 'disk quota exceeded', PRIORITY: '3', SYSLOG_IDENTIFIER: 'mesos-agent', CUSTOM: 'x y&z', _SYSTEMD_UNIT: 'dcos-mesos-slave.service'}),
  raw(3, BASE_US + 2_000_000, {MESSAGE: 'Started Mesos Agent.', PRIORITY: '6', SYSLOG_IDENTIFIER: 'systemd', _PID: '1', UNIT: 'dcos-mesos-slave.service', _SYSTEMD_UNIT: 'init.scope'}),
  raw(4, BASE_US + 3_000_000, {MESSAGE: 'container started', PRIORITY: '4', SYSLOG_IDENTIFIER: 'dockerd', _PID: '900', _SYSTEMD_UNIT: 'docker.service'}),
]

const SHORT_UTC = [
  '2024-01-15 10:00:00.123 UTC agent-1 mesos-agent[1234]: agent started',
  '2024-01-15 10:00:01.000 UTC agent-1 mesos-agent: disk quota exceeded',
  '2024-01-15 10:00:02.000 UTC agent-1 systemd[1]: Started Mesos Agent.',
].join('\n')

describe('node log against a simulated DC/OS 2.2 cluster', {concurrency: true}, () => {
  let sim: Sim
  let agent: string
  before(async () => {
    sim = await startSim()
    const state = (await (await fetch(`${sim.url}/mesos/master/state`)).json()) as {slaves: Array<{id: string}>}
    agent = state.slaves[1].id
    sim.loadJournal(agent, GOLDEN)
  })
  after(() => sim.close())

  const nodeLog = (args: string[], env: Record<string, string> = {}) => runInProcess(['node', 'log', ...args], {env: {DCOS_URL: sim.url, TZ: 'UTC', ...env}})
  const ok = async (args: string[], env?: Record<string, string>) => {
    const result = await nodeLog(args, env)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, '')
    return result.stdout
  }
  const requestsFor = (fragment: string) => sim.requests.filter((request) => request.url.includes(fragment))

  test('local time by default, --utc for UTC (a process of its own: the time zone is the process\'s)', async () => {
    const inTokyo = (args: string[]) => runCli(['node', 'log', agent, '--component', 'mesos-slave', '--lines', '1', ...args], {env: {DCOS_URL: sim.url, TZ: 'Asia/Tokyo'}})
    assert.equal((await inTokyo([])).stdout, '2024-01-15 19:00:02.000 GMT+9 agent-1 systemd[1]: Started Mesos Agent.\n')
    assert.equal((await inTokyo(['--utc'])).stdout, `${SHORT_UTC.split('\n')[2]}\n`)
  })

  test('cat: the messages only', async () => {
    assert.equal(await ok([agent, '-o', 'cat']), 'agent started\ndisk quota exceeded\nStarted Mesos Agent.\ncontainer started\n')
  })

  test("json: one entry a line with the journal's own field names; json-pretty indents it", async () => {
    const expected = {
      __CURSOR: GOLDEN[3].cursor,
      __REALTIME_TIMESTAMP: String(BASE_US + 3_000_000),
      __MONOTONIC_TIMESTAMP: '5000004',
      MESSAGE: 'container started',
      PRIORITY: '4',
      SYSLOG_IDENTIFIER: 'dockerd',
      _BOOT_ID: BOOT,
      _HOSTNAME: 'agent-1',
      _PID: '900',
      _SYSTEMD_UNIT: 'docker.service',
      _TRANSPORT: 'stdout',
      time: '2024-01-15T10:00:03.000000Z',
    }
    const json = await ok([agent, '--component', 'docker', '-o', 'json'])
    assert.equal(json, `${JSON.stringify(expected)}\n`)
    const pretty = await ok([agent, '--component', 'docker', '-o', 'json-pretty'])
    assert.equal(pretty, `${JSON.stringify(expected, null, 4)}\n`)
  })

  test('priority colours with --color always: 3 red, 4 yellow, 6 plain', async () => {
    const lines = (await ok([agent, '-o', 'cat', '--color', 'always'])).split('\n')
    assert.equal(lines[0], 'agent started')
    assert.equal(lines[1], '\x1b[31mdisk quota exceeded\x1b[39m')
    assert.equal(lines[3], '\x1b[33mcontainer started\x1b[39m')
  })

  test('--lines N (sign ignored), 0, all; --all reads the whole journal from its start', async () => {
    assert.equal(await ok([agent, '-o', 'cat', '--lines', '1']), 'container started\n')
    assert.equal(await ok([agent, '-o', 'cat', '--lines=-2']), 'Started Mesos Agent.\ncontainer started\n')
    assert.equal(await ok([agent, '-o', 'cat', '--lines', '0']), '')
    // A filter no other test sends tells this run's requests apart.
    assert.equal(await ok([agent, '-o', 'cat', '--all', '--filter', '_HOSTNAME:agent-1']), 'agent started\ndisk quota exceeded\nStarted Mesos Agent.\ncontainer started\n')
    const reads = requestsFor('filter=_HOSTNAME%3Aagent-1')
    assert.equal(reads.length, 1)
    assert.doesNotMatch(reads[0].url, /skip=/)
    const invalid = await nodeLog([agent, '--lines', 'ten'])
    assert.equal(invalid.code, EXIT_CODES.usage)
  })

  test('--filter: ANDed with the component, percent-encoded on the wire', async () => {
    assert.equal(await ok([agent, '--component', 'mesos-slave', '--filter', 'PRIORITY:3', '-o', 'cat']), 'disk quota exceeded\n')
    assert.equal(await ok([agent, '--filter', 'custom:x y&z', '-o', 'cat']), 'disk quota exceeded\n')
    assert.ok(requestsFor('filter=CUSTOM%3Ax%20y%26z').length > 0)
    const bad = await nodeLog([agent, '--filter', 'a:b:c'])
    assert.equal(bad.code, EXIT_CODES.usage)
    assert.match(bad.stderr, /^Error: --filter "a:b:c" must be KEY:VALUE/)
  })

  test('--since and --until select by the entries\' realtime (inclusive)', async () => {
    assert.equal(await ok([agent, '-o', 'cat', '--since', '2024-01-15T10:00:01Z', '--until', '2024-01-15T10:00:02Z']), 'disk quota exceeded\nStarted Mesos Agent.\n')
    assert.equal(await ok([agent, '-o', 'cat', '--until', '2024-01-15T10:00:01Z']), 'agent started\ndisk quota exceeded\n')
    const reversed = await nodeLog([agent, '--since', '2024-01-15T11:00:00Z', '--until', '2024-01-15T10:00:00Z'])
    assert.equal(reversed.code, EXIT_CODES.usage)
    const invalid = await nodeLog([agent, '--since', 'yesterday'])
    assert.equal(invalid.code, EXIT_CODES.usage)
    assert.match(invalid.stderr, /--since 'yesterday'|--since: 'yesterday'/)
  })

  test('--since a duration prints everything since then, not only the last 10', async () => {
    const unit = 'dcos-ts-since.service'
    sim.addJournal('leader', Array.from({length: 15}, (_, n) => ({unit, message: `recent ${n}`})))
    const out = await ok(['--component', unit, '-o', 'cat', '--since', '5m'])
    assert.deepEqual(out.trimEnd().split('\n'), Array.from({length: 15}, (_, n) => `recent ${n}`))
    assert.equal(await ok(['--component', unit, '-o', 'cat', '--since', '5m', '--lines', '2']), 'recent 13\nrecent 14\n')
  })

  test('the leader by default: adminrouter, dcos-adminrouter and dcos-adminrouter.service are one unit', async () => {
    const outputs = await Promise.all(['adminrouter', 'dcos-adminrouter', 'dcos-adminrouter.service'].map((name) => ok(['--component', name, '-o', 'json'])))
    const units = outputs[0].trimEnd().split('\n').map((line) => (JSON.parse(line) as {_SYSTEMD_UNIT: string})._SYSTEMD_UNIT)
    assert.deepEqual(new Set(units), new Set(['dcos-adminrouter.service']))
    assert.equal(units.length, 10)
    assert.equal(outputs[1], outputs[0])
    assert.equal(outputs[2], outputs[0])
    assert.ok(requestsFor('/system/v1/leader/mesos/logs/v2/component/dcos-adminrouter.service?skip=-10').length >= 3)
  })

  test('one request a read on a distant cluster: no version asked first, no unit probed before its window', async () => {
    const own = await startSim()
    try {
      const unit = 'dcos-ts-trip.service'
      own.addJournal('leader', [{unit, message: 'one'}, {unit, message: 'two'}, {unit, message: 'three'}])
      const run = async (args: string[]) => {
        own.requests.length = 0
        const result = await runInProcess(['node', 'log', ...args, '-o', 'cat'], {env: {DCOS_URL: own.url}})
        assert.equal(result.code, 0, result.stderr)
        return {stdout: result.stdout, requests: own.requests.map((request) => `${request.url} ${request.status}`)}
      }
      assert.deepEqual(await run(['--component', 'ts-trip', '--lines', '2']), {stdout: 'two\nthree\n', requests: [`/system/v1/leader/mesos/logs/v2/component/${unit}?skip=-2 200`]})
      assert.deepEqual((await run(['--lines', '2'])).requests, ['/system/v1/leader/mesos/logs/v2/component?skip=-2 200'])
      // A name whose first meaning has no entries reads the next one: one request more.
      own.addJournal('leader', [{unit: 'ts-bare.service', message: 'bare'}])
      assert.deepEqual(await run(['--component', 'ts-bare', '--lines', '1']), {
        stdout: 'bare\n',
        requests: ['/system/v1/leader/mesos/logs/v2/component/dcos-ts-bare.service?skip=-1 204', '/system/v1/leader/mesos/logs/v2/component/ts-bare.service?skip=-1 200'],
      })
    } finally {
      await own.close()
    }
  })

  test('short (golden), with a unit named as `node list-components` prints it', async () => {
    const list = await runInProcess(['node', 'list-components', agent], {env: {DCOS_URL: sim.url}})
    assert.equal(list.code, 0, list.stderr)
    const unit = list.stdout.split('\n').find((name) => name === 'dcos-mesos-slave.service')
    assert.ok(unit, list.stdout)
    assert.equal(await ok(['--mesos-id', agent, '--component', unit]), `${SHORT_UTC}\n`)
  })

  test('an unknown component: exit 6 and the units the node has', async () => {
    const result = await nodeLog(['--component', 'nope'])
    assert.equal(result.code, EXIT_CODES['not-found'])
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /^Error: no component nope on the leading master: its journal has no entries of dcos-nope\.service or nope\.service \(units in its journal: .*dcos-adminrouter\.service, .*dcos-mesos-master\.service/)
    const onAgent = await nodeLog([agent, '--component', 'adminrouter'])
    assert.match(onAgent.stderr, /units in its journal: dcos-mesos-slave\.service, docker\.service, init\.scope\)\n$/)
  })

  test('an unknown agent: exit 6, saying where ids come from; --leader with an id is a usage error', async () => {
    const unknown = await nodeLog(['bogus-S9'])
    assert.equal(unknown.code, EXIT_CODES['not-found'])
    assert.equal(unknown.stderr, "Error: agent 'bogus-S9' not found: the cluster has no agent with that id (`dcos-ts node list` shows the ids of the cluster's agents; leave the id out for the leading master)\n")
    const both = await nodeLog([agent, '--leader'])
    assert.equal(both.code, EXIT_CODES.usage)
  })

  test('a pipe read slower than --timeout (a pager) loses nothing: the timeout counts only silence the CLI waits through', async () => {
    // A cluster of its own: these entries would crowd the units other tests list out of the leader's journal.
    const sim = await startSim()
    after(() => sim.close())
    const unit = 'dcos-ts-pager.service'
    const count = 60_000 // ~12 MB: more than the pipe, the sockets and what the client holds
    sim.addJournal('leader', Array.from({length: count}, (_, n) => ({unit, message: `paged ${n} ${'p'.repeat(180)}`})))
    const cli = startCli(['node', 'log', '--component', unit, '--lines', 'all', '-o', 'cat', '--timeout', '1'], {env: {DCOS_URL: sim.url}, timeoutMs: 60_000})
    cli.child.stdout?.pause()
    while (!sim.requests.some((request) => request.url.includes(unit))) await new Promise((resolve) => setTimeout(resolve, 20))
    await new Promise((resolve) => setTimeout(resolve, 3000)) // three timeouts' worth of the reader away
    cli.child.stdout?.resume()
    const result = await cli.done
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, '')
    const lines = result.stdout.split('\n')
    assert.equal(lines.length, count + 1)
    assert.equal(lines[count - 1], `paged ${count - 1} ${'p'.repeat(180)}`)
  })

  test('--follow through a 503, a reset and a closed stream: every entry once, then Ctrl-C prints the cursor to resume from', async () => {
    const unit = 'dcos-ts-follow.service'
    sim.addJournal('leader', Array.from({length: 5}, (_, n) => ({unit, message: `old ${n}`})))
    sim.inject({kind: 'status', status: 503, count: 1, match: 'component-stream'})
    sim.inject({kind: 'end-stream', afterEvents: 1, mode: 'reset', match: 'component-stream'})
    sim.inject({kind: 'end-stream', afterEvents: 1, mode: 'close', match: 'component-stream'})
    const cli = startCli(['node', 'log', '--follow', '--component', unit, '-n', '2', '-o', 'cat'], {env: {DCOS_URL: sim.url}})
    await cli.waitForStdout('old 4\n')
    for (const n of [1, 2, 3]) {
      sim.addJournal('leader', [{unit, message: `new ${n}`}])
      await cli.waitForStdout(`new ${n}\n`)
    }
    sim.addJournal('leader', [{unit, message: 'new 4'}, {unit, message: 'new 5'}])
    await cli.waitForStdout('new 5\n')
    cli.kill('SIGINT')
    const result = await cli.done
    assert.equal(result.code, 130)
    assert.equal(result.stdout, 'old 3\nold 4\nnew 1\nnew 2\nnew 3\nnew 4\nnew 5\n')
    const streams = sim.requests.filter((request) => request.url.includes(unit) && request.headers.accept === 'text/event-stream')
    assert.ok(streams.length >= 3, `${streams.length} stream connections`)
    for (const request of streams) {
      // dcos-log applies skip again relative to Last-Event-ID: a resume must never send it.
      assert.doesNotMatch(request.url, /skip=/)
      assert.ok(request.headers['last-event-id'], request.url)
    }
    const cursor = /Resume with: .* --cursor '?([^'\n]+)'?\n/.exec(result.stderr)?.[1]
    assert.ok(cursor, result.stderr)
    sim.addJournal('leader', [{unit, message: 'new 6'}])
    assert.equal(await ok(['--component', unit, '--cursor', cursor, '-o', 'cat']), 'new 6\n')
  })
})
