/**
 * Bad input catalogue, part 2: a cluster that misbehaves. A small front on 127.0.0.1 passes every request
 * to the simulated cluster except the one a case spoils (state that is not JSON, an HTML 502, a redirect
 * loop, an event stream that is a web page, ...). Errors must reach the user as exactly one `Error: ` line
 * on stderr with the kind's exit code, never a stack trace. Odd bytes in a task's own log (invalid UTF-8,
 * NUL, a 10 MB line) are not errors: they are data, and the cases say what is printed instead.
 */
import assert from 'node:assert/strict'
import {createServer, request, type IncomingMessage, type ServerResponse} from 'node:http'
import {after, before, describe, test} from 'node:test'
import type {ErrorKind} from '../../src/errors.js'
import {startSim, type Sim, type SimTask} from '../../src/sim/index.js'
import {runCli, type CliResult} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'
import {assertOneLineError} from '../helpers/errors.js'
import {testServers} from '../helpers/servers.js'

/** One line, `Error: ` first, no stack trace, the kind's exit code. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void
/** Answers a request itself (true) or lets it through to the simulated cluster (false). */
type Spoiler = (req: IncomingMessage, res: ServerResponse) => boolean

let sim: Sim
let web: SimTask
const servers = testServers()

before(async () => {
  sim = await startSim()
  const found = sim.tasks().find((task) => task.name === 'web' && task.state === 'TASK_RUNNING')
  assert.ok(found)
  web = found
})
after(async () => {
  await sim.close()
})

const listen = (handler: Handler): Promise<string> => servers.listen(createServer(handler))

