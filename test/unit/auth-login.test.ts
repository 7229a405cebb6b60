/**
 * The login building blocks: secure files, provider choice, the service login JWT, keeping other keys of
 * dcos.toml, the prompt (piped lines and a raw-mode terminal), and the HTTP client's onUnauthorized hook.
 */
import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {mkdtempSync, rmSync} from 'node:fs'
import {chmod, writeFile} from 'node:fs/promises'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'
import {after, before, describe, test} from 'node:test'
import {decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify} from 'jose'
import type {ClusterToml, ResolvedCluster} from '../../src/cluster/config.js'
import {CliError} from '../../src/errors.js'
import {createHttpClient} from '../../src/cluster/http.js'
import {configuredServiceAccount, selectProvider, serviceLoginToken, withLogin, withoutLogin, type LoginProvider} from '../../src/cluster/login.js'
import {readSecureFile} from '../../src/cluster/secure-file.js'
import {testIO} from '../../src/output/io.js'
import {createPrompter} from '../../src/run/prompt.js'

const dir = mkdtempSync(join(tmpdir(), 'dcos-ts-auth-unit-'))
after(() => rmSync(dir, {recursive: true, force: true}))

describe('secure files', () => {
  test('a file others can read is refused with the official message; 0600 and 0400 are read', async () => {
    const path = join(dir, 'password')
    await writeFile(path, 'secret\n')
    await chmod(path, 0o644)
    await assert.rejects(readSecureFile(path, 'password file'), (error: CliError) => {
      assert.equal(error.kind, 'config')
      assert.equal(error.message, `permissions 0644 for '${path}' are too open, expected 0400 or 0600`)
      return true
    })
    await chmod(path, 0o640)
    await assert.rejects(readSecureFile(path, 'password file'), /permissions 0640 for/)
    for (const mode of [0o600, 0o400]) {
      await chmod(path, mode)
      assert.equal(await readSecureFile(path, 'password file'), 'secret\n')
    }
    await assert.rejects(readSecureFile(join(dir, 'missing'), 'private key'), (error: CliError) => error.kind === 'config' && /no such file/.test(error.message))
  })
})

describe('providers', () => {
  const start = '/acs/api/v1/auth/login'
  const providers: LoginProvider[] = [
    {id: 'dcos-users', type: 'dcos-uid-password', description: '', startFlowUrl: start},
    {id: 'dcos-services', type: 'dcos-uid-servicekey', description: '', startFlowUrl: start},
    {id: 'dcos-oidc-auth0', type: 'oidc-implicit-flow', description: '', startFlowUrl: '/login'},
  ]

  test('the credentials pick the provider; --provider wins; browser flows are not offered', () => {
    assert.equal(selectProvider(providers, {username: 'bob'}).id, 'dcos-users')
    assert.equal(selectProvider(providers, {username: 'svc', privateKeyPath: '/k.pem'}).id, 'dcos-services')
    assert.equal(selectProvider(providers, {provider: 'dcos-users'}).id, 'dcos-users')
    assert.throws(() => selectProvider(providers, {provider: 'nope'}), /unknown login provider ID 'nope'/)
    assert.throws(() => selectProvider(providers, {provider: 'dcos-oidc-auth0'}), /needs a browser/)
    assert.throws(() => selectProvider(providers, {provider: 'dcos-users', privateKeyPath: '/k.pem'}), /does not take a service-key/)
    assert.throws(() => selectProvider([providers[2]], {}), /couldn't determine a login provider/)
  })
})

describe('service login token', () => {
  test('RS256 with uid and exp = now + 5 min, from a PKCS#1 key; a key that is not RSA is refused', async () => {
    const {publicKey, privateKey} = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: {type: 'spki', format: 'pem'},
      privateKeyEncoding: {type: 'pkcs1', format: 'pem'},
    })
    const now = Date.now()
    const token = await serviceLoginToken('ci-logs', privateKey, now)
    assert.equal(decodeProtectedHeader(token).alg, 'RS256')
    const {payload} = await jwtVerify(token, await importSPKI(publicKey, 'RS256'))
    assert.equal(payload.uid, 'ci-logs')
    assert.equal(payload.exp, Math.floor(now / 1000) + 300)
    assert.deepEqual(Object.keys(decodeJwt(token)).sort(), ['exp', 'uid'])

    const ec = generateKeyPairSync('ec', {namedCurve: 'P-256', privateKeyEncoding: {type: 'pkcs8', format: 'pem'}, publicKeyEncoding: {type: 'spki', format: 'pem'}})
    await assert.rejects(serviceLoginToken('ci-logs', ec.privateKey), /is an ec key; DC\/OS service accounts use RSA keys/)
    await assert.rejects(serviceLoginToken('ci-logs', 'not a key'), (error: CliError) => error.kind === 'config')
  })
})

