import assert from 'node:assert/strict'
import {once} from 'node:events'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {PassThrough, Writable} from 'node:stream'
import {after, before, describe, test} from 'node:test'
import type {ResolvedCluster} from '../../src/cluster/config.js'
import {CliError} from '../../src/errors.js'
import {createHttpClient, type HttpClient} from '../../src/cluster/http.js'
import {permissionFor} from '../../src/cluster/permissions.js'
import {redactor} from '../../src/cluster/redact.js'
import {serverMessage} from '../../src/cluster/server-message.js'
import {buildUrl, encodePath} from '../../src/cluster/url.js'

const TOKEN = 'secret-token-4f2a9c81d7e6'

describe('URLs', () => {
  test('path segments and query values are percent-encoded (journal cursors hold ; and =)', () => {
    const cursor = 's=739ad463;i=1c2;b=3f;m=2a;t=5d;x=8e'
    assert.equal(encodePath('system', 'v1', 'logs', 'v2', 'task', 'web.1 a:b/c'), '/system/v1/logs/v2/task/web.1%20a%3Ab%2Fc')
    assert.equal(
      buildUrl('https://c', '/v2/component', {cursor, skip: -10, filter: ['A:1', 'B:x y'], missing: undefined, follow: true}),
      'https://c/v2/component?cursor=s%3D739ad463%3Bi%3D1c2%3Bb%3D3f%3Bm%3D2a%3Bt%3D5d%3Bx%3D8e&skip=-10&filter=A%3A1&filter=B%3Ax%20y&follow=true',
    )
    assert.equal(buildUrl('https://c/prefix', '/x'), 'https://c/prefix/x')
  })
})

describe('messages', () => {
  test('a 403 names the permission the route needs', () => {
    assert.equal(permissionFor('/system/v1/logs/v2/task/web'), 'dcos:adminrouter:ops:system-logs')
    assert.equal(permissionFor('/system/v1/agent/S1/logs/v2/task/x'), 'dcos:adminrouter:system:agent')
    assert.equal(permissionFor('/mesos/master/state'), 'dcos:adminrouter:ops:mesos')
    assert.match(permissionFor('/agent/S1/files/read') ?? '', /^dcos:mesos:agent:sandbox/)
    assert.equal(permissionFor('/service/kafka/v1/x'), 'dcos:adminrouter:service:kafka')
    assert.equal(permissionFor('/somewhere/else'), undefined)
  })

  test("the server's own message: JSON description, HTML heading, or text on one line", () => {
    assert.equal(serverMessage('{"title":"Bad","description":"token expired","code":"X"}', 'application/json'), 'token expired')
    assert.equal(serverMessage('<html><head><title>401 Authorization Required</title></head><body>..</body></html>', 'text/html'), '401 Authorization Required')
    assert.equal(serverMessage('unable to get canonical task ID:\n  no such task\n', 'text/plain'), 'unable to get canonical task ID: no such task')
    assert.equal(serverMessage('  \n'), '')
  })

  test('the token is redacted wherever it appears, and so is any piece of it 12 characters long or more', () => {
    const redact = redactor(TOKEN)
    assert.equal(redact(`echo ${TOKEN} and Authorization: token=abc.def`), 'echo <redacted> and Authorization: token=<redacted>')
    assert.equal(redact(`cut: ${TOKEN.slice(3, 20)}| short: ${TOKEN.slice(0, 11)}`), `cut: <redacted>| short: ${TOKEN.slice(0, 11)}`)
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJ1aWQiOiJib290c3RyYXB1c2VyIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg'
    assert.equal(redactor(jwt)(`payload ${jwt.split('.')[1]}, signature ${jwt.split('.')[2]}`), 'payload <redacted>, signature <redacted>')
  })
})

/** A server whose handler each test swaps in; records every request. */
let server: Server
let baseUrl: string
let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end()
const seen: IncomingMessage[] = []

