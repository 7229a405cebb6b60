/**
 * Terminal injection: whoever runs a task writes its log, so a line may carry escape sequences that clear
 * the screen, move the cursor over earlier output or retitle the window. On a terminal dcos-ts shows
 * them escaped. tmux runs the built CLI in a real pseudo-terminal (160x30) and reports what the screen
 * shows (capture-pane) and the window title; `--raw`, which passes the sequences through on purpose,
 * proves the checks would see an attack that worked.
 */
import assert from 'node:assert/strict'
import {execFile, execFileSync, spawnSync} from 'node:child_process'
import {promisify} from 'node:util'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {startSim, type Sim, type SimTask} from '../../src/sim/index.js'
import {BIN, REPO_ROOT} from '../helpers/cli.js'
import {testServers} from '../helpers/servers.js'

const hasTmux = spawnSync('tmux', ['-V']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'dcos-ts-terminal-'))
const socket = join(dir, 'tmux.sock')
const execFileAsync = promisify(execFile)

/** Clear screen and home, retitle the window, move the cursor up 5 lines, red text. */
const HOSTILE = 'gotcha \x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[5A\x1b[31mred'
/** How HOSTILE reads once escaped. */
const SHOWN = 'gotcha \\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\x1b[5A\\x1b[31mred'

const tmuxArgs = (args: string[]) => ['-S', socket, '-f', '/dev/null', ...args]

function tmux(...args: string[]): string {
  return execFileSync('tmux', tmuxArgs(args), {encoding: 'utf8'})
}

/**
 * tmux without blocking this process, whose event loop serves the simulated cluster: seven terminals
 * polling their screens through execFileSync starved it until the CLIs in them timed out.
 */
