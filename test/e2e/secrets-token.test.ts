/**
 * The ACS token (and a login password) never leaks. Every run in this suite goes through `checked`: after
 * the process ends, the secrets in play must appear nowhere in stdout, stderr or any file under the run's
 * HOME, --verbose (which logs every request) and stack traces included. The one place a token belongs is
 * the cluster's dcos.toml, which must be mode 0600 in a 0700 folder. Also: a redirect to another origin
 * is followed without the token, and TLS is verified unless the user says otherwise (a self-signed CA
 * made with the openssl CLI).
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type RequestListener, type ServerResponse} from 'node:http'
import {createServer as createTlsServer} from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {DEFAULT_USER, startSim, type Sim, type SimTask} from '../../src/sim/index.js'
import {makeTempHome, runCli, startCli, writeClusters, type CliOptions, type CliResult, SPAWNS_AT_ONCE} from '../helpers/cli.js'
import {testServers} from '../helpers/servers.js'

/** Recognisable, and accepted by servers in this file that do not check tokens. */
const PLAIN_TOKEN = 'dcos-ts-test-secret-9f86d081884c7d659a2feaa0c55ad015'

let sim: Sim
/** A token the simulated cluster (auth on) accepts. */
let simToken: string
let web: SimTask
const scratch = mkdtempSync(join(tmpdir(), 'dcos-ts-secrets-'))
const servers = testServers()

before(async () => {
  sim = await startSim({auth: true, filePollMs: 20})
  simToken = sim.issueToken('secret-keeper')
  const found = sim.tasks().find((task) => task.name === 'web' && task.state === 'TASK_RUNNING')
  assert.ok(found)
  web = found
})
after(async () => {
  await sim.close()
  rmSync(scratch, {recursive: true, force: true})
})

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : []
  })
}

/** The forms of a secret worth looking for: any piece of 16 characters (the whole, each JWT part, a cut one). */
function needles(secret: string): string[] {
  if (secret.length <= 16) return [secret]
  return Array.from({length: secret.length - 15}, (_, at) => secret.slice(at, at + 16))
}

interface Checked {
  /** Secrets that must appear nowhere. */
  secrets: string[]
  /** Files (absolute) where a token belongs: they must be mode 0600, and are not searched. */
  tokenFiles?: string[]
}

/** Asserts the secrets are absent from the output and from every file under home (but tokenFiles). */
function assertNoSecrets(result: CliResult, home: string, checked: Checked): void {
  for (const secret of checked.secrets.flatMap(needles)) {
    assert.ok(!result.stdout.includes(secret), `a secret on stdout:\n${result.stdout}`)
    assert.ok(!result.stderr.includes(secret), `a secret on stderr:\n${result.stderr}`)
    for (const file of filesUnder(home)) {
      if (checked.tokenFiles?.includes(file)) continue
      assert.ok(!readFileSync(file, 'latin1').includes(secret), `a secret in ${file}`)
    }
  }
  for (const file of checked.tokenFiles ?? []) assert.equal(statSync(file).mode & 0o777, 0o600, `${file} is 0600`)
}

/** runCli in a HOME of its own (kept while checking), then assertNoSecrets. */
async function checked(args: string[], options: CliOptions & Checked): Promise<CliResult> {
  const home = options.home ?? makeTempHome()
  try {
    const result = await runCli(args, {...options, home})
    assertNoSecrets(result, home, options)
    return result
  } finally {
    if (options.home === undefined) rmSync(home, {recursive: true, force: true})
  }
}

const listen = (handler: RequestListener): Promise<string> => servers.listen(createServer(handler))

/** What a server in this file saw: the Authorization header of each request. */
class Seen {
  readonly authorizations: Array<string | undefined> = []
  note(req: IncomingMessage): void {
    this.authorizations.push(req.headers.authorization)
  }
}

const EMPTY_STATE = '{"frameworks":[],"slaves":[]}'
function sendState(res: ServerResponse): void {
  res.writeHead(200, {'Content-Type': 'application/json'})
  res.end(EMPTY_STATE)
}