/** A front on its own port: the spoiler answers what it wants, everything else is the simulated cluster's. */
function front(spoil: Spoiler): Promise<string> {
  return listen((req, res) => {
    if (spoil(req, res)) return
    const upstream = new URL(sim.url)
    const forward = request({host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers}, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
}

const isState = (req: IncomingMessage) => (req.url ?? '').startsWith('/mesos/master/state')
const isTaskStream = (req: IncomingMessage) => /\/logs\/v2\/task\//.test(req.url ?? '') && req.headers.accept === 'text/event-stream'
const isComponent = (req: IncomingMessage, events: boolean) => /\/logs\/v2\/component/.test(req.url ?? '') && (req.headers.accept === 'text/event-stream') === events

/** Spoils requests matching `when` with a fixed answer. */
function answer(when: (req: IncomingMessage) => boolean, status: number, headers: Record<string, string>, body = ''): Spoiler {
  return (req, res) => {
    if (!when(req)) return false
    res.writeHead(status, headers)
    res.end(body)
    return true
  }
}

/** An event stream whose first event carries this data (and this id, if any), then stays open like dcos-log's. */
function events(when: (req: IncomingMessage) => boolean, data: string, id?: string): Spoiler {
  return (req, res) => {
    if (!when(req)) return false
    res.writeHead(200, {'Content-Type': 'text/event-stream'})
    res.write(`${id === undefined ? '' : `id: ${id}\n`}data: ${data}\n\n`)
    return true
  }
}

const JSON_TYPE = {'Content-Type': 'application/json'}
const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>openresty/1.15.8.2</center>\r\n</body>\r\n</html>\r\n'

interface ServerCase {
  name: string
  /** The front to run against; returns its URL. */
  cluster: () => Promise<string>
  args: () => string[]
  kind: ErrorKind
  message: RegExp
  env?: Record<string, string>
}

const taskLog = (...extra: string[]) => () => ['task', 'log', web.id, ...extra]
const taskList = () => ['task', 'list']

const CASES: ServerCase[] = [
  {
    name: 'a login page with 200 where master state belongs',
    cluster: () => front(answer(isState, 200, {'Content-Type': 'text/html'}, '<html><head><title>Sign in - Corp SSO</title></head><body>Welcome</body></html>')),
    args: taskList,
    kind: 'protocol',
    message: /^Error: reading master state: GET \/mesos\/master\/state: expected JSON, got an HTML page: Sign in - Corp SSO \(a proxy or a login page answered instead of the cluster; check the cluster URL\)\n/,
  },
  {
    name: 'master state that is not JSON',
    cluster: () => front(answer(isState, 200, JSON_TYPE, '{"frameworks": [tru')),
    args: taskList,
    kind: 'protocol',
    message: /^Error: the master state is not valid JSON at byte 19: it ends early\n/,
  },
  {
    name: 'master state without frameworks',
    cluster: () => front(answer(isState, 200, JSON_TYPE, '{"slaves":[],"version":"1.10.0"}')),
    args: taskList,
    kind: 'protocol',
    message: /^Error: master state has no frameworks\n/,
  },
  {
    name: 'master state with data after the document',
    cluster: () => front(answer(isState, 200, JSON_TYPE, '{"frameworks":[]} {"frameworks":[]}')),
    args: taskList,
    kind: 'protocol',
    message: /the master state is not valid JSON at byte 18/,
  },
  {
    name: 'an empty 200 for master state',
    cluster: () => front(answer(isState, 200, JSON_TYPE)),
    args: taskList,
    kind: 'protocol',
    message: /the master state is not valid JSON at byte 0: it ends early/,
  },
  {
    name: 'a 204 for master state',
    cluster: () => front(answer(isState, 204, {})),
    args: taskList,
    kind: 'protocol',
    message: /the master state is not valid JSON at byte 0: it ends early/,
  },
  {
    name: 'master state cut short (Content-Length not reached)',
    cluster: () =>
      front((req, res) => {
        if (!isState(req)) return false
        res.writeHead(200, {...JSON_TYPE, 'Content-Length': '1000'})
        res.write('{"frameworks":[{"id":"fw", "tasks":[')
        setTimeout(() => res.destroy(), 20)
        return true
      }),
    args: taskList,
    kind: 'network',
    message: /reading master state: GET \/mesos\/master\/state: connection to 127\.0\.0\.1:\d+ failed/,
  },
  {
    name: 'an HTML 502 page from the proxy',
    cluster: () => front(answer(isState, 502, {'Content-Type': 'text/html'}, NGINX_502)),
    args: taskList,
    kind: 'server',
    message: /^Error: reading master state: GET \/mesos\/master\/state: the cluster answered 502 Bad Gateway: 502 Bad Gateway\n/,
  },
  {
    name: 'a JSON 500 with its own description',
    cluster: () => front(answer(isState, 500, JSON_TYPE, '{"code":500,"description":"master is\\nrecovering"}')),
    args: taskList,
    kind: 'server',
    message: /the cluster answered 500 Internal Server Error: master is recovering\n/,
  },
  {
    name: 'a 404 page for master state',
    cluster: () => front(answer(isState, 404, {'Content-Type': 'text/html'}, '<html><head><title>404 Not Found</title></head></html>')),
    args: taskList,
    kind: 'not-found',
    message: /GET \/mesos\/master\/state: not found \(404 Not Found\): 404 Not Found/,
  },
  {
    name: 'a 303 to another host, which refuses the request without the token',
    cluster: async () => {
      const other = await listen((req, res) => {
        res.writeHead(req.headers.authorization === undefined ? 401 : 200, JSON_TYPE)
        res.end('{"frameworks":[]}')
      })
      return front(answer(isState, 303, {Location: `${other}/mesos/master/state`}))
    },
    env: {DCOS_ACS_TOKEN: 'a-token-for-the-cluster-only'},
    args: taskList,
    kind: 'auth',
    message: /401 Unauthorized from http:\/\/127\.0\.0\.1:\d+, which the cluster URL redirected to; the token is only sent to http:\/\/127\.0\.0\.1:\d+ \(if http/,
  },
  {
    name: 'a redirect loop',
    cluster: () => front(answer(isState, 302, {Location: '/mesos/master/state'})),
    args: taskList,
    kind: 'protocol',
    message: /reading master state: GET \/mesos\/master\/state: more than 10 redirects \(a redirect loop\?\)/,
  },
  {
    name: 'no answer within --timeout',
    cluster: () => front((req) => isState(req)),
    args: () => ['task', 'list', '--timeout', '0.3'],
    kind: 'network',
    message: /reading master state: GET \/mesos\/master\/state: no response from 127\.0\.0\.1:\d+ within 300 ms \(raise --timeout/,
  },
  {
    name: 'headers, then silence: the body is bound by --timeout too',
    cluster: () =>
      front((req, res) => {
        if (!isState(req)) return false
        res.writeHead(200, JSON_TYPE)
        res.write('{"frameworks": [')
        return true
      }),
    args: () => ['task', 'list', '--timeout', '0.3'],
    kind: 'network',
    message: /reading master state: GET \/mesos\/master\/state: no data from 127\.0\.0\.1:\d+ for 300 ms/,
  },
  {
    name: 'a read that never answers, without following: one error, no reconnecting',
    cluster: () => front((req) => /^\/agent\/[^/]+\/files\/read/.test(req.url ?? '')),
    // Long enough for the requests before it (state, version) on a loaded machine.
    args: taskLog('--timeout', '3'),
    kind: 'network',
    message: /files\/read\?path=\S+: no response from 127\.0\.0\.1:\d+ within 3 s/,
  },
  {
    name: 'an https URL for a server that speaks plain HTTP',
    cluster: async () => (await front(() => false)).replace('http:', 'https:'),
    args: taskList,
    kind: 'tls',
    message: /TLS with 127\.0\.0\.1:\d+ failed: .*\(the server may not speak TLS on this port; check the URL scheme\)/,
  },
  {
    name: 'dcos-version.json that is not JSON',
    cluster: () => front(answer((req) => (req.url ?? '').startsWith('/dcos-metadata/dcos-version.json'), 200, {'Content-Type': 'text/html'}, '<html>maintenance</html>')),
    args: taskLog(),
    kind: 'protocol',
    message: /reading the DC\/OS version: GET \/dcos-metadata\/dcos-version\.json: expected JSON, got an HTML page: maintenance/,
  },
  // An event with an id is checked against the file and repaired from it (test/e2e/task-file-exact.test.ts);
  // one without an id cannot be: after a second such stream in a row, the follow fails.
  {
    name: 'task event data that is not JSON, with no id',
    cluster: () => front(events(isTaskStream, 'hello there')),
    args: taskLog('--follow'),
    kind: 'protocol',
    message: /^Error: the log server sent an entry that is not JSON: "hello there"\n/,
  },
  {
    name: 'task event data that is JSON without fields.MESSAGE, with no id',
    cluster: () => front(events(isTaskStream, '{"fields":{"FILE":"stdout"}}')),
    args: taskLog('--follow'),
    kind: 'protocol',
    message: /the log server sent an entry that is without a fields\.MESSAGE string/,
  },
  {
    name: 'a task event with no id',
    cluster: () => front(events(isTaskStream, '{"fields":{"MESSAGE":"a line"}}')),
    args: taskLog('--follow'),
    kind: 'protocol',
    message: /the log server sent an entry without an id \(a byte offset\) to check it by: "a line"/,
  },
  {
    name: 'a web page with the wrong Content-Type where an event stream belongs',
    cluster: () => front(answer(isTaskStream, 200, {'Content-Type': 'text/html'}, '<html>\n<body>Please log in</body>\n</html>\n')),
    args: taskLog('--follow'),
    kind: 'protocol',
    message: /reading stdout of task .*: expected an event stream, got text\/html\n/,
  },
  {
    name: 'journal event data that is not JSON',
    cluster: () => front(events((req) => isComponent(req, true), '{"fields":')),
    args: () => ['node', 'log', '--follow', '--lines', '0'],
    kind: 'protocol',
    message: /the log server sent an entry that is not JSON: "\{\\"fields\\":"/,
  },
  {
    name: 'a journal line that is not JSON',
    cluster: () => front(answer((req) => isComponent(req, false), 200, JSON_TYPE, 'not json\n')),
    args: () => ['node', 'log'],
    kind: 'protocol',
    message: /the log server sent an entry that is not JSON: "not json"/,
  },
  {
    name: 'a files API answer that is not JSON',
    cluster: () => front(answer((req) => /^\/agent\/[^/]+\/files\/read/.test(req.url ?? ''), 200, JSON_TYPE, '<html>oops</html>')),
    args: taskLog('logs/app.log'),
    kind: 'protocol',
    message: /the agent's files API answered something that is not JSON for .*\/logs\/app\.log/,
  },
  {
    name: 'a journal cursor the server rejects (500)',
    cluster: () => front(() => false),
    args: () => ['node', 'log', '--cursor', 's=nonsense'],
    kind: 'server',
    message: /the cluster answered 500 Internal Server Error: unable to open journald: Incorrect cursor string/,
  },
]

describe('a misbehaving cluster: one line, the right exit code', {concurrency: true}, () => {
  for (const item of CASES) {
    test(item.name, async () => {
      const url = await item.cluster()
      const result = await runInProcess(item.args(), {env: {DCOS_URL: url, ...item.env}})
      assertOneLineError(result, item.kind, item.message)
    })
  }
})

// The same errors from the built CLI, for the process's own exit code and stderr: one of each kind.
describe('a misbehaving cluster, as a process sees it', {concurrency: 2}, () => {
  for (const item of CASES.filter((item, index) => CASES.findIndex((other) => other.kind === item.kind) === index)) {
    test(`${item.kind}: ${item.name}`, async () => {
      const url = await item.cluster()
      const result = await runCli(item.args(), {env: {DCOS_URL: url, ...item.env}, timeoutMs: 30_000})
      assertOneLineError(result, item.kind, item.message)
    })
  }
})

describe('odd bytes in a task log are data, printed, not errors', {concurrency: true}, () => {
  let serial = 0
  /** A new running task whose `file` holds exactly these bytes. */
  function taskWith(file: string, bytes: Buffer): SimTask {
    const task = sim.addSyntheticTask({lines: 0, name: `odd${++serial}`})
    sim.writeFile(task.id, file, bytes)
    return task
  }
  const read = (task: SimTask, ...args: string[]) => runInProcess(['task', 'log', task.id, ...args], {env: {DCOS_URL: sim.url}})
  const messages = (result: CliResult) =>
    result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as {message: string}).message)

  test('non-UTF-8 bytes: as written in text to a pipe, U+FFFD in JSON (which must be UTF-8), exit 0', async () => {
    const file = Buffer.from('before\nbad \xff\xfe bytes \xc3(\nafter\n', 'latin1')
    const task = taskWith('stdout', file)
    const json = await read(task, '--output', 'json')
    assert.equal(json.code, 0, json.stderr)
    assert.equal(json.stderr, '')
    assert.deepEqual(messages(json), ['before', 'bad \ufffd\ufffd bytes \ufffd(', 'after'])
    assert.ok(json.stdout.includes('"bad \ufffd\ufffd bytes \ufffd("'), 'U+FFFD written as the character itself')
    const text = await read(task)
    assert.equal(text.code, 0, text.stderr)
    assert.deepEqual(text.stdoutBytes, file)
  })

  test('several streams to a pipe: each line its prefix, then the task\'s bytes as written', async () => {
    const bytes = Buffer.from('ok\nbad \xff\xfe\n', 'latin1')
    const name = `odd${++serial}`
    for (let n = 0; n < 2; n++) sim.writeFile(sim.addSyntheticTask({lines: 0, name}).id, 'stdout', bytes)
    const result = await runInProcess(['task', 'log', name], {env: {DCOS_URL: sim.url}})
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdoutBytes.toString('latin1').trimEnd().split('\n')
    assert.equal(lines.length, 4)
    for (const line of lines) assert.match(line, /^\[\S+\] (ok|bad \xff\xfe)$/)
  })

  test('NUL bytes are kept: \\u0000 in JSON, as written in a pipe, exit 0', async () => {
    const task = taskWith('stdout', Buffer.from('nul \0 inside\0\nnext\n'))
    const json = await read(task, '-o', 'json')
    assert.equal(json.code, 0, json.stderr)
    assert.deepEqual(messages(json), ['nul \0 inside\0', 'next'])
    assert.ok(json.stdout.includes('"nul \\u0000 inside\\u0000"'))
    const text = await read(task)
    assert.equal(text.stdout, 'nul \0 inside\0\nnext\n')
  })

  test('a 10 MB line is printed whole, as one line (files API), exit 0', async () => {
    const long = 'x'.repeat(10 * 1024 * 1024)
    const task = taskWith('logs/app.log', Buffer.from(`before\n${long}\nafter\n`))
    const result = await read(task, 'logs/app.log', '-o', 'json')
    assert.equal(result.code, 0, result.stderr)
    const lines = messages(result)
    assert.equal(lines.length, 3)
    assert.equal(lines[1].length, long.length)
    assert.ok(lines[1] === long)
    assert.deepEqual([lines[0], lines[2]], ['before', 'after'])
  })
})