async function tmuxAsync(...args: string[]): Promise<string> {
  return (await execFileAsync('tmux', tmuxArgs(args), {encoding: 'utf8'})).stdout
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`

let sim: Sim
let task: SimTask
let sessions = 0
const servers = testServers()

before(async () => {
  sim = await startSim({filePollMs: 20})
  task = sim.addSyntheticTask({lines: 0, name: 'hostile'})
  sim.writeFile(task.id, 'stdout', `line 1\nline 2\n${HOSTILE}\nline 4\n`)
  sim.addJournal('leader', [{unit: 'dcos-hostile.service', message: HOSTILE, fields: {SYSLOG_IDENTIFIER: 'hostile'}}])
})
after(async () => {
  if (hasTmux) spawnSync('tmux', ['-S', socket, 'kill-server'])
  rmSync(dir, {recursive: true, force: true})
  await sim.close()
})

interface Terminal {
  session: string
  screen(): Promise<string>
  title(): string
  /** Resolves with the screen once the shell printed `[exit N]`. */
  exited(): Promise<{code: number; screen: string}>
  waitFor(pattern: RegExp): Promise<string>
  keys(...keys: string[]): void
}

/** Runs the CLI in a fresh tmux session, in a clean environment with its own HOME. */
function terminal(args: string[], url = sim.url): Terminal {
  const session = `t${++sessions}`
  const home = join(dir, session)
  const env = [`HOME=${home}`, `DCOS_DIR=${home}/.dcos`, `DCOS_URL=${url}`, 'TERM=xterm-256color', `PATH=${process.env.PATH ?? ''}`]
  const command = `cd ${quote(REPO_ROOT)} && env -i ${env.map(quote).join(' ')} ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}; echo "[exit $?]"; read x`
  tmux('new-session', '-d', '-x', '160', '-y', '30', '-s', session, command)
  const screen = () => tmuxAsync('capture-pane', '-p', '-J', '-t', session).catch(() => '')
  const waitFor = async (pattern: RegExp): Promise<string> => {
    const deadline = Date.now() + 15_000
    for (;;) {
      const text = await screen()
      if (pattern.test(text)) return text
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${text}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  return {
    session,
    screen,
    title: () => tmux('display', '-p', '-t', session, '#{pane_title}').trim(),
    waitFor,
    exited: async () => {
      const text = await waitFor(/\[exit \d+\]/)
      return {code: Number(/\[exit (\d+)\]/.exec(text)?.[1]), screen: text}
    },
    keys: (...keys) => void tmux('send-keys', '-t', session, ...keys),
  }
}

/** The hostile line was shown, not obeyed: visible as text, earlier lines still on screen, title kept. */
function assertDefused(term: Terminal, screen: string, before: RegExp): void {
  assert.ok(screen.includes(SHOWN), `the sequences shown as text; screen:\n${screen}`)
  assert.match(screen, before, 'the screen was not cleared, nor earlier lines overwritten')
  assert.notEqual(term.title(), 'pwned')
}

describe('escape sequences in log lines reach a terminal escaped', {skip: hasTmux ? false : 'needs tmux', concurrency: true}, () => {
  test('task log: cursor movement, window title and clear screen are shown as text', async () => {
    const term = terminal(['task', 'log', task.id])
    const {code, screen} = await term.exited()
    assert.equal(code, 0, screen)
    assertDefused(term, screen, /^line 1\nline 2\n.*\nline 4$/m)
  })

  test('task log --follow --no-tui: the same, and Ctrl-C leaves with 130 and the cursor', async () => {
    const term = terminal(['task', 'log', task.id, '--follow', '--no-tui'])
    const screen = await term.waitFor(/^line 4$/m)
    assertDefused(term, screen, /^line 1\nline 2\n/m)
    term.keys('C-c')
    const done = await term.exited()
    assert.match(done.screen, /Resume with: dcos-ts task log \S+ --follow --no-tui --cursor \S+=\d+$/m)
    assert.equal(done.code, 130)
  })

  test('task log --follow in the live view: the same, and q restores the terminal', async () => {
    const term = terminal(['task', 'log', task.id, '--follow'])
    const screen = await term.waitFor(/^line 4$/m)
    assertDefused(term, screen, /^line 1\nline 2\n/m)
    term.keys('q')
    const done = await term.exited()
    assert.match(done.screen, /^Resume with: dcos-ts task log \S+ --follow --cursor \S+=\d+$/m)
    assert.notEqual(term.title(), 'pwned')
    assert.equal(tmux('display', '-p', '-t', term.session, '#{cursor_flag}').trim(), '1', 'cursor visible again')
  })

  test('task log --output json on a terminal: ESC is written as \\u001b', async () => {
    const term = terminal(['task', 'log', task.id, '-o', 'json'])
    const {code, screen} = await term.exited()
    assert.equal(code, 0, screen)
    assert.ok(screen.includes('"message":"gotcha \\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007\\u001b[5A\\u001b[31mred"'), screen)
    assert.match(screen, /"message":"line 1"/)
    assert.notEqual(term.title(), 'pwned')
  })

  test('node log: a journal message is shown escaped too', async () => {
    const term = terminal(['node', 'log', '--component', 'dcos-hostile.service', '-o', 'cat', '--no-tui'])
    const {code, screen} = await term.exited()
    assert.equal(code, 0, screen)
    assertDefused(term, screen, /\$? ?$/m)
  })

  test("an error message carrying the server's escape sequences is shown escaped on stderr", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(500, {'Content-Type': 'text/plain'})
      res.end(`boom ${HOSTILE}`)
    })
    const term = terminal(['task', 'list'], await servers.listen(server))
    const {code, screen} = await term.exited()
    assert.equal(code, 7, screen)
    assert.ok(screen.includes(`boom ${SHOWN}`), screen)
    assert.notEqual(term.title(), 'pwned')
  })

  test('--raw passes the sequences through (the checks above would see an attack that worked)', async () => {
    const term = terminal(['task', 'log', task.id, '--raw'])
    const {code, screen} = await term.exited()
    assert.equal(code, 0, screen)
    assert.equal(term.title(), 'pwned')
    assert.doesNotMatch(screen, /line 1/, 'the screen was cleared')
    assert.ok(!screen.includes('\\x1b'))
  })
})