describe('the token never shows, even with --verbose', {concurrency: SPAWNS_AT_ONCE}, () => {
  const env = () => ({DCOS_URL: sim.url, DCOS_ACS_TOKEN: simToken})
  const commands: Array<[string, () => string[]]> = [
    ['task log', () => ['task', 'log', web.id]],
    ['task list', () => ['task', 'list']],
    ['node log', () => ['node', 'log', '-n', '3']],
    ['node list', () => ['node', 'list']],
    ['node list-components', () => ['node', 'list-components']],
    ['service log', () => ['service', 'log', 'marathon', '-n', '3']],
    ['cluster show --check', () => ['cluster', 'show', '--check']],
  ]
  for (const [name, args] of commands) {
    test(`${name} --verbose logs its requests, the token redacted`, async () => {
      const result = await checked([...args(), '--verbose'], {env: env(), secrets: [simToken]})
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stderr, /^> GET \S+ \(token\)$/m, 'the verbose log says a token was sent')
    })
  }

  test('a password in the cluster URL shows nowhere: cluster show, --verbose, errors', async () => {
    const password = 'pa55word-in-the-url'
    const url = await listen((req, res) => (req.url?.startsWith('/mesos/master/state') ? sendState(res) : res.writeHead(500).end()))
    const withPassword = url.replace('http://', `http://ops:${password}@`)
    const shown = await checked(['cluster', 'show', '--url', withPassword], {secrets: [password]})
    assert.match(shown.stdout, /url +http:\/\/ops:<redacted>@127\.0\.0\.1/)
    const verbose = await checked(['task', 'list', '--url', withPassword, '--verbose'], {secrets: [password]})
    assert.equal(verbose.code, 0, verbose.stderr)
    const failing = await checked(['node', 'log', '--url', withPassword, '--verbose'], {secrets: [password]})
    assert.notEqual(failing.code, 0)
  })

  test('a server that echoes the token, or a piece of it, in its error: no piece of it on stderr', async () => {
    const body = `${'x'.repeat(140)} ${simToken} and cut short: ${simToken.slice(7, 70)} end`
    const url = await listen((_req, res) => res.writeHead(500, {'Content-Type': 'text/plain'}).end(body))
    for (const verbose of [[], ['--verbose']]) {
      const result = await checked(['task', 'list', ...verbose], {env: {DCOS_URL: url, DCOS_ACS_TOKEN: simToken}, secrets: [simToken]})
      assert.equal(result.code, EXIT_CODES.server, result.stderr)
      assert.match(result.stderr, /xxxx <redacted>/)
    }
  })

  test('task log --follow --verbose, stopped by Ctrl-C', async () => {
    const home = makeTempHome()
    try {
      const cli = startCli(['task', 'log', web.id, '--follow', '--verbose'], {env: env(), home})
      await cli.waitForStderr(/text\/event-stream|logs\/v2\/task.*\n< 200/)
      sim.appendLines(web.id, ['a line while following'])
      await cli.waitForStdout('a line while following\n')
      cli.kill('SIGINT')
      const result = await cli.done
      assert.equal(result.code, 130, result.stderr)
      assertNoSecrets(result, home, {secrets: [simToken]})
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })

  test('--token-file: read, sent, never shown', async () => {
    const tokenFile = join(scratch, 'token')
    writeFileSync(tokenFile, `${simToken}\n`, {mode: 0o600})
    const result = await checked(['task', 'log', web.id, '-v', '--token-file', tokenFile], {env: {DCOS_URL: sim.url}, secrets: [simToken]})
    assert.equal(result.code, 0, result.stderr)
  })

  test('a rejected token: an auth error without it, stack trace (--verbose) included', async () => {
    const result = await checked(['task', 'list', '--verbose'], {env: {DCOS_URL: sim.url, DCOS_ACS_TOKEN: PLAIN_TOKEN}, secrets: [PLAIN_TOKEN]})
    assert.equal(result.code, EXIT_CODES.auth, result.stderr)
    assert.match(result.stderr, /^Error: .*the cluster rejected the token \(401/m)
  })

  test('a server that echoes the token in its error is redacted', async () => {
    const url = await listen((req, res) => {
      res.writeHead(500, {'Content-Type': 'application/json'})
      res.end(JSON.stringify({description: `bad header ${req.headers.authorization} (raw: ${PLAIN_TOKEN})`}))
    })
    const result = await checked(['task', 'list', '-v'], {env: {DCOS_URL: url, DCOS_ACS_TOKEN: PLAIN_TOKEN}, secrets: [PLAIN_TOKEN]})
    assert.equal(result.code, EXIT_CODES.server)
    assert.match(result.stderr, /^Error: .*bad header token=<redacted> \(raw: <redacted>\)/m)
  })

  test('a configured token stays in dcos.toml (0600): cluster list and show do not print it', async () => {
    const home = makeTempHome()
    try {
      const [dir] = await writeClusters(join(home, '.dcos'), [{id: 'c1', toml: {core: {dcos_url: sim.url, dcos_acs_token: simToken}, cluster: {name: 'sim'}}, attached: true}])
      const tokenFiles = [join(dir, 'dcos.toml')]
      for (const args of [['cluster', 'list'], ['cluster', 'show'], ['cluster', 'show', '--json'], ['cluster', 'show', '--check', '-v'], ['task', 'log', web.id, '-v']]) {
        const result = await checked(args, {home, secrets: [simToken], tokenFiles})
        assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
      }
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })

  test('--url elsewhere never takes the attached cluster token along', async () => {
    const seen = new Seen()
    const url = await listen((req, res) => {
      seen.note(req)
      sendState(res)
    })
    const home = makeTempHome()
    try {
      const [dir] = await writeClusters(join(home, '.dcos'), [{id: 'c1', toml: {core: {dcos_url: sim.url, dcos_acs_token: simToken}}, attached: true}])
      const result = await checked(['task', 'list', '--url', url, '-v'], {home, secrets: [simToken], tokenFiles: [join(dir, 'dcos.toml')]})
      assert.equal(result.code, 0, result.stderr)
      assert.ok(seen.authorizations.length > 0)
      assert.deepEqual(new Set(seen.authorizations), new Set([undefined]))
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })
})

describe('logging in writes the token only to dcos.toml, mode 0600', {concurrency: SPAWNS_AT_ONCE}, () => {
  /** The token written by a login, and that dcos.toml. */
  function writtenToken(home: string): {token: string; file: string} {
    const file = filesUnder(join(home, '.dcos')).find((path) => path.endsWith('/dcos.toml'))
    assert.ok(file, 'a dcos.toml was written')
    const token = /dcos_acs_token = "([^"]+)"/.exec(readFileSync(file, 'utf8'))?.[1]
    assert.ok(token, 'the token is in dcos.toml')
    return {token, file}
  }

  test('cluster setup --verbose with the password on stdin', async () => {
    const home = makeTempHome()
    try {
      const result = await checked(['cluster', 'setup', sim.url, '--verbose'], {home, stdin: `${DEFAULT_USER.uid}\n${DEFAULT_USER.password}\n`, secrets: [DEFAULT_USER.password]})
      assert.equal(result.code, 0, result.stderr)
      const {token, file} = writtenToken(home)
      assertNoSecrets(result, home, {secrets: [token, DEFAULT_USER.password], tokenFiles: [file]})
      for (const folder of [join(home, '.dcos'), join(home, '.dcos', 'clusters')]) assert.equal(statSync(folder).mode & 0o777, 0o700, folder)
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })

  test('auth login --verbose with a password file', async () => {
    const home = makeTempHome()
    try {
      const [dir] = await writeClusters(join(home, '.dcos'), [{id: 'c1', toml: {core: {dcos_url: sim.url}, cluster: {name: 'sim'}}, attached: true}])
      const passwordFile = join(scratch, 'password')
      writeFileSync(passwordFile, `${DEFAULT_USER.password}\n`, {mode: 0o600})
      const result = await checked(['auth', 'login', '--username', DEFAULT_USER.uid, '--password-file', passwordFile, '-v'], {home, secrets: [DEFAULT_USER.password]})
      assert.equal(result.code, 0, result.stderr)
      const {token, file} = writtenToken(home)
      assert.equal(file, join(dir, 'dcos.toml'))
      assertNoSecrets(result, home, {secrets: [token, DEFAULT_USER.password], tokenFiles: [file]})
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })
})

describe('redirects', {concurrency: SPAWNS_AT_ONCE}, () => {
  test('a redirect to another origin is followed without the token', async () => {
    const elsewhere = new Seen()
    const otherUrl = await listen((req, res) => {
      elsewhere.note(req)
      sendState(res)
    })
    const cluster = new Seen()
    const url = await listen((req, res) => {
      cluster.note(req)
      res.writeHead(303, {Location: `${otherUrl}${req.url}`})
      res.end()
    })
    const result = await checked(['task', 'list', '-v'], {env: {DCOS_URL: url, DCOS_ACS_TOKEN: PLAIN_TOKEN}, secrets: [PLAIN_TOKEN]})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(cluster.authorizations, [`token=${PLAIN_TOKEN}`])
    assert.deepEqual(elsewhere.authorizations, [undefined])
    assert.match(result.stderr, /^< 303 See Other .* -> http:\/\/127\.0\.0\.1:\d+\/mesos\/master\/state$/m)
  })

  test('a redirect within the origin keeps the token', async () => {
    const cluster = new Seen()
    const url = await listen((req, res) => {
      cluster.note(req)
      if (req.url === '/mesos/master/state') {
        res.writeHead(307, {Location: '/mesos/master/state/moved'})
        res.end()
      } else sendState(res)
    })
    const result = await checked(['task', 'list'], {env: {DCOS_URL: url, DCOS_ACS_TOKEN: PLAIN_TOKEN}, secrets: [PLAIN_TOKEN]})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(cluster.authorizations, [`token=${PLAIN_TOKEN}`, `token=${PLAIN_TOKEN}`])
  })
})

/** A CA and a certificate for 127.0.0.1 signed by it, made with the openssl CLI. */
function makeCertificates(dir: string): {ca: string; key: string; cert: string} {
  const path = (name: string) => join(dir, name)
  const openssl = (...args: string[]) => execFileSync('openssl', args, {stdio: 'pipe'})
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl('req', '-x509', ...ec, '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '1', '-subj', '/CN=dcos-ts test CA')
  openssl('req', ...ec, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=127.0.0.1')
  writeFileSync(path('san.ext'), 'subjectAltName=IP:127.0.0.1\n')
  openssl('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-out', path('server.pem'), '-days', '1', '-extfile', path('san.ext'))
  return {ca: path('ca.pem'), key: path('server.key'), cert: path('server.pem')}
}

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], {stdio: 'pipe'})
    return true
  } catch {
    return false
  }
})()

