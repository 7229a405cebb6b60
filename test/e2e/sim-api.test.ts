import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'
import {after, before, describe, test} from 'node:test'
import {SignJWT} from 'jose'
import {startSim, type Sim, type SimTask} from '../../src/sim/index.js'

async function get(sim: Sim, path: string, headers: Record<string, string> = {}): Promise<{status: number; type: string | null; location: string | null; body: string; headers: Headers}> {
  const response = await fetch(`${sim.url}${path}`, {headers, redirect: 'manual'})
  return {status: response.status, type: response.headers.get('content-type'), location: response.headers.get('location'), body: await response.text(), headers: response.headers}
}

/** Reads an event stream until `until` holds or the stream ends; returns the text and how it ended. */
async function readStream(sim: Sim, path: string, headers: Record<string, string>, until: (text: string) => boolean): Promise<{text: string; ended: 'done' | 'eof' | 'error'}> {
  const response = await fetch(`${sim.url}${path}`, {headers: {Accept: 'text/event-stream', ...headers}})
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const {value, done} = await reader.read()
      if (done) return {text, ended: 'eof'}
      text += decoder.decode(value, {stream: true})
      if (until(text)) {
        await reader.cancel()
        return {text, ended: 'done'}
      }
    }
  } catch {
    return {text, ended: 'error'}
  }
}

function agentRoute(task: SimTask, file = 'stdout'): string {
  const run = task.parentContainerId ?? task.containerId
  const tasks = task.isPod ? `/tasks/${task.id}` : ''
  return `/system/v1/agent/${task.agentId}/logs/v2/task/frameworks/${task.frameworkId}/executors/${task.executorId}/runs/${run}${tasks}/${file}`
}

