/**
 * The simulated cluster answers the request sequences the OFFICIAL DC/OS CLI makes (issue 3), replayed over
 * real sockets with node:http, not through dcos-ts: methods, paths, raw query strings (unencoded where the
 * Go CLI does not encode), the headers each client sends, and redirects followed the way each HTTP client
 * does (Go: 301/302/303 become a GET on the same host with the headers copied). Sources:
 * ../shared/reference/dcos-cli-behaviour.md §1.2, §1.4–1.6, §2.2, §3.2–3.3, §5.6 and mesos-api.md §4–§5;
 * dcos-core-cli pkg/mesos/client.go (GET_AGENTS in protobuf), pkg/cmd/node/node_list_components.go
 * (Mesos-DNS leader lookup), dcos-cli pkg/setup/setup.go (HEAD / for the canonical URL, /mesos/state-summary).
 */
import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'
import {request, type IncomingHttpHeaders, type IncomingMessage} from 'node:http'
import {after, before, describe, test} from 'node:test'
import {SignJWT} from 'jose'
import {DEFAULT_USER, startSim, type Sim, type SimTask} from '../../src/sim/index.js'

const GO_HEADERS = {'User-Agent': 'dcos-cli/1.2.0 linux', 'Accept-Encoding': 'gzip'}
/** r3labs/sse's request headers (dcos-core-cli vendor/github.com/r3labs/sse/client.go). */
const SSE_HEADERS = {Accept: 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive'}
/** python-requests' defaults plus dcos.http's `Accept: application/json` when the caller gives no headers. */
const PYTHON_HEADERS = {'User-Agent': 'python-requests/2.20.0', 'Accept-Encoding': 'gzip, deflate', Connection: 'keep-alive'}
const CAPABILITIES_TYPE = 'application/vnd.dcos.capabilities+json;charset=utf-8;version=v1'
/** go-marathon's headers on every call. */
const MARATHON_HEADERS = {'Content-Type': 'application/json', Accept: 'application/json'}

type HeaderMap = Record<string, string>

interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
}

interface GoReply extends Reply {
  /** Each redirect answered on the way: status and Location. */
  hops: Array<{status: number; location: string}>
}

/** One request on its own socket; the path goes out byte for byte as given. */
function open(sim: Sim, method: string, path: string, headers: HeaderMap, body?: Buffer | string): Promise<IncomingMessage> {
  const {port} = new URL(sim.url)
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, method, path, headers, agent: false}, resolve)
    req.on('error', reject)
    req.end(body)
  })
}

async function collect(res: IncomingMessage): Promise<Reply> {
  const chunks: Buffer[] = []
  for await (const chunk of res) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  return {status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString()}
}

async function send(sim: Sim, method: string, path: string, headers: HeaderMap, body?: Buffer | string): Promise<Reply> {
  return collect(await open(sim, method, path, headers, body))
}

/**
 * Go's http.Client: up to 10 redirects; 301/302/303 re-issue a GET without a body, 307/308 repeat the
 * request; every header is copied (the redirects here stay on the same host, so Authorization is kept).
 */
async function goOpen(sim: Sim, method: string, path: string, headers: HeaderMap, body?: Buffer): Promise<{res: IncomingMessage; hops: GoReply['hops']}> {
  const hops: GoReply['hops'] = []
  let current = {method, path, body}
  for (;;) {
    const res = await open(sim, current.method, current.path, {...GO_HEADERS, ...headers}, current.body)
    const location = res.headers.location
    if (![301, 302, 303, 307, 308].includes(res.statusCode ?? 0) || location === undefined) return {res, hops}
    res.resume()
    hops.push({status: res.statusCode as number, location})
    assert.ok(hops.length <= 10, 'stopped after 10 redirects')
    const next = location.startsWith('/') ? location : (({pathname, search}) => pathname + search)(new URL(location, sim.url))
    current = (res.statusCode as number) <= 303 ? {method: method === 'HEAD' ? 'HEAD' : 'GET', path: next, body: undefined} : {...current, path: next}
  }
}

async function goSend(sim: Sim, method: string, path: string, headers: HeaderMap = {}, body?: Buffer): Promise<GoReply> {
  const {res, hops} = await goOpen(sim, method, path, headers, body)
  return {...(await collect(res)), hops}
}

interface SseEvent {
  id?: string
  data: string
}

