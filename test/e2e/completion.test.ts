/**
 * Shell completion as a shell runs it: the scripts `dcos-ts completion bash|zsh|fish` prints (from the built
 * CLI, whose manifest they are made from) are valid for their shell, and completing a line gives what the
 * user expects: bash's completion function called as bash calls it on Tab (COMP_WORDS, COMP_CWORD), fish's
 * `complete -C`. Task names come from the simulated cluster through the hidden `task names`, started by
 * the script as `dcos-ts` on PATH; that command is also tested in-process.
 */
import assert from 'node:assert/strict'
import {execFile, spawnSync} from 'node:child_process'
import {chmod, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {EXIT_CODES} from '../../src/errors.js'
import {startSim, type Sim} from '../../src/sim/index.js'
import {BIN, isolatedEnv, runCli} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'

const installed = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0
const needs = (shell: string) => (installed(shell) ? {} : {skip: `${shell} is not installed`})

/** A server that accepts connections and never answers (closed after the file's tests); its URL. */
async function silentServer(): Promise<string> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  after(() => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  const address = server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
}

describe('shell completion', {concurrency: true}, () => {
  let sim: Sim
  let dir: string
  let running: string[]
  let completed: string[]
  const scripts = {bash: '', zsh: '', fish: ''}

  before(async () => {
    sim = await startSim()
    dir = await mkdtemp(join(tmpdir(), 'dcos-ts-completion-'))
    // The scripts run `dcos-ts` from PATH, as they do once installed.
    await writeFile(join(dir, 'dcos-ts'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    await chmod(join(dir, 'dcos-ts'), 0o755)
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const result = await runCli(['completion', shell])
      assert.equal(result.code, 0, result.stderr)
      scripts[shell] = join(dir, `dcos-ts.${shell}`)
      await writeFile(scripts[shell], result.stdout)
    }
    const list = await runInProcess(['task', 'list', '--all', '--json'], {env: {DCOS_URL: sim.url}})
    const tasks = list.stdout.trim().split('\n').map((line) => JSON.parse(line) as {name: string; completed: boolean})
    const names = (done: boolean) => [...new Set(tasks.filter((task) => task.completed === done).map((task) => task.name))].sort()
    running = names(false)
    completed = names(true)
  })
  after(async () => {
    await sim.close()
    await rm(dir, {recursive: true, force: true})
  })

  /** What a shell run on its own gives: stdout lines and stderr, in the user's environment plus PATH. */
  function shell(command: string, args: string[], env: Record<string, string> = {}): Promise<{lines: string[]; stderr: string}> {
    const home = join(dir, 'home')
    return new Promise((resolve, reject) => {
      execFile(command, args, {env: isolatedEnv(home, {DCOS_URL: sim.url, ...env, PATH: `${dir}:${process.env.PATH}`}), timeout: 20_000}, (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} failed: ${error.message}\n${stderr}`))
        else resolve({lines: stdout.split('\n').filter((line) => line !== ''), stderr})
      })
    })
  }

  /** bash's candidates for the line whose last word is being completed, as Tab asks bash's function. */
  const bash = (words: string[], env?: Record<string, string>) =>
    shell('bash', ['-c', `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dcos_ts; printf '%s\\n' "\${COMPREPLY[@]}"`, scripts.bash, 'dcos-ts', ...words], env)

  /** fish's candidates for the line (its own `complete -C`), without their descriptions. */
  const fish = async (line: string) => (await shell('fish', ['-c', 'source $argv[1]; complete -C $argv[2]', scripts.fish, line])).lines.map((entry) => entry.split('\t')[0])

  test('the bash script is valid bash, and registers itself for dcos-ts', async () => {
    assert.match(await readFile(scripts.bash, 'utf8'), /^complete -F _dcos_ts dcos-ts$/m)
    assert.equal(spawnSync('bash', ['-n', scripts.bash], {encoding: 'utf8'}).stderr, '')
  })
  test('the zsh script is valid zsh', needs('zsh'), () => {
    const check = spawnSync('zsh', ['-n', scripts.zsh], {encoding: 'utf8'})
    assert.equal(check.status, 0, check.stderr)
  })
  test('the fish script is valid fish', needs('fish'), () => {
    const check = spawnSync('fish', ['-n', scripts.fish], {encoding: 'utf8'})
    assert.equal(check.status, 0, check.stderr)
  })

  test('bash: commands, topics and flags', async () => {
    assert.deepEqual((await bash([''])).lines, ['auth', 'cluster', 'completion', 'help', 'node', 'service', 'sim', 'task'])
    assert.deepEqual((await bash(['task', 'l'])).lines, ['list', 'log'])
    assert.deepEqual((await bash(['task', 'log', '--fo'])).lines, ['--follow'])
    assert.deepEqual((await bash(['task', 'log', '--no'])).lines, ['--no-tui', '--no-prefix'])
    assert.deepEqual((await bash(['node', 'log', '-f', '--comp'])).lines, ['--component'])
    assert.deepEqual((await bash(['nosuch', ''])).lines, [])
  })

  test('bash: the values a flag takes, after a space or an =', async () => {
    assert.deepEqual((await bash(['task', 'log', '--color', ''])).lines, ['auto', 'always', 'never'])
    // bash splits `--color=a` into three words: the flag, '=' and what follows.
    assert.deepEqual((await bash(['task', 'log', '--color', '=', 'a'])).lines, ['auto', 'always'])
    assert.deepEqual((await bash(['task', 'log', '-o', ''])).lines, ['text', 'json'])
    assert.deepEqual((await bash(['node', 'log', '--output', 'j'])).lines, ['json', 'json-pretty'])
    assert.deepEqual((await bash(['completion', ''])).lines, ['bash', 'zsh', 'fish'])
    // A file flag completes file names; a value that is the user's to type, nothing.
    assert.deepEqual((await bash(['task', 'log', '--ca-file', scripts.bash.slice(0, -2)])).lines, [scripts.bash])
    assert.deepEqual((await bash(['task', 'log', '--lines', ''])).lines, [])
  })

  test('bash: running task names from the cluster, where a task is named', async () => {
    assert.ok(running.length > 1 && completed.length > 0)
    assert.deepEqual((await bash(['task', 'log', ''])).lines, running)
    assert.deepEqual((await bash(['task', 'log', 'w'])).lines, running.filter((name) => name.startsWith('w')))
    // Flags and their values before the task are not arguments.
    assert.deepEqual((await bash(['task', 'log', '--lines', '5', '-f', ''])).lines, running)
    // The second argument is a sandbox file: not a task.
    assert.deepEqual((await bash(['task', 'log', 'web', ''])).lines, [])
    // The flags of the line that choose the cluster and the tasks are handed on.
    assert.deepEqual((await bash(['task', 'list', '--completed', ''])).lines, completed)
    assert.deepEqual((await bash(['task', 'log', '--url', '=', sim.url, ''], {DCOS_URL: ''})).lines, running)
  })

  test('bash: a cluster that refuses or never answers gives no names and prints nothing', async () => {
    const refused = await bash(['task', 'log', ''], {DCOS_URL: 'http://127.0.0.1:1'})
    assert.deepEqual(refused, {lines: [], stderr: ''})
    const silent = await bash(['task', 'log', '--url', await silentServer(), ''])
    assert.deepEqual(silent, {lines: [], stderr: ''})
  })

  test('fish: commands, flags, values and task names', needs('fish'), async () => {
    assert.deepEqual(await fish('dcos-ts task l'), ['list', 'log'])
    assert.deepEqual(await fish('dcos-ts task log --fo'), ['--follow'])
    assert.deepEqual(await fish('dcos-ts task log --color='), ['--color=always', '--color=auto', '--color=never'])
    assert.deepEqual(await fish('dcos-ts task log -n 5 '), running)
    assert.deepEqual(await fish('dcos-ts task list --completed '), completed)
    assert.deepEqual(await fish('dcos-ts task log web '), [])
  })
})

describe('task names (hidden: what the completion scripts offer for a task)', {concurrency: true}, () => {
  let sim: Sim
  before(async () => {
    sim = await startSim()
  })
  after(() => sim.close())

  const taskNames = (...args: string[]) => runInProcess(['task', 'names', ...args], {env: {DCOS_URL: sim.url}})

  test('the running tasks a prefix starts, by name, each once', async () => {
    const result = await taskNames('web')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'web\n')
    const all = await taskNames('--all')
    const expected = [...new Set(sim.tasks().map((task) => task.name))].sort()
    assert.deepEqual(all.stdout.trim().split('\n'), expected)
  })

  test('where no name starts with the prefix, the ids that do', async () => {
    const result = await taskNames('web.')
    assert.equal(result.code, 0, result.stderr)
    const ids = sim.tasks().filter((task) => task.name === 'web' && task.state === 'TASK_RUNNING').map((task) => task.id)
    assert.deepEqual(result.stdout.trim().split('\n'), ids.sort())
  })

  test('hidden: not in help, never suggested for a mistyped command', async () => {
    const [help, mistyped] = await Promise.all([runCli(['task', '--help']), runCli(['task', 'nam'])])
    assert.doesNotMatch(help.stdout, /names/)
    assert.equal(mistyped.code, EXIT_CODES.usage)
    assert.doesNotMatch(mistyped.stderr, /names/)
  })

  test('nothing matching prints nothing; a cluster that fails, its error and exit code', async () => {
    const none = await taskNames('zzz')
    assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', ''])
    const refused = await runInProcess(['task', 'names'], {env: {DCOS_URL: 'http://127.0.0.1:1'}})
    assert.equal(refused.code, EXIT_CODES.network)
    assert.equal(refused.stdout, '')
  })
})
