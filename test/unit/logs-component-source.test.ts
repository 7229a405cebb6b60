/**
 * The logging v2 component source against a fake dcos-log journal endpoint (its skip-after-Last-Event-ID
 * defect included). Task files are tested against the simulated cluster (test/e2e/task-file-exact.test.ts).
 */
import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {Readable} from 'node:stream'
import {CliError} from '../../src/errors.js'
import type {RequestOptions} from '../../src/cluster/http.js'
import type {LogEntry, LogSource, OpenRequest, StreamInfo} from '../../src/logs/entry.js'
import {createV2ComponentSource} from '../../src/logs/sources/v2-component.js'
import {StreamOnlyHttp} from '../helpers/fake-http.js'

interface Recorded {
  path: string
  query: Record<string, unknown>
  headers: Record<string, string>
}

class FakeCluster extends StreamOnlyHttp {
  journal: Array<{cursor: string; message: string; unit: string}> = []
  requests: Recorded[] = []
  async stream(path: string, options: RequestOptions = {}) {
    const query = options.query ?? {}
    const headers = options.headers ?? {}
    this.requests.push({path, query, headers})
    const respond = (status: number, body: Buffer | string = '') => ({
      response: {status, headers: {}, url: this.baseUrl + path},
      body: Readable.from([Buffer.from(body)]),
    })
    if (path.includes('/logs/v2/component')) {
      const unit = decodeURIComponent(path.split('/logs/v2/component')[1].slice(1))
      const matching = this.journal.filter((entry) => unit === '' || entry.unit === unit)
      const after = headers['Last-Event-ID']
      let first = after === undefined ? 0 : matching.findIndex((e) => e.cursor === after) + 1
      // dcos-log applies skip even after Last-Event-ID (relative to it): a client must not send both
      const skip = Number(query.skip ?? 0)
      if (skip < 0) first = Math.max(0, (after === undefined ? matching.length : first - 1) + skip)
      const entries = matching.slice(first)
      if (entries.length === 0 && headers.Accept !== 'text/event-stream') return respond(204)
      const json = entries.map((e) => JSON.stringify({fields: {MESSAGE: e.message, _SYSTEMD_UNIT: e.unit}, cursor: e.cursor, monotonic_timestamp: 1, realtime_timestamp: 1700000000000000}))
      if (headers.Accept === 'text/event-stream') return respond(200, ': ping\n\n' + json.map((j, i) => `id: ${entries[i].cursor}\ndata: ${j}\n\n`).join(''))
      return respond(200, json.map((j) => j + '\n').join(''))
    }
    throw new CliError('not-found', `no route ${path}`, {status: 404})
  }
}

async function read(source: LogSource, request: OpenRequest): Promise<LogEntry[]> {
  const entries: LogEntry[] = []
  for await (const batch of source.open(request, new AbortController().signal)) entries.push(...batch)
  return entries
}

describe('logging v2 component source', () => {
  const component: StreamInfo = {id: 'leader/adminrouter', kind: 'component', label: 'leader adminrouter'}
  function setup() {
    const cluster = new FakeCluster()
    for (let i = 1; i <= 8; i++) cluster.journal.push({cursor: `s=aa;i=${i.toString(16)};b=bb;m=1;t=2;x=3`, message: `m${i}`, unit: i % 2 ? 'a.service' : 'b.service'})
    return cluster
  }

  test('a window then following: resumes after the last cursor with no skip (no repeats)', async () => {
    const cluster = setup()
    const source = createV2ComponentSource(cluster, {stream: component, node: {kind: 'leader'}}, {kind: 'tail', lines: 3})
    assert.deepEqual((await read(source, {follow: true})).map((e) => e.message), ['m6', 'm7', 'm8'])
    assert.deepEqual(cluster.requests.map((r) => [r.path, r.query.skip, r.headers.Accept, r.headers['Last-Event-ID']]), [
      ['/system/v1/leader/mesos/logs/v2/component', -3, 'application/json', undefined],
      ['/system/v1/leader/mesos/logs/v2/component', undefined, 'text/event-stream', 's=aa;i=8;b=bb;m=1;t=2;x=3'],
    ])
  })

  test('a window of 0 while following shows only new entries; 204 is an empty finished read', async () => {
    const cluster = setup()
    const source = createV2ComponentSource(cluster, {stream: component, node: {kind: 'agent', agentId: 'AG-S1'}, unit: 'a.service'}, {kind: 'tail', lines: 0})
    assert.deepEqual(await read(source, {follow: true}), [])
    assert.equal(cluster.requests[0].path, '/system/v1/agent/AG-S1/logs/v2/component/a.service')
    const empty = createV2ComponentSource(cluster, {stream: component, node: {kind: 'local'}, unit: 'none.service'}, {kind: 'all'})
    assert.deepEqual(await read(empty, {follow: false}), [])
  })

  test('a unit together with filters becomes a _SYSTEMD_UNIT filter (the path form would OR them)', async () => {
    const cluster = setup()
    const source = createV2ComponentSource(cluster, {stream: component, node: {kind: 'leader'}, unit: 'a.service'}, {kind: 'all'}, {filters: [['PRIORITY', '6']]})
    await read(source, {follow: false}).catch(() => [])
    assert.deepEqual(cluster.requests[0].query.filter, ['_SYSTEMD_UNIT:a.service', 'PRIORITY:6'])
    assert.equal(cluster.requests[0].path, '/system/v1/leader/mesos/logs/v2/component')
  })
})