describe('sim: generated cluster and live logs', () => {
  let sim: Sim
  let web: SimTask
  before(async () => {
    sim = await startSim({seed: 3, pingFirstMs: 50, filePollMs: 20, rotateBytes: 64 * 1024})
    web = sim.tasks().find((t) => t.name === 'web') as SimTask
  })
  after(() => sim.close())

  test('the cluster has what the README first run needs', async () => {
    const tasks = sim.tasks()
    assert.equal(tasks.filter((t) => t.name === 'web' && t.state === 'TASK_RUNNING').length, 2)
    assert.ok(tasks.some((t) => /^pod-web\.instance-.*\.nginx$/.test(t.id) && t.isPod && t.parentContainerId))
    assert.ok(tasks.some((t) => t.frameworkName === 'metronome' && t.state === 'TASK_FINISHED'))
    assert.equal(tasks.filter((t) => t.id === 'probe').length, 2, 'a task id repeated across frameworks')
    const state = JSON.parse((await get(sim, '/mesos/master/state')).body)
    assert.equal(state.frameworks.length + state.completed_frameworks.length, 5)
    assert.ok(state.slaves.some((s: {attributes: Record<string, string>}) => s.attributes.public_ip === 'true'))
    const again = await startSim({seed: 3})
    assert.deepEqual(again.tasks(), tasks, 'deterministic given the seed')
    await again.close()
  })

  test('task follow resumes exactly after Last-Event-ID across a reset stream', async () => {
    sim.inject({kind: 'end-stream', afterEvents: 3, mode: 'reset', match: 'task-stream'})
    const first = await readStream(sim, `${agentRoute(web)}?cursor=END&skip=-5`, {}, () => false)
    assert.equal(first.ended === 'done', false)
    const ids = [...first.text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1])
    assert.equal(ids.length, 3)
    sim.appendLines(web.id, ['after the cut ✓', '', 'and one more'])
    const second = await readStream(sim, agentRoute(web), {'Last-Event-ID': ids[2]}, (t) => t.includes('one more'))
    const messages = [...second.text.matchAll(/"MESSAGE":"([^"]*)"/g)].map((m) => m[1])
    assert.deepEqual(messages.slice(-2), ['after the cut ✓', 'and one more'])
    assert.equal(messages.length, 4, 'the two lines not yet delivered, then the new ones (the blank line dropped)')
  })

  test('component follow: cursor ids, pings while idle, clean close fault', async () => {
    sim.inject({kind: 'end-stream', afterEvents: 2, mode: 'close', match: 'component-stream'})
    const closed = await readStream(sim, '/system/v1/leader/mesos/logs/v2/component/dcos-mesos-master.service?skip=-2', {}, () => false)
    assert.equal(closed.ended, 'eof')
    assert.equal((closed.text.match(/^id: s=[0-9a-f]+;i=[0-9a-f]+;b=/gm) ?? []).length, 2)
    const idle = await readStream(sim, '/system/v1/logs/v2/component/nothing.service', {}, (t) => t.includes(': ping\n\n'))
    assert.equal(idle.ended, 'done')
  })

  test('status, delay, truncate and malformed-json faults wear off after their count', async () => {
    sim.inject({kind: 'status', status: 503, count: 2, match: 'state'})
    assert.equal((await get(sim, '/mesos/master/state')).status, 503)
    assert.equal((await get(sim, '/mesos/master/state')).status, 503)
    assert.equal((await get(sim, '/mesos/master/state')).status, 200)
    sim.inject({kind: 'malformed-json', match: 'state'})
    const bad = await get(sim, '/mesos/master/state')
    assert.throws(() => JSON.parse(bad.body))
    sim.inject({kind: 'truncate', match: 'files'})
    await assert.rejects(get(sim, `/agent/${web.agentId}/files/read?path=${encodeURIComponent(`${web.sandboxDir}/stdout`)}&offset=0`))
  })

  test('files API: size probe, 64 KiB reads, rotation to stdout.1', async () => {
    const path = (file: string) => `/agent/${web.agentId}/files/read?path=${encodeURIComponent(`${web.sandboxDir}/${file}`)}`
    const size = JSON.parse((await get(sim, `${path('stdout')}&offset=-1`)).body).offset
    assert.ok(size > 0)
    sim.appendLines(web.id, ['x'.repeat(70_000)])
    const chunk = JSON.parse((await get(sim, `${path('stdout')}&offset=0&length=100000`)).body)
    assert.equal(Buffer.byteLength(chunk.data), 65_536)
    assert.equal(chunk.offset, 0)
    assert.equal((await get(sim, `${path('stdout.1')}&offset=-1`)).status, 200, 'rotated past rotateBytes')
    assert.equal((await get(sim, `${path('nope')}&offset=-1`)).status, 404)
    assert.equal((await get(sim, '/agent/nope/files/read?path=/x')).body, '404 Not Found: agent `nope` unknown.\n')
  })

  test('a finished task moves to completed_tasks and stays readable', async () => {
    const api = sim.tasks().find((t) => t.name === 'api' && t.state === 'TASK_RUNNING') as SimTask
    sim.finishTask(api.id, 'TASK_KILLED')
    const state = JSON.parse((await get(sim, '/mesos/master/state')).body)
    const marathon = state.frameworks.find((f: {name: string}) => f.name === 'marathon')
    assert.ok(marathon.completed_tasks.some((t: {id: string; state: string}) => t.id === api.id && t.state === 'TASK_KILLED'))
    const found = await get(sim, `/system/v1/logs/v2/task/${api.id}/file/stdout?cursor=END&skip=-1`)
    assert.equal(found.status, 303)
  })
})