describe('dcos.toml', () => {
  test('logging in and out touches only the token and the [dcos-ts] service account', () => {
    const official = (): ClusterToml => ({
      core: {dcos_url: 'https://prod.example.com', ssl_verify: 'false', timeout: 30, dcos_acs_token: 'old'},
      cluster: {name: 'prod'},
      marathon: {url: 'https://prod.example.com/service/marathon-user'},
    })
    const toml = withLogin(official(), 'new', {uid: 'svc', privateKeyPath: '/keys/svc.pem'})
    assert.deepEqual(toml, {...official(), core: {...official().core, dcos_acs_token: 'new'}, 'dcos-ts': {service_account_uid: 'svc', service_account_private_key: '/keys/svc.pem'}})
    assert.deepEqual(configuredServiceAccount(toml), {uid: 'svc', privateKeyPath: '/keys/svc.pem'})
    assert.deepEqual(withLogin(toml, 'user', null)['dcos-ts'], undefined)
    assert.equal(withoutLogin(toml), true)
    const {dcos_acs_token: _gone, ...core} = official().core ?? {}
    assert.deepEqual(toml, {...official(), core})
    assert.equal(withoutLogin(toml), false)
  })
})

describe('prompt', () => {
  test('piped: one answer per line, even when both lines come in one chunk; no question shown; EOF is undefined', async () => {
    const io = testIO()
    const stdin = new PassThrough()
    io.stdin = stdin
    stdin.end('bob\r\ns3cret\n')
    const prompter = createPrompter(io)
    assert.equal(await prompter.ask('Username: '), 'bob')
    assert.equal(await prompter.ask('Password: ', {secret: true}), 's3cret')
    assert.equal(await prompter.ask('Again: '), undefined)
    assert.equal(io.stderrText(), '')
  })

  test('a terminal: the secret is read in raw mode, never echoed; Backspace erases; raw mode is restored', async () => {
    const io = testIO()
    const modes: boolean[] = []
    const stdin = Object.assign(new PassThrough(), {isTTY: true, isRaw: false, setRawMode: (mode: boolean) => modes.push(mode)})
    io.stdin = stdin
    io.isStdinTTY = true
    const answer = createPrompter(io).ask('Password: ', {secret: true})
    stdin.write('hunter2')
    stdin.write('x\u007f\r')
    assert.equal(await answer, 'hunter2')
    assert.deepEqual(modes, [true, false])
    assert.equal(io.stderrText(), 'Password: \n')
  })

  test('Ctrl-C at a secret prompt is an interruption (exit 130), raw mode restored', async () => {
    const io = testIO()
    const modes: boolean[] = []
    const stdin = Object.assign(new PassThrough(), {isTTY: true, setRawMode: (mode: boolean) => modes.push(mode)})
    io.stdin = stdin
    io.isStdinTTY = true
    const answer = createPrompter(io).ask('Password: ', {secret: true})
    stdin.write('abc\u0003')
    await assert.rejects(answer, (error: CliError) => error.kind === 'interrupted' && error.exitCode === 130)
    assert.deepEqual(modes, [true, false])
  })
})

describe('HTTP client onUnauthorized', () => {
  let server: Server
  let url: string
  let valid = 'token-B'
  const seen: string[] = []
  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`)
      const ok = req.headers.authorization === `token=${valid}`
      res.writeHead(ok ? 200 : 401, {'content-type': 'application/json'}).end(ok ? '{"ok":true}' : '{"description":"no"}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  const cluster = (token: string): ResolvedCluster => ({
    url,
    token,
    tls: {verify: true},
    timeoutMs: 2000,
    sources: {url: 'test', token: 'test', tls: 'test', timeout: 'test', cluster: 'test'},
  })

  test('a 401 gets a new token once, shared by concurrent requests, and every request is sent again with it', async () => {
    seen.length = 0
    valid = 'token-B'
    let calls = 0
    const http = createHttpClient(cluster('token-A'), {onUnauthorized: async () => (calls++, 'token-B')})
    const answers = await Promise.all([http.json('/a'), http.json('/b'), http.json('/c')])
    assert.deepEqual(answers, [{ok: true}, {ok: true}, {ok: true}])
    assert.equal(calls, 1)
    assert.deepEqual(await http.json('/d'), {ok: true})
    assert.equal(seen.filter((line) => line.endsWith('token=token-A')).length, 3)
    assert.equal(seen.filter((line) => line.endsWith('token=token-B')).length, 4)
  })

  test('no new token (no service account): the 401 stands; an allowed 401 never calls the hook', async () => {
    valid = 'token-C'
    let calls = 0
    const http = createHttpClient(cluster('token-A'), {onUnauthorized: async () => (calls++, undefined)})
    await assert.rejects(http.json('/a'), (error: CliError) => error.kind === 'auth' && error.status === 401)
    assert.equal(calls, 1)
    const {response} = await http.text('/login', {method: 'POST', json: {uid: 'x'}, allowStatuses: [401]})
    assert.equal(response.status, 401)
    assert.equal(calls, 1)
  })
})
