import assert from 'node:assert/strict'
import {chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'
import {
  attachCluster,
  listClusters,
  readClusterToml,
  resolveCluster,
  writeClusterToml,
  type ClusterFlags,
  type ClusterToml,
} from '../../src/cluster/config.js'
import {CliError} from '../../src/errors.js'
import {writeClusters, type TestCluster} from '../helpers/cli.js'

const homes: string[] = []
after(() => Promise.all(homes.map((home) => rm(home, {recursive: true, force: true}))))

/** A fresh HOME with the given clusters in ~/.dcos/clusters; returns the env to resolve with. */
async function home(clusters: TestCluster[] = []): Promise<{env: NodeJS.ProcessEnv; home: string; dirs: string[]}> {
  const dir = await mkdtemp(join(tmpdir(), 'dcos-ts-config-'))
  homes.push(dir)
  const dirs = await writeClusters(join(dir, '.dcos'), clusters)
  return {env: {HOME: dir}, home: dir, dirs}
}

const PROD: TestCluster = {
  id: 'id-prod',
  toml: {core: {dcos_url: 'https://prod.example.com/', dcos_acs_token: 'prod-token-0123456789'}, cluster: {name: 'prod'}},
}
const STAGING: TestCluster = {
  id: 'id-staging',
  toml: {core: {dcos_url: 'https://staging.example.com', dcos_acs_token: 'staging-token-0123456789'}, cluster: {name: 'staging'}},
}

async function rejectsWith(promise: Promise<unknown>, kind: string, pattern: RegExp): Promise<CliError> {
  const error = await promise.then(
    () => assert.fail('expected an error'),
    (error: unknown) => error,
  )
  assert.ok(error instanceof CliError, `not a CliError: ${String(error)}`)
  assert.equal(error.kind, kind, error.message)
  assert.match(`${error.message} ${error.hint ?? ''}`, pattern)
  return error
}

describe('which cluster', {concurrency: true}, () => {
  test('nothing configured: a config error that says how to configure one', async () => {
    const {env} = await home()
    const error = await rejectsWith(resolveCluster({}, env), 'config', /no cluster is configured/)
    assert.match(error.hint ?? '', /dcos-ts cluster setup URL.*DCOS_URL.*--url/)
  })

  test('the only configured cluster is used without an attached marker', async () => {
    const {env} = await home([PROD])
    const cluster = await resolveCluster({}, env)
    assert.equal(cluster.url, 'https://prod.example.com')
    assert.equal(cluster.token, 'prod-token-0123456789')
    assert.equal(cluster.name, 'prod')
    assert.equal(cluster.id, 'id-prod')
    assert.match(cluster.configDir ?? '', /\.dcos\/clusters\/id-prod$/)
    assert.equal(cluster.sources.url, '~/.dcos/clusters/id-prod/dcos.toml')
    assert.equal(cluster.sources.token, '~/.dcos/clusters/id-prod/dcos.toml')
    assert.equal(cluster.sources.cluster, 'the only configured cluster')
  })

  test('the attached cluster among several', async () => {
    const {env} = await home([PROD, {...STAGING, attached: true}])
    const cluster = await resolveCluster({}, env)
    assert.equal(cluster.name, 'staging')
    assert.match(cluster.sources.cluster, /^attached/)
  })

  test('several clusters and none attached: a config error naming the ways to choose', async () => {
    const {env} = await home([PROD, STAGING])
    await rejectsWith(resolveCluster({}, env), 'config', /no cluster is attached.*DCOS_CLUSTER/)
  })

  test('two attached markers: a config error', async () => {
    const {env} = await home([{...PROD, attached: true}, {...STAGING, attached: true}])
    await rejectsWith(resolveCluster({}, env), 'config', /several clusters are attached/)
  })

  test('DCOS_CLUSTER (name or exact id) beats the attached marker', async () => {
    const {env} = await home([PROD, {...STAGING, attached: true}])
    assert.equal((await resolveCluster({}, {...env, DCOS_CLUSTER: 'prod'})).name, 'prod')
    assert.equal((await resolveCluster({}, {...env, DCOS_CLUSTER: 'id-prod'})).name, 'prod')
    assert.equal((await resolveCluster({}, {...env, DCOS_CLUSTER: 'prod'})).sources.cluster, 'env DCOS_CLUSTER')
    // No prefix matching, as in the DC/OS CLI.
    await rejectsWith(resolveCluster({}, {...env, DCOS_CLUSTER: 'id-pr'}), 'config', /'id-pr'.*configured: prod, staging/)
  })

  test('--cluster beats DCOS_CLUSTER and DCOS_URL', async () => {
    const {env} = await home([PROD, STAGING])
    const cluster = await resolveCluster({cluster: 'staging'}, {...env, DCOS_CLUSTER: 'prod', DCOS_URL: 'https://prod.example.com'})
    assert.equal(cluster.url, 'https://staging.example.com')
    assert.equal(cluster.sources.cluster, 'flag --cluster')
    // DCOS_ACS_TOKEN goes with DCOS_URL's cluster, not with the one --cluster picked.
    assert.equal((await resolveCluster({cluster: 'staging'}, {...env, DCOS_ACS_TOKEN: 'env-token'})).token, 'staging-token-0123456789')
  })

  test('DCOS_URL beats DCOS_CLUSTER and takes the matching cluster config (the official CLI plugin case)', async () => {
    const {env} = await home([PROD, {...STAGING, attached: true}])
    const cluster = await resolveCluster({}, {...env, DCOS_CLUSTER: 'staging', DCOS_URL: 'https://prod.example.com'})
    assert.equal(cluster.url, 'https://prod.example.com')
    assert.equal(cluster.sources.url, 'env DCOS_URL')
    assert.equal(cluster.name, 'prod')
    assert.equal(cluster.token, 'prod-token-0123456789')
    assert.equal(cluster.sources.cluster, 'matches the URL')
  })

  test('a URL no cluster is configured for never gets a configured token', async () => {
    const {env} = await home([{...PROD, attached: true}])
    for (const [flags, extra] of [
      [{url: 'https://elsewhere.example.com'}, {}],
      [{}, {DCOS_URL: 'https://elsewhere.example.com'}],
    ] as Array<[ClusterFlags, NodeJS.ProcessEnv]>) {
      const cluster = await resolveCluster(flags, {...env, ...extra})
      assert.equal(cluster.url, 'https://elsewhere.example.com')
      assert.equal(cluster.token, undefined)
      assert.equal(cluster.name, undefined)
      assert.equal(cluster.sources.token, 'none')
      assert.equal(cluster.sources.cluster, 'none')
    }
  })

  test('--url beats DCOS_URL; trailing slashes are trimmed', async () => {
    const {env} = await home()
    const cluster = await resolveCluster({url: 'http://127.0.0.1:8080/'}, {...env, DCOS_URL: 'https://other'})
    assert.equal(cluster.url, 'http://127.0.0.1:8080')
    assert.equal(cluster.sources.url, 'flag --url')
  })

  test('a bad URL is a usage error from a flag and a config error from the environment', async () => {
    const {env} = await home()
    await rejectsWith(resolveCluster({url: 'dcos.example.com'}, env), 'usage', /not a URL/)
    await rejectsWith(resolveCluster({url: 'ftp://x'}, env), 'usage', /not an http or https URL/)
    await rejectsWith(resolveCluster({}, {...env, DCOS_URL: 'nope'}), 'config', /env DCOS_URL/)
  })

  test('--url and --cluster together are a usage error', async () => {
    const {env} = await home([PROD])
    await rejectsWith(resolveCluster({url: 'https://x', cluster: 'prod'}, env), 'usage', /--url and --cluster/)
  })

  test('DCOS_DIR replaces ~/.dcos', async () => {
    const {env} = await home()
    const other = await home([STAGING])
    const cluster = await resolveCluster({}, {...env, DCOS_DIR: join(other.home, '.dcos')})
    assert.equal(cluster.name, 'staging')
  })

  test('the legacy global dcos.toml is read when no clusters folder exists', async () => {
    const {env, home: dir} = await home()
    await writeClusterToml(join(dir, '.dcos', 'dcos.toml'), {core: {dcos_url: 'https://legacy.example.com', dcos_acs_token: 'legacy-token'}})
    const cluster = await resolveCluster({}, env)
    assert.equal(cluster.url, 'https://legacy.example.com')
    assert.equal(cluster.token, 'legacy-token')
    assert.equal(cluster.id, undefined)
    assert.equal(cluster.sources.cluster, 'legacy ~/.dcos/dcos.toml')
  })

  test('malformed TOML is a config error naming the file', async () => {
    const {env, home: dir} = await home()
    const path = join(dir, '.dcos', 'clusters', 'broken', 'dcos.toml')
    await mkdir(join(dir, '.dcos', 'clusters', 'broken'), {recursive: true})
    await writeFile(path, '[core\ndcos_url = "https://x"\n')
    await rejectsWith(resolveCluster({}, env), 'config', /~\/\.dcos\/clusters\/broken\/dcos\.toml is not valid TOML/)
  })

  test('a cluster folder without dcos_url is a config error naming the file', async () => {
    const {env} = await home([{id: 'empty', toml: {cluster: {name: 'empty'}}}])
    await rejectsWith(resolveCluster({}, env), 'config', /clusters\/empty\/dcos\.toml has no core\.dcos_url/)
  })
})

describe('token', {concurrency: true}, () => {
  test('DCOS_ACS_TOKEN beats dcos.toml, --token-file beats both', async () => {
    const {env, home: dir} = await home([PROD])
    const fromEnv = await resolveCluster({}, {...env, DCOS_ACS_TOKEN: 'env-token'})
    assert.equal(fromEnv.token, 'env-token')
    assert.equal(fromEnv.sources.token, 'env DCOS_ACS_TOKEN')
    const tokenFile = join(dir, 'token')
    await writeFile(tokenFile, 'file-token\n', {mode: 0o600})
    const fromFile = await resolveCluster({tokenFile}, {...env, DCOS_ACS_TOKEN: 'env-token'})
    assert.equal(fromFile.token, 'file-token')
    assert.equal(fromFile.sources.token, `flag --token-file ${tokenFile}`)
  })

  test('an unreadable or empty --token-file is a config error naming the file', async () => {
    const {env, home: dir} = await home()
    const missing = join(dir, 'missing-token')
    await rejectsWith(resolveCluster({url: 'https://x', tokenFile: missing}, env), 'config', new RegExp(`token file ${missing}: no such file`))
    const empty = join(dir, 'empty-token')
    await writeFile(empty, '  \n', {mode: 0o600})
    await rejectsWith(resolveCluster({url: 'https://x', tokenFile: empty}, env), 'config', /is empty/)
    // Others may read it: refused, as key and password files are.
    const open = join(dir, 'open-token')
    await writeFile(open, 'secret\n', {mode: 0o644})
    await rejectsWith(resolveCluster({url: 'https://x', tokenFile: open}, env), 'config', /permissions 0644 for '.*open-token' are too open, expected 0400 or 0600/)
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked-token')
      await writeFile(locked, 'secret')
      await chmod(locked, 0)
      await rejectsWith(resolveCluster({url: 'https://x', tokenFile: locked}, env), 'config', /permission denied/)
    }
  })
})