before(async () => {
  server = createServer((req, res) => {
    seen.push(req)
    handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => {
  server.closeAllConnections()
  server.close()
})

function cluster(overrides: Partial<ResolvedCluster> = {}): ResolvedCluster {
  return {
    url: baseUrl,
    token: TOKEN,
    tls: {verify: true},
    timeoutMs: 2000,
    sources: {url: 'test', token: 'test', tls: 'test', timeout: 'test', cluster: 'none'},
    ...overrides,
  }
}

function client(overrides: Partial<ResolvedCluster> = {}, log?: string[]): HttpClient {
  const stderr = new Writable({
    write(chunk, _encoding, callback) {
      log?.push(String(chunk))
      callback()
    },
  })
  return createHttpClient(cluster(overrides), {verbose: log !== undefined, stderr, userAgent: 'dcos-ts/test'})
}

async function rejection(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error,
  )
  assert.ok(error instanceof CliError, `not a CliError: ${String(error)}`)
  return error
}

/** The test's server handlers run one at a time: each test installs its own. */
describe('client', {concurrency: false}, () => {
  test('sends the token and user agent; parses JSON', async () => {
    handle = (_req, res) => res.setHeader('content-type', 'application/json').end('{"ok":true}')
    assert.deepEqual(await client().json('/x'), {ok: true})
    const request = seen.at(-1)!
    assert.equal(request.headers.authorization, `token=${TOKEN}`)
    assert.equal(request.headers['user-agent'], 'dcos-ts/test')
  })

  test('no token configured: no Authorization header', async () => {
    handle = (_req, res) => res.end('{}')
    await client({token: undefined}).json('/x')
    assert.equal(seen.at(-1)!.headers.authorization, undefined)
  })

  test('a body that is not JSON is a protocol error', async () => {
    handle = (_req, res) => res.end('<html>hello</html>')
    const error = await rejection(client().json('/x', {purpose: 'reading x'}))
    assert.equal(error.kind, 'protocol')
    assert.match(error.message, /^reading x: GET \/x: expected JSON, got: <html>hello<\/html>$/)
  })

  test('each status class becomes its kind, with the server message on one line', async () => {
    const cases: Array<[number, string, boolean]> = [
      [404, 'not-found', false],
      [500, 'server', false],
      [502, 'server', true],
      [503, 'server', true],
      [400, 'server', false],
    ]
    for (const [status, kind, retryable] of cases) {
      handle = (_req, res) => res.writeHead(status, {'content-type': 'text/plain'}).end(`it broke:\n  line two ${TOKEN}\n`)
      const error = await rejection(client().text('/y'))
      assert.equal(error.kind, kind, `status ${status}`)
      assert.equal(error.status, status)
      assert.equal(error.retryable, retryable, `status ${status}`)
      assert.match(error.message, new RegExp(`GET /y: .*${status}.*: it broke: line two <redacted>$`))
      assert.ok(!error.message.includes(TOKEN))
    }
  })

  test('401 with a token says it was rejected, and when a JWT expired', async () => {
    handle = (_req, res) => res.writeHead(401).end()
    const expired = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({uid: 'u', exp: 1_600_000_000})).toString('base64url')}.sig`
    const error = await rejection(client({token: expired}).json('/x'))
    assert.equal(error.kind, 'auth')
    assert.match(error.message, /rejected the token \(401 Unauthorized\): it expired at 2020-09-13T12:26:40.000Z/)
    assert.match(error.hint ?? '', /dcos-ts auth login/)
    const none = await rejection(client({token: undefined}).json('/x'))
    assert.match(none.message, /requires a token.*none is configured/)
  })

  test('403 names the permission', async () => {
    handle = (_req, res) => res.writeHead(403).end('Forbidden')
    const error = await rejection(client().json('/system/v1/logs/v2/component'))
    assert.equal(error.kind, 'forbidden')
    assert.match(error.hint ?? '', /dcos:adminrouter:ops:system-logs/)
  })

  test('allowStatuses returns the status; followRedirects false returns the 3xx', async () => {
    handle = (req, res) => (req.url === '/probe' ? res.writeHead(404).end('no') : res.writeHead(303, {location: '/there'}).end())
    const probe = await client().text('/probe', {allowStatuses: [404]})
    assert.equal(probe.response.status, 404)
    assert.equal(probe.body, 'no')
    const redirect = await client().text('/here', {followRedirects: false})
    assert.equal(redirect.response.status, 303)
    assert.equal(redirect.response.headers.location, '/there')
  })

  test('a redirect loop is a protocol error', async () => {
    handle = (_req, res) => res.writeHead(307, {location: '/loop'}).end()
    const error = await rejection(client().json('/loop'))
    assert.equal(error.kind, 'protocol')
    assert.match(error.message, /redirect/)
  })

  test('stream resolves on a 204 with an empty body', async () => {
    handle = (_req, res) => res.writeHead(204).end()
    const {response, body} = await client().stream('/s', {mode: 'stream'})
    assert.equal(response.status, 204)
    let bytes = 0
    for await (const chunk of body) bytes += (chunk as Buffer).length
    assert.equal(bytes, 0)
  })

  test('stream rejects on an error status with the body in the message', async () => {
    handle = (_req, res) => res.writeHead(503, {'content-type': 'application/json'}).end('{"description":"leader unknown"}')
    const error = await rejection(client().stream('/s', {mode: 'stream'}))
    assert.equal(error.kind, 'server')
    assert.ok(error.retryable)
    assert.match(error.message, /503 Service Unavailable: leader unknown$/)
  })

  test('a body cut mid-chunk is a retryable network error, not a clean end', async () => {
    handle = (_req, res) => {
      res.writeHead(200, {'content-type': 'text/event-stream'})
      res.write('data: one\n\ndata: tw')
      setTimeout(() => res.socket?.destroy(), 20)
    }
    const {body} = await client().stream('/s', {mode: 'stream'})
    let text = ''
    const error = await rejection(
      (async () => {
        for await (const chunk of body) text += String(chunk)
      })(),
    )
    assert.equal(text, 'data: one\n\ndata: tw')
    assert.equal(error.kind, 'network')
    assert.ok(error.retryable)
  })

  test('a clean end of a stream ends the body', async () => {
    handle = (_req, res) => res.writeHead(200).end('data: one\n\n')
    const {body} = await client().stream('/s', {mode: 'stream'})
    let text = ''
    for await (const chunk of body) text += String(chunk)
    assert.equal(text, 'data: one\n\n')
  })

  /** Installs a handler that writes `count` 32 KiB parts as fast as the reader takes them. */
  function serveParts(count: number): {parts: Buffer[]; heldBack: () => boolean} {
    const parts = Array.from({length: count}, (_, i) => Buffer.alloc(32 * 1024, i % 251))
    let heldBack = false
    handle = async (_req, res) => {
      res.writeHead(200)
      for (const part of parts) {
        if (res.write(part)) continue
        heldBack = true
        await once(res, 'drain')
      }
      res.end()
    }
    return {parts, heldBack: () => heldBack}
  }

  test('a body read slower than it arrives comes whole and in order, and holds the server back', async () => {
    const {parts, heldBack} = serveParts(256)
    const {body} = await client().stream('/big', {mode: 'stream'})
    const chunks: Buffer[] = []
    for await (const chunk of body) {
      chunks.push(chunk as Buffer)
      if (chunks.length < 20) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    assert.ok(Buffer.concat(chunks).equals(Buffer.concat(parts)), 'every byte, in order')
    assert.ok(heldBack(), 'the server waited for the reader')
  })

  test('a reader that pauses longer than the idle watchdog loses nothing: only silence it waits through counts', async () => {
    const {parts, heldBack} = serveParts(128)
    const {body} = await client().stream('/big', {mode: 'stream', idleMs: 100})
    const chunks: Buffer[] = []
    for await (const chunk of body) {
      chunks.push(chunk as Buffer)
      // A pipe into a pager: the reader stops for several idle periods once the server is held back.
      if (chunks.length === 1) {
        while (!heldBack()) await new Promise((resolve) => setTimeout(resolve, 10))
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
    assert.ok(Buffer.concat(chunks).equals(Buffer.concat(parts)), 'every byte, in order')
  })

  test('a reader that stops early closes the connection; an abort mid-body rejects with its reason', async () => {
    let closed: Promise<void> = Promise.resolve()
    handle = (_req, res) => {
      res.writeHead(200)
      res.write('first\n')
      closed = new Promise((resolve) => res.once('close', () => resolve()))
    }
    const {body} = await client().stream('/s', {mode: 'stream'})
    for await (const _chunk of body) break
    await closed
    const controller = new AbortController()
    const reason = new CliError('interrupted', 'interrupted by SIGINT', {exitCode: 130})
    const aborted = await client().stream('/s', {mode: 'stream', signal: controller.signal})
    const error = await rejection(
      (async () => {
        for await (const _chunk of aborted.body) controller.abort(reason)
      })(),
    )
    assert.equal(error, reason)
  })

  test('the idle watchdog ends a silent stream with a retryable network error', async () => {
    const open = new PassThrough()
    handle = (_req, res) => {
      res.writeHead(200)
      res.write('first\n')
      open.once('end', () => res.end())
    }
    const {body} = await client().stream('/s', {mode: 'stream', idleMs: 150})
    const error = await rejection(
      (async () => {
        for await (const _chunk of body) {
          // Only the first chunk ever comes.
        }
      })(),
    )
    open.end()
    assert.equal(error.kind, 'network')
    assert.ok(error.retryable)
    assert.match(error.message, /no data from 127\.0\.0\.1:\d+ for 150 ms$/)
  })

  test('a response timeout is a retryable network error', async () => {
    handle = () => {} // never answers
    const error = await rejection(client({timeoutMs: 150}).json('/slow'))
    assert.equal(error.kind, 'network')
    assert.ok(error.retryable)
    assert.match(error.message, /no response from 127\.0\.0\.1:\d+ within 150 ms$/)
  })

  test('an abort rejects with the signal reason', async () => {
    handle = () => {}
    const controller = new AbortController()
    const reason = new CliError('interrupted', 'interrupted by SIGINT', {exitCode: 130})
    setTimeout(() => controller.abort(reason), 30)
    const error = await rejection(client().json('/slow', {signal: controller.signal}))
    assert.equal(error, reason)
  })

  test('a GET on a kept-alive connection the server closed meanwhile is sent once more, on a new connection', async () => {
    const answered = new Set<unknown>()
    let resets = 0
    // The server answers once per connection, then resets it when it is used again (an idle timeout's effect).
    handle = (req, res) => {
      if (answered.has(req.socket)) {
        resets++
        req.socket.resetAndDestroy()
        return
      }
      answered.add(req.socket)
      res.end('{"ok":true}')
    }
    const http = client()
    assert.deepEqual(await http.json('/first'), {ok: true})
    assert.deepEqual(await http.json('/again'), {ok: true})
    assert.equal(resets, 1, 'the second GET met the closed connection, then went through on a new one')
    // What is not safe to repeat, or a reset on a connection of its own, is an error as before.
    await http.json('/warm-up')
    const post = await rejection(http.json('/post', {method: 'POST', json: {}}))
    assert.equal(post.kind, 'network')
    handle = (req) => req.socket.resetAndDestroy()
    const fresh = await rejection(client().json('/reset'))
    assert.match(fresh.message, /connection reset/)
  })

  test('connection refused is a retryable network error naming the host', async () => {
    const error = await rejection(client({url: 'http://127.0.0.1:1'}).json('/x'))
    assert.equal(error.kind, 'network')
    assert.ok(error.retryable)
    assert.match(error.message, /cannot connect to 127\.0\.0\.1:1: connection refused \(ECONNREFUSED\)/)
  })

  test('--verbose logs each request and response line, never the token', async () => {
    handle = (req, res) => (req.url?.startsWith('/a') ? res.writeHead(307, {location: `/b?token=${TOKEN}`}).end() : res.end('{}'))
    const log: string[] = []
    await client({}, log).json('/a')
    const text = log.join('')
    assert.match(text, /^> GET http:\/\/127\.0\.0\.1:\d+\/a \(token\)\n< 307 Temporary Redirect \d+ ms -> .*\/b\?token=<redacted>\n> GET .*\/b\?token=<redacted> \(token\)\n< 200 OK \d+ ms\n$/)
    assert.ok(!text.includes(TOKEN))
  })
})