/**
 * Reads an event stream the way r3labs/sse splits it (blank-line separated; `id:`/`data:` lines, `:` comments
 * dropped) until `until` holds, the server closes (eof) or the connection breaks (error).
 */
async function readEvents(res: IncomingMessage, until: (events: SseEvent[]) => boolean): Promise<{events: SseEvent[]; ended: 'done' | 'eof' | 'error'}> {
  const events: SseEvent[] = []
  let buffer = ''
  try {
    for await (const chunk of res) {
      buffer += (chunk as Buffer).toString()
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event: SseEvent = {data: ''}
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) event.id = line.slice(4)
          else if (line.startsWith('data: ')) event.data += line.slice(6)
        }
        if (event.data !== '') events.push(event)
      }
      if (until(events)) {
        res.destroy()
        return {events, ended: 'done'}
      }
    }
    return {events, ended: 'eof'}
  } catch {
    return {events, ended: 'error'}
  }
}

/** Field number -> values of one protobuf message (varints as numbers, length-delimited fields as bytes). */
function protoFields(message: Buffer): Map<number, Array<number | Buffer>> {
  const fields = new Map<number, Array<number | Buffer>>()
  let at = 0
  const varint = () => {
    let value = 0
    for (let shift = 1; ; shift *= 128) {
      const byte = message[at++]
      value += (byte & 0x7f) * shift
      if (byte < 0x80) return value
    }
  }
  while (at < message.length) {
    const key = varint()
    let value: number | Buffer
    if (key % 8 === 0) value = varint()
    else if (key % 8 === 2) {
      const length = varint()
      value = message.subarray(at, at + length)
      at += length
    } else return assert.fail(`unexpected wire type in key ${key}`)
    fields.set(Math.floor(key / 8), [...(fields.get(Math.floor(key / 8)) ?? []), value])
  }
  return fields
}

const sub = (message: Buffer, field: number): Buffer[] => (protoFields(message).get(field) ?? []) as Buffer[]

/** The agents of a GET_AGENTS protobuf Response as the Go CLI reads them: (id, hostname). */
function protobufAgents(response: Buffer): Array<{id: string; hostname: string}> {
  assert.deepEqual(protoFields(response).get(1), [9], 'Response.type is GET_AGENTS')
  return sub(sub(response, 10)[0], 1).map((agent) => {
    const info = sub(agent, 1)[0]
    return {id: sub(sub(info, 6)[0], 1)[0].toString(), hostname: sub(info, 1)[0].toString()}
  })
}

/** The serialised master.Call{type: GET_AGENTS} proto.Marshal produces (field 1, varint 10). */
const GET_AGENTS_CALL = Buffer.from([0x08, 0x0a])

interface MasterState {
  frameworks: Array<{id: string; tasks: Array<{id: string; name: string}>; completed_tasks: Array<{id: string}>}>
  slaves: Array<{id: string; hostname: string}>
}

function discoveryPath(taskId: string, query = '?cursor=END&skip=-10'): string {
  return `/system/v1/logs/v2/task/${taskId}/file/stdout${query}`
}

function agentLocation(task: SimTask, query: string): string {
  const tasks = task.isPod ? `/tasks/${task.id}` : ''
  return `/system/v1/agent/${task.agentId}/logs/v2/task/frameworks/${task.frameworkId}/executors/${task.executorId}/runs/${task.parentContainerId ?? task.containerId}${tasks}/stdout${query}`
}

function jsonLines(text: string): Array<{fields: Record<string, string>; cursor: string; realtime_timestamp: number}> {
  return text.trimEnd().split('\n').map((line) => JSON.parse(line))
}