describe('TLS', {concurrency: true}, () => {
  const withSslVerify = (ssl_verify: string | boolean): TestCluster => ({id: 'c', toml: {core: {dcos_url: 'https://c.example.com', ssl_verify}}})

  test('core.ssl_verify as a boolean, a boolean string, empty, or a CA path', async () => {
    const cases: Array<[string | boolean, {verify: boolean; caFile?: string}]> = [
      [false, {verify: false}],
      [true, {verify: true}],
      ['false', {verify: false}],
      ['False', {verify: false}],
      ['0', {verify: false}],
      ['true', {verify: true}],
      ['', {verify: true}],
      ['/etc/dcos/ca.crt', {verify: true, caFile: '/etc/dcos/ca.crt'}],
    ]
    for (const [value, expected] of cases) {
      const {env} = await home([withSslVerify(value)])
      const cluster = await resolveCluster({}, env)
      assert.deepEqual(cluster.tls, expected, `ssl_verify = ${JSON.stringify(value)}`)
      assert.equal(cluster.sources.tls, value === '' ? 'default' : '~/.dcos/clusters/c/dcos.toml core.ssl_verify')
    }
  })

  test('DCOS_SSL_VERIFY beats core.ssl_verify; then DCOS_TLS_INSECURE and DCOS_TLS_CA_PATH (set by the official CLI)', async () => {
    const {env} = await home([withSslVerify('/from/toml.pem')])
    const sslVerify = await resolveCluster({}, {...env, DCOS_SSL_VERIFY: '/from/env.pem', DCOS_TLS_INSECURE: '1'})
    assert.deepEqual(sslVerify.tls, {verify: true, caFile: '/from/env.pem'})
    assert.equal(sslVerify.sources.tls, 'env DCOS_SSL_VERIFY')
    assert.deepEqual((await resolveCluster({}, {...env, DCOS_SSL_VERIFY: 'false'})).tls, {verify: false})
    const insecure = await resolveCluster({}, {...env, DCOS_TLS_INSECURE: '1'})
    assert.deepEqual(insecure.tls, {verify: false})
    assert.equal(insecure.sources.tls, 'env DCOS_TLS_INSECURE')
    const caPath = await resolveCluster({}, {...env, DCOS_TLS_CA_PATH: '/plugin/ca.pem'})
    assert.deepEqual(caPath.tls, {verify: true, caFile: '/plugin/ca.pem'})
    assert.equal(caPath.sources.tls, 'env DCOS_TLS_CA_PATH')
  })

  test('--insecure and --ca-file beat the environment; together they are a usage error', async () => {
    const {env} = await home([withSslVerify('true')])
    const insecure = await resolveCluster({insecure: true}, {...env, DCOS_SSL_VERIFY: '/env.pem'})
    assert.deepEqual(insecure.tls, {verify: false})
    assert.equal(insecure.sources.tls, 'flag --insecure')
    const caFile = await resolveCluster({caFile: '/flag/ca.pem'}, {...env, DCOS_TLS_INSECURE: '1'})
    assert.deepEqual(caFile.tls, {verify: true, caFile: '/flag/ca.pem'})
    await rejectsWith(resolveCluster({insecure: true, caFile: '/x.pem'}, env), 'usage', /--insecure and --ca-file/)
  })
})

