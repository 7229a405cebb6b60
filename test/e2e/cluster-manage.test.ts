/**
 * `cluster list | attach | remove | setup` on the official CLI's layout ($DCOS_DIR/clusters/<id>/dcos.toml
 * and the `attached` marker), and setup against the simulated cluster without auth. In-process (test/helpers/in-process.ts).
 */
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {startSim, type Sim} from '../../src/sim/index.js'
import {fileMode, readClusterToml, tempHomes, writeClusters, SPAWNS_AT_ONCE} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

const home = tempHomes()
let sim: Sim
let clusterId: string

before(async () => {
  sim = await startSim()
  clusterId = ((await (await fetch(`${sim.url}/metadata`)).json()) as {CLUSTER_ID: string}).CLUSTER_ID
})
after(() => sim.close())

/** Two clusters as the official CLI leaves them, "prod" attached. */
async function twoClusters(dcosDir: string): Promise<void> {
  await writeClusters(dcosDir, [
    {id: '7f3e9c1a-prod', attached: true, toml: {core: {dcos_url: 'https://prod.example.com', dcos_acs_token: 'eyJ.prod.sig'}, cluster: {name: 'prod'}}},
    {id: '0b2d-staging', toml: {core: {dcos_url: 'https://staging.example.com'}, cluster: {name: 'staging'}}},
  ])
}

describe('cluster list, attach, remove', {concurrency: SPAWNS_AT_ONCE}, () => {
  test('list marks the attached cluster; attach moves the marker; --json is one object a line', async () => {
    const dir = home()
    const dcosDir = join(dir, 'elsewhere')
    await twoClusters(dcosDir)
    const env = {DCOS_DIR: dcosDir}
    const listed = await runInProcess(['cluster', 'list'], {home: dir, env})
    assert.equal(listed.code, 0, listed.stderr)
    assert.equal(
      listed.stdout,
      '   NAME     ID             URL\n*  prod     7f3e9c1a-prod  https://prod.example.com\n   staging  0b2d-staging   https://staging.example.com\n',
    )

    const attach = await runInProcess(['cluster', 'attach', 'staging'], {home: dir, env})
    assert.equal(attach.code, 0, attach.stderr)
    assert.equal(existsSync(join(dcosDir, 'clusters', '7f3e9c1a-prod', 'attached')), false)
    assert.ok(existsSync(join(dcosDir, 'clusters', '0b2d-staging', 'attached')))

    const json = await runInProcess(['cluster', 'list', '--json'], {home: dir, env})
    assert.deepEqual(
      json.stdout.trim().split('\n').map((line) => JSON.parse(line)),
      [
        {name: 'prod', id: '7f3e9c1a-prod', url: 'https://prod.example.com', attached: false, broken: null},
        {name: 'staging', id: '0b2d-staging', url: 'https://staging.example.com', attached: true, broken: null},
      ],
    )
    const attached = await runInProcess(['cluster', 'list', '--attached'], {home: dir, env})
    assert.match(attached.stdout, /^ {3}NAME {5}ID {12}URL\n\* {2}staging /)
  })

  test('remove deletes the folder by name or id; an unknown name is an error; --all empties the list', async () => {
    const dir = home()
    const dcosDir = join(dir, '.dcos')
    await twoClusters(dcosDir)
    const unknown = await runInProcess(['cluster', 'remove', 'nope'], {home: dir})
    assert.equal(unknown.code, EXIT_CODES.config)
    assert.match(unknown.stderr, /^Error: no configured cluster is named or has the id 'nope' .*configured: prod, staging/)

    assert.equal((await runInProcess(['cluster', 'remove', 'prod'], {home: dir})).code, 0)
    assert.equal(existsSync(join(dcosDir, 'clusters', '7f3e9c1a-prod')), false)
    assert.ok(existsSync(join(dcosDir, 'clusters', '0b2d-staging')))

    assert.equal((await runInProcess(['cluster', 'remove', '--all'], {home: dir})).code, 0)
    const empty = await runInProcess(['cluster', 'list'], {home: dir})
    assert.equal(empty.code, 0)
    assert.equal(empty.stdout, '')
    assert.equal(empty.stderr, 'No cluster is configured (run `dcos-ts cluster setup URL`).\n')
    assert.equal((await runInProcess(['cluster', 'remove'], {home: dir})).code, EXIT_CODES.usage)
  })

  test('a malformed dcos.toml is listed as broken with the reason, and can be removed; until then it stops the rest', async () => {
    const dir = home()
    const dcosDir = join(dir, '.dcos')
    await twoClusters(dcosDir)
    await mkdir(join(dcosDir, 'clusters', 'c1'), {recursive: true})
    await writeFile(join(dcosDir, 'clusters', 'c1', 'dcos.toml'), '[core\ndcos_url = "https://c1.example.com"\n')
    const reason = /~\/\.dcos\/clusters\/c1\/dcos\.toml is not valid TOML: [^\n]+ \(fix it, or remove the cluster: `dcos-ts cluster remove c1`\)/

    const listed = await runInProcess(['cluster', 'list'], {home: dir})
    assert.equal(listed.code, 0, listed.stderr)
    const rows = listed.stdout.split('\n')
    assert.match(rows[1], /^ {3}- {8}c1 {13}broken: /)
    assert.match(rows[1], reason)
    assert.match(rows[2], /^\* {2}prod /)
    const json = (await runInProcess(['cluster', 'list', '--json'], {home: dir})).stdout.trim().split('\n').map((line) => JSON.parse(line))
    assert.deepEqual({...json[0], broken: undefined}, {name: null, id: 'c1', url: null, attached: false, broken: undefined})
    assert.match(json[0].broken, reason)
    assert.equal(json[1].broken, null)

    // Any of them may be the cluster meant: what would use one says which file to fix, exit 3.
    for (const argv of [['cluster', 'show'], ['cluster', 'attach', 'c1']]) {
      const refused = await runInProcess(argv, {home: dir})
      assert.equal(refused.code, EXIT_CODES.config, argv.join(' '))
      assert.match(refused.stderr, new RegExp(`^Error: ${reason.source}\n$`))
    }

    const removed = await runInProcess(['cluster', 'remove', 'c1'], {home: dir})
    assert.equal(removed.code, 0, removed.stderr)
    assert.equal(existsSync(join(dcosDir, 'clusters', 'c1')), false)
    assert.ok(existsSync(join(dcosDir, 'clusters', '7f3e9c1a-prod')))
    assert.equal((await runInProcess(['cluster', 'show'], {home: dir})).code, 0)
  })

  test("a configured cluster named 'sim' is listed with the id that reaches it: --cluster sim is the built-in one", async () => {
    const dir = home()
    await writeClusters(join(dir, '.dcos'), [{id: '5e1f-lab', attached: true, toml: {core: {dcos_url: 'https://lab.example.com'}, cluster: {name: 'sim'}}}])
    const listed = await runInProcess(['cluster', 'list'], {home: dir})
    assert.equal(listed.code, 0, listed.stderr)
    assert.match(listed.stdout, /^\* {2}sim {3}5e1f-lab {2}https:\/\/lab\.example\.com$/m)
    assert.equal(listed.stderr, "Note: --cluster sim is the built-in simulated cluster, not the cluster named 'sim' here (use its id: --cluster 5e1f-lab).\n")
  })
})

