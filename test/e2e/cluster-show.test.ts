/**
 * `dcos-ts cluster show` without contacting a cluster: the resolved values and their sources, read from
 * a DC/OS CLI configuration in a temporary HOME. In-process (test/helpers/in-process.ts).
 */
import assert from 'node:assert/strict'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {after, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {makeTempHome, writeClusters, SPAWNS_AT_ONCE} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.cluster-show-secret.signature'
const homes: string[] = []
after(() => Promise.all(homes.map((home) => rm(home, {recursive: true, force: true}))))

/** A HOME where the DC/OS CLI has set up two clusters and attached "prod". */
async function configuredHome(): Promise<string> {
  const home = makeTempHome()
  homes.push(home)
  await writeClusters(join(home, '.dcos'), [
    {
      id: '7f3e9c1a-prod',
      attached: true,
      toml: {core: {dcos_url: 'https://prod.example.com', dcos_acs_token: TOKEN, ssl_verify: 'false', timeout: 30}, cluster: {name: 'prod'}},
    },
    {id: '0b2d-staging', toml: {core: {dcos_url: 'https://staging.example.com'}, cluster: {name: 'staging'}}},
  ])
  return home
}

describe('cluster show', {concurrency: SPAWNS_AT_ONCE}, () => {
  test('prints the attached cluster, each value with its source, the token redacted', async () => {
    const result = await runInProcess(['cluster', 'show'], {home: await configuredHome()})
    assert.equal(result.code, 0, result.stderr)
    const config = '~/.dcos/clusters/7f3e9c1a-prod/dcos.toml'
    const lines = result.stdout.split('\n').map((line) => line.replace(/ +/g, ' '))
    assert.deepEqual(lines, [
      'name prod (attached (~/.dcos/clusters/7f3e9c1a-prod/attached))',
      'id 7f3e9c1a-prod (attached (~/.dcos/clusters/7f3e9c1a-prod/attached))',
      `url https://prod.example.com (${config})`,
      `token eyJh…(redacted, ${TOKEN.length} chars) (${config})`,
      `tls insecure: the certificate is not verified (${config} core.ssl_verify)`,
      `timeout 30 s (${config} core.timeout)`,
      '',
    ])
    assert.equal(result.stderr, '')
  })

  test('flags and environment override the config; --json', async () => {
    const home = await configuredHome()
    const tokenFile = join(home, 'token')
    await writeFile(tokenFile, 'a-token-from-a-file-0123456789\n', {mode: 0o600})
    const result = await runInProcess(['cluster', 'show', '--json', '--cluster', 'staging', '--token-file', tokenFile, '--timeout', '2.5'], {
      home,
      env: {DCOS_SSL_VERIFY: '/etc/ssl/dcos-ca.pem', DCOS_CLUSTER: 'prod'},
    })
    assert.equal(result.code, 0, result.stderr)
    const shown = JSON.parse(result.stdout) as Record<string, unknown>
    assert.deepEqual(shown, {
      name: 'staging',
      id: '0b2d-staging',
      url: 'https://staging.example.com',
      token: 'a-to…(redacted, 30 chars)',
      tls: {verify: true, caFile: '/etc/ssl/dcos-ca.pem'},
      timeoutSeconds: 2.5,
      configDir: join(home, '.dcos', 'clusters', '0b2d-staging'),
      sources: {
        url: '~/.dcos/clusters/0b2d-staging/dcos.toml',
        token: `flag --token-file ${tokenFile}`,
        tls: 'env DCOS_SSL_VERIFY',
        timeout: 'flag --timeout',
        cluster: 'flag --cluster',
      },
    })
  })

  test('the official CLI plugin environment (DCOS_URL, DCOS_ACS_TOKEN, DCOS_TLS_INSECURE) needs no config', async () => {
    const result = await runInProcess(['cluster', 'show'], {
      env: {DCOS_URL: 'http://10.0.0.1', DCOS_ACS_TOKEN: TOKEN, DCOS_TLS_INSECURE: '1'},
    })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^url +http:\/\/10\.0\.0\.1 +\(env DCOS_URL\)$/m)
    assert.match(result.stdout, /^token +eyJh…\(redacted, \d+ chars\) +\(env DCOS_ACS_TOKEN\)$/m)
    assert.match(result.stdout, /^tls +not used \(http URL\) +\(env DCOS_TLS_INSECURE\)$/m)
    assert.ok(!result.stdout.includes(TOKEN))
  })

  test('malformed dcos.toml: a config error naming the file', async () => {
    const home = makeTempHome()
    homes.push(home)
    await mkdir(join(home, '.dcos', 'clusters', 'broken'), {recursive: true})
    await writeFile(join(home, '.dcos', 'clusters', 'broken', 'dcos.toml'), '[core]\ndcos_url = "https://x\n')
    const result = await runInProcess(['cluster', 'show'], {home})
    assert.equal(result.code, EXIT_CODES.config)
    assert.match(result.stderr, /^Error: ~\/\.dcos\/clusters\/broken\/dcos\.toml is not valid TOML: [^\n]+\n$/)
  })

  test('an unreadable --token-file: a config error naming the file', async () => {
    const result = await runInProcess(['cluster', 'show', '--url', 'https://x.example.com', '--token-file', '/nonexistent/token'])
    assert.equal(result.code, EXIT_CODES.config)
    assert.equal(result.stderr, 'Error: cannot read the token file /nonexistent/token: no such file\n')
  })
})