describe('timeout', {concurrency: true}, () => {
  test('flag > DCOS_TIMEOUT > core.timeout (integer or string) > 60 s', async () => {
    const {env} = await home([{id: 'c', toml: {core: {dcos_url: 'https://c', timeout: 5}}}])
    assert.equal((await resolveCluster({}, env)).timeoutMs, 5000)
    assert.equal((await resolveCluster({}, env)).sources.timeout, '~/.dcos/clusters/c/dcos.toml core.timeout')
    assert.equal((await resolveCluster({}, {...env, DCOS_TIMEOUT: '3'})).timeoutMs, 3000)
    assert.equal((await resolveCluster({timeout: 1.5}, {...env, DCOS_TIMEOUT: '3'})).timeoutMs, 1500)
    const asString = await home([{id: 'c', toml: {core: {dcos_url: 'https://c', timeout: '7'}}}])
    assert.equal((await resolveCluster({}, asString.env)).timeoutMs, 7000)
    const none = await resolveCluster({url: 'https://x'}, (await home()).env)
    assert.equal(none.timeoutMs, 60_000)
    assert.equal(none.sources.timeout, 'default')
  })

  test('a timeout that is not a positive number is an error naming its source', async () => {
    const {env} = await home([{id: 'c', toml: {core: {dcos_url: 'https://c', timeout: 'soon'}}}])
    await rejectsWith(resolveCluster({}, env), 'config', /'soon'.*core\.timeout/)
    await rejectsWith(resolveCluster({}, {...env, DCOS_TIMEOUT: '-1'}), 'config', /env DCOS_TIMEOUT/)
    await rejectsWith(resolveCluster({timeout: 0}, env), 'usage', /flag --timeout/)
  })
})