describe('cluster setup without auth', {concurrency: SPAWNS_AT_ONCE}, () => {
  test('skips the login, names the cluster after Mesos, attaches it; a second setup updates the same folder', async () => {
    const dir = home()
    const first = await runInProcess(['cluster', 'setup', sim.url], {home: dir})
    assert.equal(first.code, 0, first.stderr)
    // The simulated cluster's Mesos name is the reserved one, which `--cluster sim` would never reach.
    const renamed = `sim-${clusterId.slice(0, 8)}`
    assert.equal(
      first.stderr,
      'This cluster does not require authenticated requests. Skipping login.\n' +
        `The cluster's name 'sim' is reserved for the built-in simulated cluster (--cluster sim): it is named '${renamed}' instead (--name chooses another).\n` +
        `Cluster '${renamed}' (${clusterId}) at ${sim.url} is set up and attached (~/.dcos/clusters/${clusterId}).\n`,
    )
    const clusterDir = join(dir, '.dcos', 'clusters', clusterId)
    const config = join(clusterDir, 'dcos.toml')
    assert.deepEqual(await readClusterToml(config), {core: {dcos_url: sim.url, ssl_verify: 'true'}, cluster: {name: renamed}})
    assert.equal(await fileMode(config), 0o600)
    assert.ok(existsSync(join(clusterDir, 'attached')))

    // The official CLI may have added keys since; a second setup keeps them.
    const withExtra = await readClusterToml(config)
    await writeClusters(join(dir, '.dcos'), [{id: clusterId, attached: true, toml: {...withExtra, marathon: {url: 'x'}}}])
    const caFile = join(dir, 'ca.pem')
    await writeFile(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
    const second = await runInProcess(['cluster', 'setup', `${sim.url}/`, '--name', 'lab', '--ca-file', caFile], {home: dir})
    assert.equal(second.code, 0, second.stderr)
    const caCopy = join(clusterDir, 'dcos_ca.crt')
    assert.deepEqual(await readClusterToml(config), {core: {dcos_url: sim.url, ssl_verify: caCopy}, cluster: {name: 'lab'}, marathon: {url: 'x'}})
    assert.equal(await fileMode(caCopy), 0o600)
    assert.equal(await readFile(caCopy, 'utf8'), await readFile(caFile, 'utf8'))

    const shown = await runInProcess(['cluster', 'list', '--json'], {home: dir})
    assert.deepEqual(JSON.parse(shown.stdout), {name: 'lab', id: clusterId, url: sim.url, attached: true, broken: null})
  })

  test('--insecure is stored as core.ssl_verify = "false"; a bad URL is a usage error', async () => {
    const dir = home()
    const result = await runInProcess(['cluster', 'setup', sim.url, '--insecure'], {home: dir})
    assert.equal(result.code, 0, result.stderr)
    assert.equal((await readClusterToml(join(dir, '.dcos', 'clusters', clusterId, 'dcos.toml'))).core?.ssl_verify, 'false')
    const bad = await runInProcess(['cluster', 'setup', 'ftp://example.com'], {home: dir})
    assert.equal(bad.code, EXIT_CODES.usage)
    assert.match(bad.stderr, /^Error: 'ftp:\/\/example\.com' \(argument URL\) is not an http or https URL/)
    const reserved = await runInProcess(['cluster', 'setup', sim.url, '--name', 'sim'], {home: dir})
    assert.equal(reserved.code, EXIT_CODES.usage)
    assert.equal(reserved.stderr, "Error: the name 'sim' is reserved: --cluster sim is the built-in simulated cluster (choose another --name)\n")
  })
})