describe('the Go CLI (dcos-core-cli 2.2) against a simulated DC/OS 2.2', () => {
  let sim: Sim
  let state: MasterState
  const token = {Authorization: 'token=any-token'}
  before(async () => {
    sim = await startSim({seed: 5, filePollMs: 20, pingFirstMs: 60_000})
    state = JSON.parse((await goSend(sim, 'GET', '/mesos/master/state', token)).text)
  })
  after(() => sim.close())

  const task = (id: string) => sim.tasks().find((t) => t.id === id) as SimTask

  test('task log <pattern>: master state, then one 303 -> 200 text/plain read per matching task', async () => {
    const stateReply = await goSend(sim, 'GET', '/mesos/master/state', token)
    assert.equal(stateReply.status, 200)
    assert.equal(stateReply.headers['content-type'], 'application/json')
    // findTasks: running tasks whose ID contains the argument (or that match it as a glob).
    const matches = state.frameworks.flatMap((fw) => fw.tasks).filter((t) => t.id.includes('web')).map((t) => t.id)
    assert.equal(matches.length, 4, 'two web instances and the two containers of the pod-web pod')
    for (const [n, id] of matches.entries()) sim.appendLines(id, Array.from({length: 10}, (_, line) => `task ${n} line ${line + 1}`))
    for (const [n, id] of matches.entries()) {
      const reply = await goSend(sim, 'GET', discoveryPath(id), {...token, Accept: 'text/plain'})
      assert.deepEqual(reply.hops, [{status: 303, location: agentLocation(task(id), '?cursor=END&skip=-10')}])
      assert.equal(reply.status, 200)
      assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8')
      assert.equal(reply.text, Array.from({length: 10}, (_, line) => `task ${n} line ${line + 1}\n`).join(''))
    }
    const agentHop = sim.requests.findLast((r) => r.url.startsWith('/system/v1/agent/'))
    assert.equal(agentHop?.headers.accept, 'text/plain', 'Accept survives the redirect')
    assert.equal(agentHop?.headers.authorization, 'token=any-token', 'so does Authorization (same host)')
  })

  test('discovery given an ambiguous name answers 500 text: an ID shared by two frameworks, or a running-only pattern', async () => {
    // `task log probe --completed`: the same ID in two completed frameworks; the CLI sends it as is.
    const twice = await goSend(sim, 'GET', discoveryPath('probe'), {...token, Accept: 'text/plain'})
    assert.equal(twice.status, 500)
    assert.equal(twice.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(twice.text, 'unable to get canonical task ID: found more then 1 task with name probe: [probe probe]\n')
    assert.deepEqual(twice.hops, [])
    // A pattern matching several running tasks fails the first pass; the completed pass's error is reported.
    const pattern = await goSend(sim, 'GET', discoveryPath('web'), {...token, Accept: 'text/plain'})
    assert.equal(pattern.status, 500)
    assert.equal(pattern.text, 'unable to get canonical task ID: task not found\n')
  })

  test('task log --follow: SSE through the 303, cut by a reset, resumed with Last-Event-ID (nothing lost or twice)', async () => {
    const web = sim.tasks().find((t) => t.name === 'web') as SimTask
    const before = Array.from({length: 10}, (_, n) => `follow ${n + 1}`)
    sim.appendLines(web.id, before)
    sim.inject({kind: 'end-stream', afterEvents: 3, mode: 'reset', match: 'task-stream'})
    const first = await goOpen(sim, 'GET', discoveryPath(web.id), {...token, ...SSE_HEADERS})
    assert.equal(first.hops[0].status, 303)
    assert.equal(first.res.statusCode, 200)
    assert.equal(first.res.headers['content-type'], 'text/event-stream')
    const cut = await readEvents(first.res, () => false)
    assert.equal(cut.ended, 'error')
    assert.equal(cut.events.length, 3)
    const data = JSON.parse(cut.events[0].data) as {fields: Record<string, string>}
    assert.deepEqual(Object.keys(data), ['fields'], 'task events carry no realtime_timestamp')
    assert.deepEqual(Object.keys(data.fields), ['AGENT_ID', 'CONTAINER_ID', 'EXECUTOR_ID', 'FILE', 'FRAMEWORK_ID', 'MESSAGE'])
    assert.equal(data.fields.FILE, 'stdout')
    const lastId = cut.events[2].id as string
    assert.match(lastId, /^\d+$/, 'a byte offset')

    sim.appendLines(web.id, ['after the cut'])
    // r3labs reconnects to the same URL, adding Last-Event-ID; Go's redirect keeps it.
    const again = await goOpen(sim, 'GET', discoveryPath(web.id), {...token, ...SSE_HEADERS, 'Last-Event-ID': lastId})
    assert.equal(again.res.statusCode, 200)
    const rest = await readEvents(again.res, (events) => events.some((e) => e.data.includes('after the cut')))
    const messages = [...cut.events, ...rest.events].map((e) => (JSON.parse(e.data) as {fields: {MESSAGE: string}}).fields.MESSAGE)
    assert.deepEqual(messages, [...before, 'after the cut'])
    const resumed = sim.requests.findLast((r) => r.url.startsWith('/system/v1/agent/'))
    assert.equal(resumed?.headers['last-event-id'], lastId)
    assert.equal(resumed?.headers['cache-control'], 'no-cache')
  })

  test('node log --leader: component range as application/json, one journal entry per line', async () => {
    const reply = await goSend(sim, 'GET', '/system/v1/leader/mesos/logs/v2/component?skip=-10', {...token, Accept: 'application/json'})
    assert.equal(reply.status, 200)
    assert.equal(reply.headers['content-type'], 'application/json')
    const entries = jsonLines(reply.text)
    assert.equal(entries.length, 10)
    for (const entry of entries) {
      assert.equal(typeof entry.fields.MESSAGE, 'string')
      assert.match(entry.cursor, /^s=[0-9a-f]+;i=[0-9a-f]+;b=[0-9a-f]+;m=[0-9a-f]+;t=[0-9a-f]+;x=[0-9a-f]+$/)
      assert.equal(typeof entry.realtime_timestamp, 'number')
    }
  })

  test('node log <agent> --component --filter: GET_AGENTS in protobuf, then the agent component route', async () => {
    const agents = await goSend(sim, 'POST', '/mesos/api/v1', {...token, 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf'}, GET_AGENTS_CALL)
    assert.equal(agents.status, 200)
    assert.equal(agents.headers['content-type'], 'application/x-protobuf')
    const listed = protobufAgents(agents.body)
    assert.deepEqual(listed.map((a) => a.id), state.slaves.map((s) => s.id))
    assert.deepEqual(listed.map((a) => a.hostname), state.slaves.map((s) => s.hostname))
    const agent = listed[0].id

    // `--component mesos-agent --filter key1:value1`: DC/OS has no mesos-agent.service, so nothing matches.
    const none = await goSend(sim, 'GET', `/system/v1/agent/${agent}/logs/v2/component/mesos-agent.service?skip=-10&filter=key1:value1`, {...token, Accept: 'application/json'})
    assert.equal(none.status, 204, 'the CLI prints "no logs found"')
    assert.equal(none.text, '')
    assert.ok(sim.requests.some((r) => r.url.endsWith('?skip=-10&filter=key1:value1')), 'the filter went out unencoded')

    const unit = 'dcos-mesos-slave.service'
    const some = await goSend(sim, 'GET', `/system/v1/agent/${agent}/logs/v2/component/${unit}?skip=-5&filter=SYSLOG_IDENTIFIER:mesos-agent`, {...token, Accept: 'application/json'})
    assert.equal(some.status, 200)
    assert.equal(some.headers['content-type'], 'application/json')
    for (const entry of jsonLines(some.text)) assert.ok(entry.fields._SYSTEMD_UNIT === unit || entry.fields.SYSLOG_IDENTIFIER === 'mesos-agent')
  })

  test('node log <agent> --follow: journal cursors as event ids; the reconnect repeats the URL, so skip applies again', async () => {
    const agent = state.slaves[1].id
    const unit = 'dcos-official-cli.service'
    const messagesOf = (events: SseEvent[]) => events.map((e) => (JSON.parse(e.data) as {fields: {MESSAGE: string}}).fields.MESSAGE)
    sim.addJournal(agent, [{unit, message: 'one'}, {unit, message: 'two'}, {unit, message: 'three'}])
    sim.inject({kind: 'end-stream', afterEvents: 2, mode: 'close', match: 'component-stream'})
    const path = `/system/v1/agent/${agent}/logs/v2/component/${unit}`
    const first = await goOpen(sim, 'GET', `${path}?skip=-3`, {...token, ...SSE_HEADERS})
    assert.equal(first.res.statusCode, 200)
    assert.equal(first.res.headers['content-type'], 'text/event-stream')
    const closed = await readEvents(first.res, () => false)
    assert.equal(closed.ended, 'eof')
    assert.deepEqual(messagesOf(closed.events), ['one', 'two'])
    for (const event of closed.events) assert.equal(event.id, (JSON.parse(event.data) as {cursor: string}).cursor)
    sim.addJournal(agent, [{unit, message: 'four'}])
    const resume = {...token, ...SSE_HEADERS, 'Last-Event-ID': closed.events[1].id as string}
    // r3labs reuses the URL: the real server applies skip=-3 from the cursor, so old entries come again.
    const again = await goOpen(sim, 'GET', `${path}?skip=-3`, resume)
    assert.deepEqual(messagesOf((await readEvents(again.res, (events) => events.some((e) => e.data.includes('"four"')))).events), ['one', 'two', 'three', 'four'])
    // Without skip the cursor alone resumes strictly after the last entry received.
    const exact = await goOpen(sim, 'GET', path, resume)
    assert.deepEqual(messagesOf((await readEvents(exact.res, (events) => events.some((e) => e.data.includes('"four"')))).events), ['three', 'four'])
  })

  test('node list-components: leader IP from Mesos-DNS (or an agent from GET_AGENTS), then its units', async () => {
    const leader = await goSend(sim, 'GET', '/mesos_dns/v1/hosts/leader.mesos', token)
    assert.equal(leader.status, 200)
    const hosts = JSON.parse(leader.text) as Array<{host: string; ip: string}>
    assert.deepEqual(hosts.map((h) => h.host), ['leader.mesos.'])
    const units = await goSend(sim, 'GET', `/system/health/v1/nodes/${hosts[0].ip}/units`, token)
    assert.equal(units.status, 200)
    assert.equal(units.headers['content-type'], 'application/json')
    const ids = (JSON.parse(units.text) as {units: Array<{id: string}>}).units.map((u) => u.id)
    assert.ok(ids.includes('dcos-mesos-master.service') && ids.includes('dcos-marathon.service'))

    const agents = await goSend(sim, 'POST', '/mesos/api/v1', {...token, 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf'}, GET_AGENTS_CALL)
    const agentIp = protobufAgents(agents.body)[0].hostname
    const agentUnits = JSON.parse((await goSend(sim, 'GET', `/system/health/v1/nodes/${agentIp}/units`, token)).text) as {units: Array<{id: string}>}
    assert.ok(agentUnits.units.some((u) => u.id === 'dcos-mesos-slave.service'))
  })

  test('service log <name>: Marathon apps by package label, the single task, then its task log', async () => {
    const apps = await goSend(sim, 'GET', '/service/marathon/v2/apps', {...token, ...MARATHON_HEADERS})
    assert.equal(apps.status, 200)
    assert.equal(apps.headers['content-type'], 'application/json')
    const labelled = (JSON.parse(apps.text) as {apps: Array<{id: string; labels: Record<string, string>}>}).apps.filter((a) => a.labels.DCOS_PACKAGE_FRAMEWORK_NAME === 'hello-world')
    assert.deepEqual(labelled.map((a) => a.id), ['/hello-world'])
    // go-marathon trims the leading slash: v2/apps/<id>.
    const app = await goSend(sim, 'GET', '/service/marathon/v2/apps/hello-world', {...token, ...MARATHON_HEADERS})
    assert.equal(app.status, 200)
    const tasks = (JSON.parse(app.text) as {app: {tasks: Array<{id: string}>}}).app.tasks
    assert.equal(tasks.length, 1, 'exactly one task, or the CLI refuses')
    sim.appendLines(tasks[0].id, ['scheduler says hi'])
    const log = await goSend(sim, 'GET', discoveryPath(tasks[0].id), {...token, Accept: 'text/plain'})
    assert.equal(log.hops[0]?.status, 303)
    assert.equal(log.status, 200)
    assert.ok(log.text.endsWith('scheduler says hi\n'))
  })

  test('service log marathon: /net/v1/nodes and the Marathon leader give the base, then the marathon unit', async () => {
    const [nodes, leader] = await Promise.all([
      goSend(sim, 'GET', '/net/v1/nodes', token),
      goSend(sim, 'GET', '/service/marathon/v2/leader', {...token, ...MARATHON_HEADERS}),
    ])
    assert.equal(nodes.status, 200)
    assert.equal(leader.status, 200)
    const marathonIp = (JSON.parse(leader.text) as {leader: string}).leader.split(':')[0]
    const publicIps = new Map((JSON.parse(nodes.text) as Array<{private_ip: string; public_ips: string[]}>).map((n) => [n.private_ip, n.public_ips]))
    // The CLI then talks to <scheme>://<first public IP> (port 80 for a real cluster; the sim's port here).
    assert.equal(publicIps.get(marathonIp)?.[0], new URL(sim.url).hostname)
    const reply = await goSend(sim, 'GET', '/system/v1/leader/mesos/logs/v2/component/dcos-marathon.service?skip=-10', {...token, Accept: 'application/json'})
    assert.equal(reply.status, 200)
    assert.equal(reply.headers['content-type'], 'application/json')
    const entries = jsonLines(reply.text)
    assert.equal(entries.length, 10)
    for (const entry of entries) assert.ok(entry.fields._SYSTEMD_UNIT === 'dcos-marathon.service' || entry.fields.UNIT === 'dcos-marathon.service')
  })

  test('Python capability probe: /capabilities twice per check (LOGGING_V2 on 1.11+), ui-config.json', async () => {
    const probe = () => send(sim, 'GET', '/capabilities', {...PYTHON_HEADERS, ...token, Accept: CAPABILITIES_TYPE, 'Content-Type': CAPABILITIES_TYPE})
    for (const reply of [await probe(), await probe()]) {
      assert.equal(reply.status, 200)
      assert.ok(String(reply.headers['content-type']).includes(CAPABILITIES_TYPE), 'Python requires the Accept value in Content-Type')
      const names = (JSON.parse(reply.text) as {capabilities: Array<{name: string}>}).capabilities.map((c) => c.name)
      assert.ok(names.includes('LOGGING_V2') && names.includes('LOGGING'))
    }
    const ui = await send(sim, 'GET', '/dcos-metadata/ui-config.json', {...PYTHON_HEADERS, ...token, Accept: 'application/json'})
    assert.equal(ui.status, 200)
    assert.equal(ui.headers['content-type'], 'application/json')
    assert.equal((JSON.parse(ui.text) as {uiConfiguration: {plugins: {mesos: Record<string, string>}}}).uiConfiguration.plugins.mesos['logging-strategy'], 'logrotate')
  })

  test('files-API fallback over /agent/<id>/files/read: offset=-1 for the size, then windowed reads', async () => {
    const api = sim.tasks().find((t) => t.name === 'api' && t.state === 'TASK_RUNNING') as SimTask
    const tail = Array.from({length: 10}, (_, n) => `files api ${n + 1}`)
    sim.appendLines(api.id, tail)
    const lines = await pythonTail(sim, `/agent/${api.agentId}`, 'files/read', api, {...PYTHON_HEADERS, ...token, Accept: 'application/json'})
    assert.deepEqual(lines, tail)
    const gone = await send(sim, 'GET', `/agent/${api.agentId}/files/read.json?path=%2Ftmp&offset=-1`, {...PYTHON_HEADERS, ...token})
    assert.equal(gone.status, 404, 'the .json aliases are gone from Mesos 1.7 (DC/OS 1.12)')
  })
})

/**
 * The Python CLI's files-API tail (dcos/mesos.py MesosFile, dcoscli/log.py `_read_last_lines`): the agent's
 * state for the executor directory, a size probe (`length=0&offset=-1`), then 200 bytes × N windows read
 * backwards and each read forward until the window is full or a read comes back empty.
 */
async function pythonTail(sim: Sim, agentBase: string, readRoute: string, task: SimTask, headers: HeaderMap, lines = 10): Promise<string[]> {
  const agentState = await send(sim, 'GET', `${agentBase}/state`, headers)
  assert.equal(agentState.status, 200)
  type Executor = {type?: string; directory: string; tasks: Array<{id: string}>; completed_tasks: Array<{id: string}>}
  const {frameworks, completed_frameworks} = JSON.parse(agentState.text) as {frameworks: Array<{executors: Executor[]; completed_executors: Executor[]}>; completed_frameworks: typeof frameworks}
  const executor = [...frameworks, ...completed_frameworks]
    .flatMap((fw) => [...fw.executors, ...fw.completed_executors])
    .find((e) => [...e.tasks, ...e.completed_tasks].some((t) => t.id === task.id)) as Executor
  const file = `${executor.directory}${executor.type === 'DEFAULT' ? `/tasks/${task.id}/` : '/'}stdout`
  const read = async (length: number, offset: number) => {
    // requests' urlencode: the path's slashes travel as %2F, in the dict's order path, length, offset.
    const reply = await send(sim, 'GET', `${agentBase}/${readRoute}?path=${encodeURIComponent(file)}&length=${length}&offset=${offset}`, headers)
    assert.equal(reply.status, 200, reply.text)
    assert.equal(reply.headers['content-type'], 'application/json')
    return JSON.parse(reply.text) as {data: string; offset: number}
  }
  const size = (await read(0, -1)).offset
  assert.ok(size > 0)
  const window = 200 * lines
  let cursor = Math.max(0, size - window)
  let data = ''
  while (data.length < window) {
    const chunk = (await read(window - data.length, cursor)).data
    if (chunk === '') break
    data += chunk
    cursor += Buffer.byteLength(chunk)
  }
  return data.replace(/\n$/, '').split('\n').slice(-lines)
}

describe('dcos auth login and dcos cluster setup against a simulated cluster with auth', () => {
  let sim: Sim
  before(async () => {
    sim = await startSim({seed: 6, auth: true})
  })
  after(() => sim.close())

  /** sniffAuth, provider discovery, then the uid/password login; returns the ACS token. */
  async function login(): Promise<string> {
    const challenge = await goSend(sim, 'HEAD', '/pkgpanda/active.buildinfo.full.json')
    assert.equal(challenge.status, 401)
    assert.equal(challenge.headers['www-authenticate'], 'acsjwt')
    assert.equal(challenge.text, '', 'no body on HEAD')
    const providers = await goSend(sim, 'GET', '/acs/api/v1/auth/providers')
    assert.equal(providers.status, 200)
    assert.equal(providers.headers['content-type'], 'application/json')
    const users = (JSON.parse(providers.text) as Record<string, {'authentication-type': string; config: {start_flow_url: string}}>)['dcos-users']
    assert.equal(users['authentication-type'], 'dcos-uid-password')
    const body = Buffer.from(JSON.stringify({uid: DEFAULT_USER.uid, password: DEFAULT_USER.password}))
    const reply = await goSend(sim, 'POST', users.config.start_flow_url, {'Content-Type': 'application/json'}, body)
    assert.equal(reply.status, 200)
    assert.equal(reply.headers['content-type'], 'application/json')
    const {token} = JSON.parse(reply.text) as {token: string}
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT')
    return token
  }

  test('auth login with a password: 401 challenge, providers, login; the token then opens every route', async () => {
    const token = await login()
    const auth = {Authorization: `token=${token}`}
    assert.equal((await goSend(sim, 'HEAD', '/pkgpanda/active.buildinfo.full.json', auth)).status, 200, 'the token check')
    const state = await goSend(sim, 'GET', '/mesos/master/state', auth)
    assert.equal(state.status, 200)
    const web = sim.tasks().find((t) => t.name === 'web') as SimTask
    const log = await goSend(sim, 'GET', discoveryPath(web.id), {...auth, Accept: 'text/plain'})
    assert.deepEqual([log.hops[0]?.status, log.status], [303, 200])
    const capabilities = await send(sim, 'GET', '/capabilities', {...PYTHON_HEADERS, Accept: CAPABILITIES_TYPE, 'Content-Type': CAPABILITIES_TYPE})
    assert.equal(capabilities.status, 401, 'Cosmos sits behind Admin Router auth')
    const ui = await send(sim, 'GET', '/dcos-metadata/ui-config.json', PYTHON_HEADERS)
    assert.equal(ui.status, 200, 'the UI configuration is public')
  })

  test('a wrong password answers the IAM error document the CLI shows the description of', async () => {
    const body = Buffer.from(JSON.stringify({uid: DEFAULT_USER.uid, password: 'nope'}))
    const reply = await goSend(sim, 'POST', '/acs/api/v1/auth/login', {'Content-Type': 'application/json'}, body)
    assert.equal(reply.status, 401)
    const error = JSON.parse(reply.text) as {title: string; description: string; code: string}
    assert.deepEqual(Object.keys(error).sort(), ['code', 'description', 'title'])
  })

  test('auth login with a service account: an RS256 login JWT {uid, exp} exchanged for a token', async () => {
    const {publicKey, privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    sim.addServiceAccount('log-reader', publicKey.export({type: 'spki', format: 'pem'}).toString())
    const loginToken = await new SignJWT({uid: 'log-reader'})
      .setProtectedHeader({alg: 'RS256', typ: 'JWT'})
      .setExpirationTime(Math.floor(Date.now() / 1000) + 5 * 60)
      .sign(privateKey)
    const body = Buffer.from(JSON.stringify({uid: 'log-reader', token: loginToken}))
    const reply = await goSend(sim, 'POST', '/acs/api/v1/auth/login', {'Content-Type': 'application/json'}, body)
    assert.equal(reply.status, 200)
    const {token} = JSON.parse(reply.text) as {token: string}
    assert.equal((await goSend(sim, 'GET', '/mesos/master/state', {Authorization: `token=${token}`})).status, 200)
  })

  test('cluster setup: HEAD / (canonical URL), login, /metadata, /mesos/state-summary, dcos-version.json', async () => {
    const canonical = await goSend(sim, 'HEAD', '/')
    assert.equal(canonical.status, 200, 'any other status fails the setup')
    const auth = {Authorization: `token=${await login()}`}
    const metadata = await goSend(sim, 'GET', '/metadata', auth)
    assert.equal(metadata.status, 200)
    assert.match((JSON.parse(metadata.text) as {CLUSTER_ID: string}).CLUSTER_ID, /^[0-9a-f-]{36}$/)
    for (const path of ['/mesos/state-summary', '/mesos/master/state-summary']) {
      const summary = await goSend(sim, 'GET', path, auth)
      assert.equal(summary.status, 200)
      assert.equal((JSON.parse(summary.text) as {cluster: string}).cluster, 'sim', 'the cluster name')
    }
    const version = JSON.parse((await goSend(sim, 'GET', '/dcos-metadata/dcos-version.json', auth)).text) as Record<string, string>
    assert.equal(version.version, '2.2.5')
    assert.equal(version['dcos-variant'], 'open')
  })
})

describe('the Python CLI on a simulated DC/OS 1.10: LOGGING without LOGGING_V2, journald strategy -> logging v1', () => {
  let sim: Sim
  before(async () => {
    sim = await startSim({seed: 7, dcosVersion: '1.10'})
  })
  after(() => sim.close())

  test('capabilities, ui-config, then the v1 range of a task stream', async () => {
    const capabilities = await send(sim, 'GET', '/capabilities', {...PYTHON_HEADERS, Accept: CAPABILITIES_TYPE, 'Content-Type': CAPABILITIES_TYPE})
    const names = (JSON.parse(capabilities.text) as {capabilities: Array<{name: string}>}).capabilities.map((c) => c.name)
    assert.ok(names.includes('LOGGING') && !names.includes('LOGGING_V2'))
    const ui = JSON.parse((await send(sim, 'GET', '/dcos-metadata/ui-config.json', {...PYTHON_HEADERS, Accept: 'application/json'})).text)
    assert.equal(ui.uiConfiguration.plugins.mesos['logging-strategy'], 'journald')
    const web = sim.tasks().find((t) => t.name === 'web') as SimTask
    sim.appendLines(web.id, ['through the journal'])
    const container = web.parentContainerId === undefined ? web.containerId : `${web.parentContainerId}.${web.containerId}`
    const path = `/system/v1/agent/${web.agentId}/logs/v1/range/framework/${web.frameworkId}/executor/${web.executorId}/container/${container}?skip_prev=10&filter=STREAM:STDOUT`
    const range = await send(sim, 'GET', path, {...PYTHON_HEADERS, Accept: 'text/plain'})
    assert.equal(range.status, 200)
    assert.match(String(range.headers['content-type']), /^text\/plain/)
    assert.equal(range.text.trimEnd().split('\n').length, 10)
    assert.match(range.text, /: through the journal\n$/)
  })
})

describe('the Python CLI on a simulated DC/OS 1.8: no logging capability -> files API through /slave/<id>', () => {
  let sim: Sim
  before(async () => {
    sim = await startSim({seed: 8, dcosVersion: '1.8'})
  })
  after(() => sim.close())

  test('capabilities without LOGGING, then state, agent state and files/read.json windows', async () => {
    const capabilities = await send(sim, 'GET', '/capabilities', {...PYTHON_HEADERS, Accept: CAPABILITIES_TYPE, 'Content-Type': CAPABILITIES_TYPE})
    const names = (JSON.parse(capabilities.text) as {capabilities: Array<{name: string}>}).capabilities.map((c) => c.name)
    assert.ok(!names.includes('LOGGING') && !names.includes('LOGGING_V2'))
    const headers = {...PYTHON_HEADERS, Accept: 'application/json'}
    const state = await send(sim, 'GET', '/mesos/master/state', headers)
    assert.equal(state.status, 200)
    const web = sim.tasks().find((t) => t.name === 'web') as SimTask
    const tail = Array.from({length: 10}, (_, n) => `old cluster ${n + 1} /with/slashes`)
    sim.appendLines(web.id, tail)
    assert.deepEqual(await pythonTail(sim, `/slave/${web.agentId}`, 'files/read.json', web, headers), tail)
    assert.equal((await send(sim, 'GET', discoveryPath(web.id), {...headers, Accept: 'text/plain'})).status, 404, 'no logging API on 1.8')
  })
})
