/**
 * How a follow ends. Ctrl-C (SIGINT) and SIGTERM stop it with 130 and 143 after printing, on stderr, the
 * cursor that resumes exactly after the last line printed; a reader that goes away (`| head -1`, EPIPE)
 * ends it quietly with 0. Runs the built CLI against the simulated cluster; stdout is a pipe, so no live
 * view is involved.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {rm} from 'node:fs/promises'
import {after, before, describe, test} from 'node:test'
import {startSim, type Sim, type SimTask} from '../../src/sim/index.js'
import {BIN, isolatedEnv, makeTempHome, resumeArgs, runCli, startCli} from '../helpers/cli.js'

let sim: Sim
let serial = 0

before(async () => {
  sim = await startSim({filePollMs: 20})
})
after(() => sim.close())

/** A new running task with `count` numbered lines (`<name> n`). */
function taskWithLines(count: number): SimTask {
  const task = sim.addSyntheticTask({lines: 0, name: `sig${++serial}`})
  sim.writeFile(task.id, 'stdout', Array.from({length: count}, (_, i) => `${task.name} ${i + 1}\n`).join(''))
  return task
}

describe('interrupting a follow', {concurrency: true}, () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`${signal} during task log --follow exits ${code} after printing the resume cursor of the last line`, async () => {
      const task = taskWithLines(3)
      const cli = startCli(['task', 'log', task.id, '--follow'], {env: {DCOS_URL: sim.url}})
      await cli.waitForStdout(`${task.name} 3\n`)
      sim.appendLines(task.id, [`${task.name} 4`])
      await cli.waitForStdout(`${task.name} 4\n`)
      cli.kill(signal)
      const result = await cli.done
      assert.equal(result.code, code, result.stderr)
      assert.equal(result.stdout, [1, 2, 3, 4].map((n) => `${task.name} ${n}\n`).join(''))
      assert.match(result.stderr, /^Resume with: [^\n]+\n$/, 'the resume line alone on stderr')
      const resume = resumeArgs(result.stderr)
      assert.deepEqual(resume.slice(0, 4), ['task', 'log', task.id, '--follow'], 'the command as typed')
      assert.match(resume.slice(4).join(' '), new RegExp(`^--cursor ${task.id.replace(/\./g, '\\.')}=\\d+$`))

      // The command resumes strictly after line 4: exactly the lines written since (here without
      // following, so that it ends by itself).
      sim.appendLines(task.id, [`${task.name} 5`, `${task.name} 6`])
      const resumed = await runCli(resume.filter((word) => word !== '--follow'), {env: {DCOS_URL: sim.url}})
      assert.equal(resumed.code, 0, resumed.stderr)
      assert.equal(resumed.stdout, `${task.name} 5\n${task.name} 6\n`)
    })

    test(`${signal} during node log --follow exits ${code} with a journal cursor`, async () => {
      const unit = `dcos-signal-${signal.toLowerCase()}.service`
      sim.addJournal('leader', [{unit, message: `${unit} first`}])
      const cli = startCli(['node', 'log', '--follow', '--component', unit, '-o', 'cat', '-n', '1'], {env: {DCOS_URL: sim.url}})
      await cli.waitForStdout(`${unit} first\n`)
      cli.kill(signal)
      const result = await cli.done
      assert.equal(result.code, code, result.stderr)
      assert.match(result.stderr, /^Resume with: dcos-ts node log --follow --component \S+ --output cat --cursor 's=[^']+;i=[0-9a-f]+;[^']*'\n$/, 'the command as typed, less -n')
    })
  }

  test('SIGINT before any line was printed exits 130 with nothing to resume from', async () => {
    const task = taskWithLines(0)
    const cli = startCli(['task', 'log', task.id, '--follow'], {env: {DCOS_URL: sim.url}})
    // Following has begun once the file is polled for its first line (a second size probe of it).
    const probes = () => sim.requests.filter((r) => r.url.includes('/files/read') && r.url.includes(task.id) && r.url.includes('offset=-1')).length
    while (probes() < 2) await new Promise((resolve) => setTimeout(resolve, 20))
    cli.kill('SIGINT')
    const result = await cli.done
    assert.equal(result.code, 130)
    assert.equal(result.stdout, '')
    assert.doesNotMatch(result.stderr, /Error|\n\s+at /)
  })
})

/** Runs `dcos-ts <args> | head -1` in bash with pipefail: the exit status is the CLI's (or head's). */
function pipedToHead(args: string[], onStart?: () => void): Promise<{status: number | null; stdout: string; stderr: string}> {
  const home = makeTempHome()
  const quoted = [process.execPath, BIN, ...args].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ')
  const child = spawn('bash', ['-c', `set -o pipefail; ${quoted} | head -1`], {env: isolatedEnv(home, {DCOS_URL: sim.url})})
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  onStart?.()
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', async (status) => {
      await rm(home, {recursive: true, force: true})
      resolve({status, stdout, stderr})
    })
  })
}

describe('the reader going away (EPIPE)', {concurrency: true}, () => {
  test('task log -n all | head -1 prints one line and exits 0, quietly', async () => {
    const task = sim.addSyntheticTask({lines: 200_000, name: `pipe${++serial}`})
    const result = await pipedToHead(['task', 'log', task.id, '--lines', 'all'])
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /^\S+ INFO \[bench\] line 0000001 /)
    assert.equal(result.stderr, '')
  })

  test('task log --follow | head -1 exits 0 once the next lines find the pipe closed', async () => {
    const task = taskWithLines(1)
    let writing: NodeJS.Timeout | undefined
    const result = await pipedToHead(['task', 'log', task.id, '--follow'], () => {
      let n = 1
      writing = setInterval(() => sim.appendLines(task.id, [`${task.name} ${++n}`]), 50)
    })
    clearInterval(writing)
    assert.equal(result.status, 0, result.stderr)
    // Lines appended while it started may come first: any one of them, alone.
    assert.match(result.stdout, new RegExp(`^${task.name} \\d+\\n$`))
    assert.equal(result.stderr, '')
  })
})