describe('config files', {concurrency: true}, () => {
  test('writeClusterToml writes mode 0600 in a 0700 folder and keeps keys it does not know', async () => {
    const {home: dir} = await home()
    const path = join(dir, '.dcos', 'clusters', 'new', 'dcos.toml')
    const toml: ClusterToml = {core: {dcos_url: 'https://n', ssl_verify: 'false', pagination: false}, marathon: {url: 'https://m'}, cluster: {name: 'n'}}
    await writeClusterToml(path, toml)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal((await stat(join(dir, '.dcos', 'clusters', 'new'))).mode & 0o777, 0o700)
    assert.deepEqual(JSON.parse(JSON.stringify(await readClusterToml(path))), toml)
    assert.match(await readFile(path, 'utf8'), /\[core\]/)
    // A cluster folder others could list (made by hand, or by an older CLI) is tightened when written.
    const folder = join(dir, '.dcos', 'clusters', 'old')
    await mkdir(folder, {recursive: true, mode: 0o755})
    await chmod(folder, 0o755)
    await writeClusterToml(join(folder, 'dcos.toml'), toml)
    assert.equal((await stat(folder)).mode & 0o777, 0o700)
  })

  test('listClusters sorts by name and attachCluster moves the marker', async () => {
    const {env} = await home([{...STAGING, attached: true}, PROD, {id: 'no-config', toml: {}}])
    await rm(join(env.HOME!, '.dcos', 'clusters', 'no-config', 'dcos.toml'))
    const before = await listClusters(env)
    assert.deepEqual(
      before.map((c) => [c.name, c.attached]),
      [
        ['prod', false],
        ['staging', true],
      ],
    )
    await attachCluster(before, 'id-prod')
    const afterwards = await listClusters(env)
    assert.deepEqual(
      afterwards.map((c) => [c.name, c.attached]),
      [
        ['prod', true],
        ['staging', false],
      ],
    )
  })
})
