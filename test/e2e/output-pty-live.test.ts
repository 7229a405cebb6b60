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

async function waitFor<T>(session: string, what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen(session)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** What the terminal shows (`history`: and all it scrolled away), lines the terminal wrapped joined again. */
function screen(session: string, {history = false, escapes = false} = {}): string {
  try {
    return tmux('capture-pane', '-p', '-J', ...(history ? ['-S', '-'] : []), ...(escapes ? ['-e'] : []), '-t', session)
  } catch {
    return ''
  }
}

/** Starts the driver in a terminal of that size (100x20); the shell reports its exit status and then waits. */
function start(session: string, flags = '--hostile', size = {columns: 100, rows: 20}): void {
  const command = `cd '${repo}' && env -u CI -u CONTINUOUS_INTEGRATION -u NO_COLOR node --import tsx test/helpers/live-driver.ts --wait ${flags}; echo "[exit $?]"; read x`
  tmux('new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), '-s', session, command)
}

/** The footer on a screen: from its first stream row to its last line (the summary and key hint). */
function footerOf(text: string): string[] {
  const lines = text.trimEnd().split('\n')
  const first = lines.findIndex((line) => line.startsWith('● '))
  return first < 0 ? [] : lines.slice(first)
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
      const live = await waitFor(session, 'the footer', () => {
        const text = screen(session)
        return /api\.1 .* reconnecting \(attempt 2\): connection reset/.test(text) ? text : undefined
      })
      assert.match(live, /^\[web\.1\] line 1$/m)
      assert.match(live, /^\[api\.1\] api says hi$/m)
      // The hostile line is shown, not obeyed: the screen was not cleared, the title not changed.
      assert.ok(live.includes('[web.1] \\x1b[2J\\x1b]0;pwned\\x07gotcha \\x1b[31mred'))
      assert.match(live, /● web\.1 +\d+\.\d\/s .* live$/m)
      assert.match(live, /q or Ctrl-C to stop/)
      assert.notEqual(tmux('display', '-p', '-t', session, '#{pane_title}').trim(), 'pwned')

      tmux('send-keys', '-t', session, key)
      const done = await waitFor(session, 'the exit', () => {
        const text = screen(session)
        return /\[exit \d+\]/.test(text) ? text : undefined
      })
      assert.match(done, /\[exit 0\]/)
      assert.match(done, /^Resume with: dcos-ts task log web --follow --cursor web\.1=\d+ --cursor api\.1=\d+$/m, 'one line resumes both')
      assert.equal(tmux('display', '-p', '-t', session, '#{cursor_flag}').trim(), '1', 'cursor visible again')
      assert.notEqual(tmux('display', '-p', '-t', session, '#{pane_title}').trim(), 'pwned')
    })
  }

  test('80x24, twenty tasks and one that joins: short names, a footer of 8 lines none wider than the screen; narrower, no footer left behind', async () => {
    const session = 'many'
    start(session, '--many', {columns: 80, rows: 24})
    const live = await waitFor(session, 'the task that joined and the footer', () => {
      const text = screen(session)
      return text.includes('[web.4f1c2d7] joined') && /\+14 more streams/.test(text) ? text : undefined
    })
    // A task is named by the shortest head of its UUID no other task has; the one that joined made two longer.
    const lines = screen(session, {history: true})
    assert.match(lines, /^\[web\.4f1c\] line 0$/m)
    assert.match(lines, /^\[web\.10a0\] line 1$/m)
    assert.match(lines, /^\[web\.4f1c2d7\] joined$/m)
    assert.match(lines, /^\[web\.4f1c2d3\] after the join$/m)
    const footer = footerOf(live)
    assert.ok(footer.length <= 8, footer.join('\n'))
    for (const line of live.split('\n')) assert.ok([...line].length <= 80, `wider than the screen: ${line}`)
    assert.equal(footer.at(-1), '+14 more streams, 1 connecting · q or Ctrl-C to stop')
    assert.match(footer[0], /^● web\.4f1c2d3 /)
    assert.match(live, /^● web\.89a0 .* reconnecting \(attempt 3.*….*\(ECONNRESET\)$/m, 'the long reconnect on one line, its reason in sight')
    // Each name in the footer has the colour of its lines' prefix.
    const coloured = screen(session, {history: true, escapes: true})
    const prefix = /(\x1b\[[0-9;]*m)\[web\.10a0\]/.exec(coloured)
    assert.ok(prefix, coloured)
    assert.ok(coloured.includes(`${prefix[1]}web.10a0`), 'the footer names web.10a0 in its prefix colour')

    tmux('resize-window', '-t', session, '-x', '50', '-y', '24')
    const narrow = await waitFor(session, 'the footer redrawn 50 wide', () => {
      const text = screen(session)
      const rows = footerOf(text)
      return rows.length > 0 && rows.every((line) => [...line].length <= 50) && rows.some((line) => line.includes('web.89a0')) ? text : undefined
    })
    const history = screen(session, {history: true})
    assert.equal(history.split('\n').filter((line) => /^\+14 more streams/.test(line)).length, 1, history)
    // Every stream row there is the footer's own: seven, the eighth line being the summary.
    const rows = history.split('\n').filter((line) => line.startsWith('● '))
    assert.equal(rows.length, 7, history)
    assert.deepEqual(footerOf(narrow).slice(0, 7), rows)

    tmux('send-keys', '-t', session, 'q')
    const done = await waitFor(session, 'the exit', () => {
      const text = screen(session)
      return /\[exit \d+\]/.test(text) ? text : undefined
    })
    assert.match(done, /\[exit 0\]/)
    assert.match(screen(session, {history: true}), /--cursor web\.4f1c2d3e-1a2b-11e9-b5e9-0242ac110002=\d+ /, 'the resume line names tasks in full')
  })
})
