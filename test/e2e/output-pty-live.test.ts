/**
 * The live view in a real terminal: tmux runs the live driver in a pseudo-terminal and tells us what the
 * screen shows (capture-pane), the window title and whether the cursor is visible.
 */
import {after, describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const hasTmux = spawnSync('tmux', ['-V']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'dcos-ts-pty-'))
const socket = join(dir, 'tmux.sock')

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], {encoding: 'utf8'})
}

async function waitFor<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen('t')}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function screen(session: string): string {
  try {
    return tmux('capture-pane', '-p', '-t', session)
  } catch {
    return ''
  }
}

/** Starts the driver in a 100x20 terminal; the shell reports its exit status and then waits. */
function start(session: string): void {
  const command = `cd '${repo}' && env -u CI -u CONTINUOUS_INTEGRATION -u NO_COLOR node --import tsx test/helpers/live-driver.ts --wait --hostile; echo "[exit $?]"; read x`
  tmux('new-session', '-d', '-x', '100', '-y', '20', '-s', session, command)
}

after(() => {
  if (hasTmux) spawnSync('tmux', ['-S', socket, 'kill-server'])
  rmSync(dir, {recursive: true, force: true})
})

describe('live view in a terminal', {skip: hasTmux ? false : 'needs tmux'}, () => {
  for (const [name, key] of [
    ['q', 'q'],
    ['Ctrl-C', 'C-c'],
  ] as const) {
    test(`lines scroll above the footer; ${name} leaves, restores the terminal and prints the resume cursor`, async () => {
      const session = name === 'q' ? 't' : 'c'
      start(session)
      const live = await waitFor('the footer', () => {
        const text = screen(session)
        return /api\.1 reconnecting \(attempt 2\): connection reset/.test(text) ? text : undefined
      })
      assert.match(live, /^\[web\.1\] line 1$/m)
      assert.match(live, /^\[api\.1\] api says hi$/m)
      // The hostile line is shown, not obeyed: the screen was not cleared, the title not changed.
      assert.ok(live.includes('[web.1] \\x1b[2J\\x1b]0;pwned\\x07gotcha \\x1b[31mred'))
      assert.match(live, /● web\.1 live .*\/s/)
      assert.match(live, /q or Ctrl-C to stop/)
      assert.notEqual(tmux('display', '-p', '-t', session, '#{pane_title}').trim(), 'pwned')

      tmux('send-keys', '-t', session, key)
      const done = await waitFor('the exit', () => {
        const text = screen(session)
        return /\[exit \d+\]/.test(text) ? text : undefined
      })
      assert.match(done, /\[exit 0\]/)
      assert.match(done, /^Resume with: dcos-ts task log web --follow --cursor web\.1=\d+ --cursor api\.1=\d+$/m, 'one line resumes both')
      assert.equal(tmux('display', '-p', '-t', session, '#{cursor_flag}').trim(), '1', 'cursor visible again')
      assert.notEqual(tmux('display', '-p', '-t', session, '#{pane_title}').trim(), 'pwned')
    })
  }
})
