/**
 * `dcos-ts cluster show --check` against tiny HTTP and HTTPS servers on 127.0.0.1: the auth header, the
 * redirect token policy, TLS verification, timeouts, and each error class with its exit code.
 * Needs the build (`npm run build:dev`): it runs bin/run.js.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import {connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {makeTempHome, runCli, writeClusters, type CliOptions, type CliResult, SPAWNS_AT_ONCE} from '../helpers/cli.js'

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.e2e-secret-token-7c1f0a.signature'
const VERSION = {version: '2.2.0', 'dcos-variant': 'open'}

type Handler = (req: IncomingMessage, res: ServerResponse, server: FakeCluster) => void

interface Seen {
  scheme: 'http' | 'https'
  path: string
  authorization?: string
  userAgent?: string
}

interface FakeCluster {
  /** http://127.0.0.1:<port>; the same port also speaks TLS (see listen). */
  url: string
  httpsUrl: string
  port: number
  seen: Seen[]
}

const certs = mkdtempSync(join(tmpdir(), 'dcos-ts-certs-'))
const caFile = join(certs, 'ca.crt')
let tls: {key: string; cert: string}
const servers: Array<Server | TcpServer> = []

/** A CA and a server certificate for 127.0.0.1 signed by it, made with the openssl CLI. */
function makeCertificates(): {key: string; cert: string} {
  const openssl = (...args: string[]) => execFileSync('openssl', args, {cwd: certs, stdio: 'pipe'})
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=dcos-ts test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1')
  writeFileSync(join(certs, 'ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext')
  const read = (name: string) => readFileSync(join(certs, name), 'utf8')
  return {key: read('server.key'), cert: read('server.crt')}
}

/** The two calls `--check` makes; the Mesos one insists on the token like Admin Router does. */
const DEFAULT_ROUTES: Record<string, Handler> = {
  '/dcos-metadata/dcos-version.json': (_req, res) => json(res, 200, VERSION),
  '/mesos/master/state-summary': (req, res) =>
    req.headers.authorization === `token=${TOKEN}` ? json(res, 200, {cluster: 'e2e'}) : res.writeHead(401, {'content-type': 'text/html'}).end('<html><head><title>401 Authorization Required</title></head></html>'),
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body))
}

/**
 * One port serving both plain HTTP and HTTPS (the first byte of a TLS handshake is 0x16), so an
 * http -> https redirect can change only the scheme: the case got alone would keep the token for.
 * Plain connections go to the HTTP server in-process; TLS ones are piped to an HTTPS server on a port
 * of its own (a TLS socket cannot take bytes already read from the raw socket).
 */
async function fakeCluster(routes: Record<string, Handler> = {}): Promise<FakeCluster> {
  const cluster: FakeCluster = {url: '', httpsUrl: '', port: 0, seen: []}
  const table = {...DEFAULT_ROUTES, ...routes}
  const handler = (scheme: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    cluster.seen.push({scheme, path, authorization: req.headers.authorization, userAgent: req.headers['user-agent']})
    const route = table[path]
    if (route) route(req, res, cluster)
    else res.writeHead(404, {'content-type': 'text/plain'}).end(`no route ${path}`)
  }
  const http = createHttpServer(handler('http'))
  const https = createHttpsServer(tls, handler('https'))
  await listen(https)
  const httpsPort = (https.address() as AddressInfo).port
  const tcp = createTcpServer((socket) => {
    socket.once('data', (first) => {
      socket.pause()
      if (first[0] === 0x16) {
        const upstream = connect(httpsPort, '127.0.0.1', () => {
          upstream.write(first)
          socket.pipe(upstream).pipe(socket)
          socket.resume()
        })
        const closeBoth = () => {
          socket.destroy()
          upstream.destroy()
        }
        upstream.on('error', closeBoth).on('close', closeBoth)
        socket.on('error', closeBoth).on('close', closeBoth)
        return
      }
      socket.unshift(first)
      http.emit('connection', socket)
      socket.resume()
    })
  })
  servers.push(http, https, tcp)
  await listen(tcp)
  cluster.port = (tcp.address() as AddressInfo).port
  cluster.url = `http://127.0.0.1:${cluster.port}`
  cluster.httpsUrl = `https://127.0.0.1:${cluster.port}`
  return cluster
}

