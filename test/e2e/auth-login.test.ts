/**
 * Logging in against the simulated cluster's IAM (auth on): `cluster setup` and `auth login` with
 * passwords and service-account keys, good and bad, file modes, `auth logout`, and a follow that outlives
 * its token. Needs the build (`npm run build:dev`).
 */
import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'
import {existsSync} from 'node:fs'
import {chmod, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import type {ClusterToml} from '../../src/cluster/config.js'
import {EXIT_CODES} from '../../src/errors.js'
import {DEFAULT_USER, startSim, type Sim} from '../../src/sim/index.js'
import {fileMode, readClusterToml, runCli, startCli, tempHomes, writeClusters, SPAWNS_AT_ONCE} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

let sim: Sim
let clusterId: string
const home = tempHomes()
const SERVICE = 'ci-logs'
/** As `dcos security org service-accounts keypair` writes them: PKCS#1 private, SPKI public. */
const keyPair = () =>
  generateKeyPairSync('rsa', {modulusLength: 2048, publicKeyEncoding: {type: 'spki', format: 'pem'}, privateKeyEncoding: {type: 'pkcs1', format: 'pem'}})
const serviceKeys = keyPair()

before(async () => {
  sim = await startSim({auth: true, filePollMs: 20})
  sim.addServiceAccount(SERVICE, serviceKeys.publicKey)
  const metadata = await fetch(`${sim.url}/metadata`, {headers: {authorization: `token=${sim.issueToken('test')}`}})
  clusterId = ((await metadata.json()) as {CLUSTER_ID: string}).CLUSTER_ID
})
after(() => sim.close())

/** A HOME where the official CLI set up the sim (as `dcos cluster setup` writes it), without a token. */
async function officialHome(extra: ClusterToml = {}): Promise<{home: string; config: string}> {
  const dir = home()
  const [clusterDir] = await writeClusters(join(dir, '.dcos'), [
    {
      id: clusterId,
      attached: true,
      toml: {core: {dcos_url: sim.url, ssl_verify: 'false', timeout: 30}, cluster: {name: 'sim'}, marathon: {url: `${sim.url}/service/marathon`}, ...extra},
    },
  ])
  return {home: dir, config: join(clusterDir, 'dcos.toml')}
}

async function writeSecret(dir: string, name: string, content: string, fileMode: number): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, content)
  await chmod(path, fileMode)
  return path
}