describe('TLS is verified unless asked', {skip: hasOpenssl ? false : 'needs the openssl CLI', concurrency: true}, () => {
  let files: {ca: string; key: string; cert: string}
  let url: string
  before(async () => {
    files = makeCertificates(mkdtempSync(join(scratch, 'tls-')))
    url = (await tlsCluster()).url
  })

  /** An https server with the test CA's certificate, answering an empty master state. */
  async function tlsCluster(): Promise<{url: string; seen: Seen}> {
    const seen = new Seen()
    const server = createTlsServer({key: readFileSync(files.key), cert: readFileSync(files.cert)}, (req, res) => {
      seen.note(req)
      sendState(res)
    })
    return {url: await servers.listen(server), seen}
  }

  const run = (args: string[], env: Record<string, string> = {}, options: Partial<CliOptions & Checked> = {}) =>
    checked(['task', 'list', '-v', ...args], {env: {DCOS_URL: url, DCOS_ACS_TOKEN: PLAIN_TOKEN, ...env}, secrets: [PLAIN_TOKEN], ...options})

  test('a certificate from an unknown CA is refused by default, before any request is sent', async () => {
    const alone = await tlsCluster()
    const result = await run([], {DCOS_URL: alone.url})
    assert.equal(result.code, EXIT_CODES.tls, result.stderr)
    assert.match(result.stderr, /^Error: reading master state: GET \/mesos\/master\/state: TLS with 127\.0\.0\.1:\d+ failed: .*\(pass --ca-file/m)
    assert.deepEqual(alone.seen.authorizations, [], 'nothing reached the server')
  })

  test('--ca-file with the CA verifies and connects', async () => {
    const result = await run(['--ca-file', files.ca])
    assert.equal(result.code, 0, result.stderr)
    assert.doesNotMatch(result.stderr, /Warning/)
  })

  test('core.ssl_verify naming the CA verifies and connects', async () => {
    const home = makeTempHome()
    try {
      const [dir] = await writeClusters(join(home, '.dcos'), [{id: 'c1', toml: {core: {dcos_url: url, dcos_acs_token: PLAIN_TOKEN, ssl_verify: files.ca}}, attached: true}])
      const result = await run([], {DCOS_URL: '', DCOS_ACS_TOKEN: ''}, {home, tokenFiles: [join(dir, 'dcos.toml')]})
      assert.equal(result.code, 0, result.stderr)
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })

  for (const [how, args, env] of [
    ['--insecure', ['--insecure'], {}],
    ['DCOS_SSL_VERIFY=false', [], {DCOS_SSL_VERIFY: 'false'}],
  ] as const) {
    test(`${how} skips verification, and says so`, async () => {
      const result = await run([...args], env)
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stderr, /^Warning: TLS certificate verification is off for https:\/\/127\.0\.0\.1:\d+ /m)
    })
  }
})