describe('sim: version modes', () => {
  test('1.10 has v1 (with journald task logs) but no v2; 1.8 only the files API', async () => {
    const old = await startSim({dcosVersion: '1.10'})
    try {
      assert.equal((await get(old, '/system/v1/logs/v2/component')).body, '404 page not found\n')
      const range = await get(old, '/system/v1/logs/v1/range/?skip_prev=2', {Accept: 'text/plain'})
      assert.equal(range.status, 200)
      assert.equal(range.headers.get('x-journal-skip-prev'), '2')
      const task = old.tasks().find((t) => t.name === 'web') as SimTask
      const lines = await get(old, `/system/v1/agent/${task.agentId}/logs/v1/range/framework/${task.frameworkId}/executor/${task.executorId}/container/${task.containerId}?skip_prev=3&filter=STREAM:STDOUT`, {Accept: 'application/json'})
      assert.equal(lines.body.trim().split('\n').length, 3)
      const version = JSON.parse((await get(old, '/dcos-metadata/dcos-version.json')).body)
      assert.equal(version['dcos-variant'], undefined)
    } finally {
      await old.close()
    }
    const oldest = await startSim({dcosVersion: '1.8'})
    try {
      assert.equal((await get(oldest, '/system/v1/logs/v1/range/')).type, 'text/html')
      const state = JSON.parse((await get(oldest, '/mesos/master/state')).body)
      assert.equal(state.frameworks[0].tasks[0].statuses[0].container_status, undefined, 'Mesos 1.0 statuses carry no container id')
      const agentState = JSON.parse((await get(oldest, `/agent/${state.slaves[0].id}/state`)).body)
      assert.match(agentState.frameworks[0].executors[0].directory, /^\/var\/lib\/mesos\/slave\/slaves\//)
    } finally {
      await oldest.close()
    }
  })
})

describe('sim: auth', () => {
  let sim: Sim
  before(async () => {
    sim = await startSim({auth: true})
  })
  after(() => sim.close())

  test('401 acsjwt without a known token, 403 without the permission, dcos-version.json open', async () => {
    assert.equal((await get(sim, '/dcos-metadata/dcos-version.json')).status, 200)
    const missing = await get(sim, '/mesos/master/state')
    assert.equal(missing.status, 401)
    assert.equal(missing.headers.get('www-authenticate'), 'acsjwt')
    assert.equal((await get(sim, '/mesos/master/state', {Authorization: 'token=forged'})).status, 401)
    const narrow = sim.issueToken('reader', {permissions: ['dcos:adminrouter:ops:mesos']})
    assert.equal((await get(sim, '/mesos/master/state', {Authorization: `token=${narrow}`})).status, 200)
    assert.equal((await get(sim, '/system/v1/logs/v2/component', {Authorization: `token=${narrow}`})).status, 403)
    const expired = sim.issueToken('old', {expiresInSec: -1})
    assert.equal((await get(sim, '/mesos/master/state', {Authorization: `token=${expired}`})).status, 401)
  })

  test('dcos-log itself wants `token=`: Bearer passes Admin Router but not the task routes', async () => {
    const token = sim.issueToken('bootstrapuser')
    const task = sim.tasks().find((t) => t.name === 'web') as SimTask
    const bearer = await get(sim, agentRoute(task), {Authorization: `Bearer ${token}`})
    assert.equal(bearer.status, 401)
    assert.equal(bearer.body, 'unable to get authorization header from a request\n')
    assert.equal((await get(sim, agentRoute(task), {Authorization: `token=${token}`})).status, 200)
  })

  test('login with uid/password and with a service account RS256 token', async () => {
    const login = (body: unknown) => fetch(`${sim.url}/acs/api/v1/auth/login`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
    const ok = await login({uid: 'bootstrapuser', password: 'deleteme'})
    assert.equal(ok.status, 200)
    const {token} = (await ok.json()) as {token: string}
    assert.equal((await get(sim, '/mesos/master/state', {Authorization: `token=${token}`})).status, 200)
    const bad = await login({uid: 'bootstrapuser', password: 'nope'})
    assert.equal(bad.status, 401)
    assert.ok(((await bad.json()) as {description: string}).description)
    const {publicKey, privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    sim.addServiceAccount('robot', publicKey.export({type: 'spki', format: 'pem'}) as string)
    const jwt = await new SignJWT({uid: 'robot'}).setProtectedHeader({alg: 'RS256'}).setExpirationTime('5m').sign(privateKey)
    assert.equal((await login({uid: 'robot', token: jwt})).status, 200)
    const providers = JSON.parse((await get(sim, '/acs/api/v1/auth/providers')).body)
    assert.equal(providers['dcos-users']['authentication-type'], 'dcos-uid-password')
  })
})