describe('login against the simulated cluster', {concurrency: SPAWNS_AT_ONCE}, () => {
  test('cluster setup with a password on stdin writes the official layout (0700 folders, 0600 files) and attaches', async () => {
    const dir = home()
    const result = await runCli(['cluster', 'setup', sim.url], {home: dir, stdin: `${DEFAULT_USER.uid}\n${DEFAULT_USER.password}\n`})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, '')
    assert.doesNotMatch(result.stderr, new RegExp(DEFAULT_USER.password))
    const clusterDir = join(dir, '.dcos', 'clusters', clusterId)
    for (const folder of [join(dir, '.dcos'), join(dir, '.dcos', 'clusters'), clusterDir]) assert.equal(await fileMode(folder), 0o700, folder)
    assert.equal(await fileMode(join(clusterDir, 'dcos.toml')), 0o600)
    assert.ok(existsSync(join(clusterDir, 'attached')))
    const toml = await readClusterToml(join(clusterDir, 'dcos.toml'))
    assert.equal(toml.core?.dcos_url, sim.url)
    assert.equal(toml.cluster?.name, `sim-${clusterId.slice(0, 8)}`, "the Mesos name 'sim' is reserved for --cluster sim")
    assert.match(String(toml.core?.dcos_acs_token), /^eyJ/)

    const check = await runCli(['cluster', 'show', '--check'], {home: dir})
    assert.equal(check.code, 0, check.stderr)
    assert.match(check.stdout, /token accepted/)
  })

  test('auth login --cluster sim is refused before the built-in cluster starts: no URL of a process that is gone', async () => {
    const dir = home()
    const result = await runInProcess(['auth', 'login', '--cluster', 'sim', '--username', DEFAULT_USER.uid], {home: dir})
    assert.equal(result.code, EXIT_CODES.usage)
    assert.equal(
      result.stderr,
      'Error: cannot log in to the built-in simulated cluster (--cluster sim): it needs no token, and it ends with this command ' +
        '(for one that asks for a login, run `dcos-ts sim --auth` and `dcos-ts cluster setup` the URL it prints)\n',
    )
    assert.equal(existsSync(join(dir, '.dcos')), false)
  })

  test('a bad password is an auth error with the IAM description, and nothing is written', async () => {
    const dir = home()
    const result = await runCli(['cluster', 'setup', sim.url], {home: dir, env: {DCOS_USERNAME: DEFAULT_USER.uid, DCOS_PASSWORD: 'wrong'}})
    assert.equal(result.code, EXIT_CODES.auth, result.stderr)
    assert.equal(
      result.stderr,
      `Error: login as '${DEFAULT_USER.uid}' failed: Invalid credentials. Check your uid and password or service account key. (401)\n`,
    )
    assert.equal(existsSync(join(dir, '.dcos', 'clusters')), false)
  })

  test('a password file others can read is refused; at 0600 it logs in, keeping the official keys', async () => {
    const {home: dir, config} = await officialHome()
    const passwordFile = await writeSecret(dir, 'password', `${DEFAULT_USER.password}\n`, 0o644)
    const refused = await runCli(['auth', 'login', '--username', DEFAULT_USER.uid, '--password-file', passwordFile], {home: dir})
    assert.equal(refused.code, EXIT_CODES.config)
    assert.equal(refused.stderr, `Error: permissions 0644 for '${passwordFile}' are too open, expected 0400 or 0600 (chmod 600 '${passwordFile}')\n`)

    await chmod(passwordFile, 0o600)
    const before = await readClusterToml(config)
    const result = await runCli(['auth', 'login', '--username', DEFAULT_USER.uid, '--password-file', passwordFile], {home: dir})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stderr, `Logged in as '${DEFAULT_USER.uid}' to 'sim' (${sim.url}).\n`)
    const after = await readClusterToml(config)
    const {dcos_acs_token: token, ...core} = after.core ?? {}
    assert.match(String(token), /^eyJ/)
    assert.deepEqual({...after, core}, before, 'every other key as the official CLI wrote it')
    assert.equal(await fileMode(config), 0o600)
  })

  test('a service account logs in with its key; a bad key and an open key file are refused; logout forgets both', async () => {
    const {home: dir, config} = await officialHome()
    const keyFile = await writeSecret(dir, 'ci-logs.pem', serviceKeys.privateKey, 0o600)
    const strangerKey = await writeSecret(dir, 'stranger.pem', keyPair().privateKey, 0o400)

    const bad = await runCli(['auth', 'login', '--username', SERVICE, '--private-key', strangerKey], {home: dir})
    assert.equal(bad.code, EXIT_CODES.auth)
    assert.match(bad.stderr, /^Error: login as 'ci-logs' failed: Invalid credentials\. .*\(401\)\n$/)

    await chmod(keyFile, 0o644)
    const open = await runCli(['auth', 'login', '--username', SERVICE, '--private-key', keyFile], {home: dir})
    assert.equal(open.code, EXIT_CODES.config)
    assert.match(open.stderr, /^Error: permissions 0644 for '.*ci-logs\.pem' are too open, expected 0400 or 0600/)
    await chmod(keyFile, 0o600)

    const good = await runCli(['auth', 'login', '--username', SERVICE, '--private-key', keyFile], {home: dir})
    assert.equal(good.code, 0, good.stderr)
    const toml = await readClusterToml(config)
    assert.match(String(toml.core?.dcos_acs_token), /^eyJ/)
    assert.deepEqual(toml['dcos-ts'], {service_account_uid: SERVICE, service_account_private_key: keyFile})
    assert.equal((await runCli(['cluster', 'show', '--check'], {home: dir})).code, 0)

    const logout = await runCli(['auth', 'logout'], {home: dir})
    assert.equal(logout.code, 0, logout.stderr)
    const loggedOut = await readClusterToml(config)
    assert.equal(loggedOut.core?.dcos_acs_token, undefined)
    assert.equal(loggedOut['dcos-ts'], undefined)
    assert.equal(loggedOut.marathon !== undefined && loggedOut.core?.timeout, 30)
    assert.equal(await fileMode(config), 0o600)
    assert.equal((await runCli(['cluster', 'show', '--check'], {home: dir})).code, EXIT_CODES.auth)
  })

  test('a token that expires mid-follow: the service account logs in again and the follow resumes, no line lost or twice', async () => {
    const task = sim.tasks().find((t) => t.state === 'TASK_RUNNING' && !t.isPod)
    assert.ok(task)
    const line = (n: number) => `relogin line ${n}`
    sim.writeFile(task.id, 'stdout', `${[1, 2, 3].map(line).join('\n')}\n`)
    const dir = home()
    const keyFile = await writeSecret(dir, 'ci-logs.pem', serviceKeys.privateKey, 0o600)
    const shortToken = sim.issueToken(SERVICE, {expiresInSec: 1})
    const [clusterDir] = await writeClusters(join(dir, '.dcos'), [
      {
        id: clusterId,
        attached: true,
        toml: {core: {dcos_url: sim.url, dcos_acs_token: shortToken}, cluster: {name: 'sim'}, 'dcos-ts': {service_account_uid: SERVICE, service_account_private_key: keyFile}},
      },
    ])
    const config = join(clusterDir, 'dcos.toml')

    // The 3 lines are read through the files API; the event stream opened after them carries 2 more,
    // written once the token expired, and is then closed: its reopening meets the 401.
    sim.inject({kind: 'end-stream', afterEvents: 2, mode: 'close', match: 'task-stream'})
    const cli = startCli(['task', 'log', '--follow', '--no-tui', task.id], {home: dir})
    await cli.waitForStdout(`${line(3)}\n`)
    const expiresAt = (JSON.parse(Buffer.from(shortToken.split('.')[1], 'base64url').toString()) as {exp: number}).exp * 1000
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 50)))
    sim.appendLines(task.id, [line(4), line(5)])
    await cli.waitForStdout(`${line(5)}\n`)
    sim.appendLines(task.id, [line(6)])
    await cli.waitForStdout(`${line(6)}\n`)
    cli.kill('SIGINT')
    const result = await cli.done
    assert.deepEqual(result.stdout.split('\n').filter((l) => l.startsWith('relogin')), [1, 2, 3, 4, 5, 6].map(line))
    const renewed = await readClusterToml(config)
    assert.notEqual(renewed.core?.dcos_acs_token, shortToken, 'the new token is kept for the next run')
    assert.equal(await fileMode(config), 0o600)
  })

  test('without a service account, a 401 stops with the auth message', async () => {
    const {home: dir} = await officialHome({core: {dcos_url: sim.url, dcos_acs_token: sim.issueToken('bob', {expiresInSec: -10})}})
    const result = await runCli(['task', 'log', '--follow', '--no-tui', 'web'], {home: dir})
    assert.equal(result.code, EXIT_CODES.auth, result.stderr)
    assert.match(result.stderr, /^Error: .*the cluster rejected the token \(401.*\): it expired at .*dcos-ts auth login/)
  })
})