function listen(server: Server | TcpServer): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
}

before(() => {
  tls = makeCertificates()
})
after(() => {
  for (const server of servers) {
    if ('closeAllConnections' in server) server.closeAllConnections()
    server.close()
  }
  rmSync(certs, {recursive: true, force: true})
})

function check(url: string, args: string[] = [], options: CliOptions = {}): Promise<CliResult> {
  return runCli(['cluster', 'show', '--check', '--url', url, ...args], {...options, env: {DCOS_ACS_TOKEN: TOKEN, ...options.env}})
}

/** The error contract: exactly one line on stderr, no stack trace, the token nowhere. */
function assertFailure(result: CliResult, kind: keyof typeof EXIT_CODES, pattern: RegExp): void {
  assert.equal(result.code, EXIT_CODES[kind], `exit code for ${kind}; stderr: ${result.stderr}`)
  assert.match(result.stderr, /^Error: [^\n]+\n$/, 'one line on stderr')
  assert.match(result.stderr, pattern)
  assert.ok(!`${result.stdout}${result.stderr}`.includes(TOKEN), 'the token leaked')
}

describe('cluster show --check', {concurrency: SPAWNS_AT_ONCE}, () => {
  test('sends Authorization: token=<t> and the dcos-ts user agent; reports the version', async () => {
    const cluster = await fakeCluster()
    const result = await check(cluster.url)
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^check +reachable, DC\/OS 2\.2\.0 \(open\), token accepted$/m)
    assert.ok(cluster.seen.length === 2 && cluster.seen.every((s) => s.authorization === `token=${TOKEN}`))
    assert.match(cluster.seen[0].userAgent ?? '', /^dcos-ts\/\d+\.\d+\.\d+/)
    assert.ok(!`${result.stdout}${result.stderr}`.includes(TOKEN))
    assert.equal(result.stderr, '')
  })

  test('--verbose prints each request and response line, never the token', async () => {
    const cluster = await fakeCluster()
    const result = await check(cluster.url, ['--verbose'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, new RegExp(`^> GET ${cluster.url}/dcos-metadata/dcos-version\\.json \\(token\\)$`, 'm'))
    assert.match(result.stderr, /^< 200 OK \d+ ms$/m)
    assert.ok(!`${result.stdout}${result.stderr}`.includes(TOKEN))
  })

  test('no token: "no token needed" when the cluster accepts that', async () => {
    const cluster = await fakeCluster({'/mesos/master/state-summary': (_req, res) => json(res, 200, {})})
    const result = await check(cluster.url, [], {env: {DCOS_ACS_TOKEN: undefined}})
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /no token needed/)
    assert.equal(cluster.seen[0].authorization, undefined)
  })

  describe('redirects', {concurrency: SPAWNS_AT_ONCE}, () => {
    test('within the same origin keep the token', async () => {
      const cluster = await fakeCluster({
        '/dcos-metadata/dcos-version.json': (_req, res) => res.writeHead(307, {location: '/moved/version.json'}).end(),
        '/moved/version.json': (_req, res) => json(res, 200, VERSION),
      })
      const result = await check(cluster.url)
      assert.equal(result.code, 0, result.stderr)
      assert.equal(cluster.seen.find((s) => s.path === '/moved/version.json')?.authorization, `token=${TOKEN}`)
    })

    test('to another port drop the token', async () => {
      const other = await fakeCluster()
      const cluster = await fakeCluster({
        '/dcos-metadata/dcos-version.json': (_req, res) => res.writeHead(302, {location: `${other.url}/dcos-metadata/dcos-version.json`}).end(),
      })
      const result = await check(cluster.url)
      assert.equal(result.code, 0, result.stderr)
      assert.equal(other.seen.length, 1)
      assert.equal(other.seen[0].authorization, undefined)
      // Back on the cluster's own origin the token is sent again.
      assert.equal(cluster.seen.find((s) => s.path === '/mesos/master/state-summary')?.authorization, `token=${TOKEN}`)
    })

    test('to another scheme on the same host and port drop the token', async () => {
      const cluster = await fakeCluster({
        '/dcos-metadata/dcos-version.json': (req, res, self) =>
          req.socket.constructor.name === 'TLSSocket' ? json(res, 200, VERSION) : res.writeHead(301, {location: `${self.httpsUrl}/dcos-metadata/dcos-version.json`}).end(),
      })
      const result = await check(cluster.url, ['--ca-file', caFile])
      assert.equal(result.code, 0, result.stderr)
      const onHttps = cluster.seen.filter((s) => s.scheme === 'https')
      assert.equal(onHttps.length, 1)
      assert.equal(onHttps[0].authorization, undefined)
    })

    test('a 401 after a cross-origin redirect says why the token was not sent', async () => {
      const cluster = await fakeCluster({
        '/mesos/master/state-summary': (req, res, self) =>
          req.socket.constructor.name === 'TLSSocket'
            ? DEFAULT_ROUTES['/mesos/master/state-summary'](req, res, self)
            : res.writeHead(301, {location: `${self.httpsUrl}/mesos/master/state-summary`}).end(),
      })
      const result = await check(cluster.url, ['--ca-file', caFile])
      assertFailure(result, 'auth', new RegExp(`token is only sent to ${cluster.url}.*--url ${cluster.httpsUrl}`))
    })

    test('a redirect loop is a protocol error', async () => {
      const cluster = await fakeCluster({'/dcos-metadata/dcos-version.json': (_req, res) => res.writeHead(307, {location: '/dcos-metadata/dcos-version.json'}).end()})
      assertFailure(await check(cluster.url), 'protocol', /more than 10 redirects/)
    })
  })

  describe('TLS', {concurrency: SPAWNS_AT_ONCE}, () => {
    test('verification fails without the CA, with a hint about --ca-file', async () => {
      const cluster = await fakeCluster()
      assertFailure(await check(cluster.httpsUrl), 'tls', /TLS with 127\.0\.0\.1:\d+ failed: .*\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*--ca-file.*core\.ssl_verify/)
    })

    test('passes with --ca-file', async () => {
      const cluster = await fakeCluster()
      const result = await check(cluster.httpsUrl, ['--ca-file', caFile])
      assert.equal(result.code, 0, result.stderr)
      assert.equal(cluster.seen[0].scheme, 'https')
    })

    test('passes with DCOS_SSL_VERIFY=<CA path>', async () => {
      const cluster = await fakeCluster()
      const result = await check(cluster.httpsUrl, [], {env: {DCOS_SSL_VERIFY: caFile}})
      assert.equal(result.code, 0, result.stderr)
    })

    test('passes with core.ssl_verify = <CA path> in the DC/OS CLI config', async () => {
      const cluster = await fakeCluster()
      const home = makeTempHome()
      try {
        await writeClusters(join(home, '.dcos'), [
          {id: 'abc-123', attached: true, toml: {core: {dcos_url: cluster.httpsUrl, dcos_acs_token: TOKEN, ssl_verify: caFile}, cluster: {name: 'e2e'}}},
        ])
        const result = await runCli(['cluster', 'show', '--check'], {home})
        assert.equal(result.code, 0, result.stderr)
        assert.match(result.stdout, /^name +e2e +\(attached/m)
        assert.match(result.stdout, /token accepted/)
      } finally {
        rmSync(home, {recursive: true, force: true})
      }
    })

    test('--insecure passes, with a warning on stderr', async () => {
      const cluster = await fakeCluster()
      const result = await check(cluster.httpsUrl, ['--insecure'])
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stderr, /^Warning: TLS certificate verification is off for https:\/\/127\.0\.0\.1:\d+ \(flag --insecure\)/)
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, 'warned once')
    })

    test('an unreadable CA file is a config error', async () => {
      const cluster = await fakeCluster()
      assertFailure(await check(cluster.httpsUrl, ['--ca-file', join(certs, 'missing.pem')]), 'config', /cannot read the CA bundle .*missing\.pem/)
    })
  })

  describe('error classes and exit codes', {concurrency: SPAWNS_AT_ONCE}, () => {
    test('401: the token was rejected; says how to log in', async () => {
      const cluster = await fakeCluster()
      const result = await check(cluster.url, [], {env: {DCOS_ACS_TOKEN: 'not-the-right-token'}})
      assertFailure(result, 'auth', /checking the token: GET \/mesos\/master\/state-summary: the cluster rejected the token \(401 Unauthorized\).*dcos-ts auth login/)
    })

    test('401 without a token: says how to configure one', async () => {
      const cluster = await fakeCluster()
      assertFailure(await check(cluster.url, [], {env: {DCOS_ACS_TOKEN: undefined}}), 'auth', /requires a token.*auth login.*DCOS_ACS_TOKEN.*--token-file/)
    })

    test('403 names the permission', async () => {
      const cluster = await fakeCluster({'/mesos/master/state-summary': (_req, res) => res.writeHead(403).end('Forbidden')})
      assertFailure(await check(cluster.url), 'forbidden', /permission denied \(403 Forbidden\).*dcos:adminrouter:ops:mesos/)
    })

    test('404 is not-found', async () => {
      const cluster = await fakeCluster({'/dcos-metadata/dcos-version.json': (_req, res) => res.writeHead(404).end('404 page not found\n')})
      assertFailure(await check(cluster.url), 'not-found', /GET \/dcos-metadata\/dcos-version\.json: not found \(404 Not Found\): 404 page not found$/m)
    })

    test("5xx: the status and the server's message, trimmed, with an echoed token redacted", async () => {
      const cluster = await fakeCluster({
        '/mesos/master/state-summary': (req, res) => res.writeHead(500).end(`upstream failed\n  while proxying ${req.headers.authorization}\n`),
      })
      const result = await check(cluster.url, ['--verbose'])
      assert.equal(result.code, EXIT_CODES.server)
      assert.match(result.stderr, /^Error: checking the token: GET \/mesos\/master\/state-summary: the cluster answered 500 Internal Server Error: upstream failed while proxying token=<redacted>$/m)
      assert.ok(!`${result.stdout}${result.stderr}`.includes(TOKEN))
    })

    test('a body that is not JSON is a protocol error', async () => {
      const cluster = await fakeCluster({'/dcos-metadata/dcos-version.json': (_req, res) => res.end('<html>a portal</html>')})
      assertFailure(await check(cluster.url), 'protocol', /expected JSON, got: <html>a portal<\/html>/)
    })

    test('connection refused is a network error naming the host', async () => {
      const closed = createTcpServer()
      await listen(closed)
      const {port} = closed.address() as AddressInfo
      await new Promise<void>((resolve) => closed.close(() => resolve()))
      assertFailure(await check(`http://127.0.0.1:${port}`), 'network', new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\)`))
    })

    test('a response timeout (--timeout 1) is a network error', async () => {
      const cluster = await fakeCluster({'/dcos-metadata/dcos-version.json': () => {}})
      assertFailure(await check(cluster.url, ['--timeout', '1']), 'network', /no response from 127\.0\.0\.1:\d+ within 1 s.*--timeout/)
    })

    test('no cluster configured: exit 3 with how to configure one', async () => {
      const result = await runCli(['cluster', 'show', '--check'])
      assertFailure(result, 'config', /no cluster is configured \(run `dcos-ts cluster setup URL`, set DCOS_URL, or pass --url; to try dcos-ts without a cluster, pass --cluster sim\)/)
    })

    test('a usage error: exit 2, pointing at --help', async () => {
      assertFailure(await runCli(['cluster', 'show', '--timeout', 'soon']), 'usage', /invalid value for --timeout: .*'soon'.*dcos-ts cluster show --help/)
    })

    test('the stack trace appears only with --verbose', async () => {
      const result = await runCli(['cluster', 'show', '--check', '--url', 'http://127.0.0.1:1', '--verbose'])
      assert.equal(result.code, EXIT_CODES.network)
      assert.match(result.stderr, /^Error: .*ECONNREFUSED.*\n(.*\n)?\s+at /m)
    })
  })
})
