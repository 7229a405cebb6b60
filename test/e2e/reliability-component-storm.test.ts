/**
 * Following a component's journal through a storm: 100,000 entries through 1,000 faults drawn with a
 * fixed seed, resumed by journald cursor (Last-Event-ID) after each; none lost, none twice, in order.
 * The journal never ends, so the stop condition is the writer being done: the follow then drains from
 * its last cursor and ends. In-process, like the task storm, with a 100 ms idle window and pings every
 * 40 ms.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createHttpClient} from '../../src/cluster/http.js'
import {createV2ComponentSource} from '../../src/logs/sources/v2-component.js'
import {sleep} from '../../src/run/create-deps.js'
import {lineWriter, stormSchedule, weatherStorm, stormCluster} from '../helpers/faults.js'

const SEED = 20240116
const LINES = 100_000
const FAULTS = 1000

const storm = stormCluster({pingFirstMs: 20, pingIntervalMs: 40})

test(`a component followed over logging v2: ${LINES} entries through ${FAULTS} faults (seed ${SEED})`, {timeout: 110_000}, async () => {
  const {sim, proxy} = storm
  const http = createHttpClient({url: proxy.url, tls: {verify: true}, timeoutMs: 10_000, sources: {url: 't', token: 't', tls: 't', timeout: 't', cluster: 't'}})
  const unit = 'dcos-storm.service'
  const source = createV2ComponentSource(http, {stream: {id: 'leader', kind: 'component', label: 'leader'}, node: {kind: 'leader'}, unit, idleMs: 100}, {kind: 'all'})
  const writer = lineWriter(SEED, LINES, (lines) => sim.addJournal('leader', lines.map((message) => ({unit, message}))))
  const steps = stormSchedule({seed: SEED, count: FAULTS, match: 'component-stream', stallMs: 160})
  let done = false
  const policy = {follow: true, signal: new AbortController().signal, now: Date.now, sleep, idleCheckMs: 100, backoff: {initialMs: 5, maxMs: 20}, isFinished: async () => (done ? 'writer done' : undefined)}
  const outcome = await weatherStorm('component follow', {sim, proxy, steps, writer}, LINES, source, policy, () => (done = true))
  assert.equal(writer.written.length, LINES)
  assert.equal(outcome.lost, 0, 'no entry lost')
  assert.equal(outcome.repeated, 0, 'no entry twice')
  assert.ok(outcome.inOrder, 'in the order written')
  assert.ok(outcome.reconnects >= FAULTS, `every fault made the client reconnect (${outcome.reconnects})`)
  const last = outcome.last
  assert.equal(last?.type === 'status' && `${last.status.state} ${last.status.detail}`, 'ended writer done')
})
