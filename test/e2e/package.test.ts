/**
 * The package as a user gets it: `npm pack` of the built tree, installed globally into a temporary prefix
 * with npm offline and its registry pointed at a closed port on 127.0.0.1, so the install proves the
 * tarball needs nothing from a registry (the bundle holds every library). Then the installed `dcos-ts`
 * runs: --version, a task log from the simulated cluster, and the live view's module loads.
 */
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {startSim, type Sim} from '../../src/sim/index.js'
import {REPO_ROOT, isolatedEnv} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

interface Run {
  code: number
  stdout: string
  stderr: string
}

describe('the npm package', () => {
  let dir: string
  let sim: Sim
  let packed: {filename: string; files: Array<{path: string}>}
  let install: Run

  /** A command in an isolated environment (a fresh HOME, so no user .npmrc) where npm reaches no registry. */
  const run = (command: string, args: string[], env: Record<string, string> = {}) =>
    new Promise<Run>((resolve) => {
      const environment = isolatedEnv(join(dir, 'home'), {
        npm_config_registry: 'http://127.0.0.1:9/',
        npm_config_update_notifier: 'false',
        npm_config_cache: join(dir, 'cache'),
        ...env,
      })
      execFile(command, args, {cwd: REPO_ROOT, env: environment, timeout: 120_000}, (error, stdout, stderr) =>
        resolve({code: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr}),
      )
    })

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dcos-ts-package-'))
    sim = await startSim()
    // --ignore-scripts: the tree is built already (prepack would build it again under the other tests).
    const pack = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir])
    assert.equal(pack.code, 0, pack.stderr)
    packed = (JSON.parse(pack.stdout) as Array<typeof packed>)[0]
    install = await run('npm', ['install', '--global', '--prefix', join(dir, 'prefix'), '--offline', '--no-audit', '--no-fund', join(dir, packed.filename)])
  })
  after(async () => {
    await sim.close()
    await rm(dir, {recursive: true, force: true})
  })

  test('ships the bundle and what starts it, nothing for development, and no dependencies', async () => {
    const files = packed.files.map((file) => file.path).sort()
    for (const needed of ['bin/run.js', 'bin/load-cli.js', 'bin/package.json', 'dist/cli.cjs', 'dist/live-view.cjs', 'dist/live-view.js', 'oclif.manifest.json', 'package.json']) {
      assert.ok(files.includes(needed), `${needed} is not in ${files.join(', ')}`)
    }
    assert.deepEqual(
      files.filter((file) => !/^(bin\/(run|load-cli)\.js|bin\/package\.json|dist\/.*|oclif\.manifest\.json|package\.json|README\.md|LICENSE)$/.test(file)),
      [],
    )
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {dependencies?: object}
    assert.equal(manifest.dependencies, undefined)
  })

  test('installs offline, one package, without a warning', () => {
    assert.equal(install.code, 0, install.stderr)
    assert.match(install.stdout, /added 1 package/)
    assert.doesNotMatch(install.stdout + install.stderr, /warn/i)
  })

  test('the installed dcos-ts runs: --version, a task log, the live view module', async () => {
    const bin = join(dir, 'prefix', 'bin', 'dcos-ts')
    const version = await run(bin, ['--version'])
    assert.equal(version.code, 0, version.stderr)
    assert.match(version.stdout, /^dcos-ts\/\d+\.\d+\.\d+ /)

    const installed = await run(bin, ['task', 'log', 'web', '--lines', '5'], {DCOS_URL: sim.url})
    assert.equal(installed.code, 0, installed.stderr)
    const expected = await runInProcess(['task', 'log', 'web', '--lines', '5'], {env: {DCOS_URL: sim.url}})
    assert.equal(expected.code, 0, expected.stderr)
    assert.equal(installed.stdout, expected.stdout)
    assert.ok(installed.stdout.split('\n').length > 5)

    // Ink and React are in the bundle's live view, loaded only on a terminal: it loads from the install too.
    const liveView = join(dir, 'prefix', 'lib', 'node_modules', 'dcos-ts', 'dist', 'live-view.cjs')
    const loaded = await run(process.execPath, ['-e', `require(${JSON.stringify(liveView)}).then((m) => console.log(typeof m.LiveSink))`])
    assert.equal(loaded.stdout, 'function\n', loaded.stderr)
  })
})
