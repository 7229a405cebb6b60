/**
 * The same driver with stdout a pipe: nothing of Ink runs, no escape code is added, `| head -1` exits 0.
 */
import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const repo = fileURLToPath(new URL('../../', import.meta.url))

/**
 * A loader hook (preloaded with --import) that reports on stderr every import of ink or react, so a test
 * can tell that the pipe path never loads them.
 */
const REPORT_INK = `data:text/javascript,${encodeURIComponent(`
import {register} from 'node:module'
import {MessageChannel} from 'node:worker_threads'
const {port1, port2} = new MessageChannel()
port1.on('message', (name) => process.stderr.write('loaded ' + name + '\\n'))
port1.unref()
register('data:text/javascript,' + encodeURIComponent(
  'let port; export function initialize(data) { port = data.port }' +
  'export async function resolve(spec, context, next) { if (spec === "ink" || spec === "react") port.postMessage(spec); return next(spec, context) }'
), {data: {port: port2}, transferList: [port2]})
`)}`

function drive(args: string[], env: NodeJS.ProcessEnv = {}, preload: string[] = []) {
  const base = {...process.env}
  for (const name of ['CI', 'NO_COLOR', 'FORCE_COLOR']) delete base[name]
  return spawnSync(process.execPath, [...preload, '--import', 'tsx', 'test/helpers/live-driver.ts', ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: {...base, TERM: 'xterm-256color', ...env},
  })
}

describe('piped output', () => {
  test('plain lines, no escape codes, status notices on stderr only', () => {
    const result = drive(['--flood', '1000'])
    assert.equal(result.status, 0)
    assert.doesNotMatch(result.stdout, /\x1b/)
    assert.match(result.stdout, /^\[web\.1\] line 1\n\[web\.1\] line 2\n/)
    assert.equal(result.stdout.split('\n').length - 1, 1005)
    assert.equal(result.stderr, 'reconnecting to api.1 (attempt 2): connection reset\nweb.1 ended (TASK_FINISHED)\n')
  })

  test('nothing of Ink (or React) is loaded', () => {
    const control = spawnSync(process.execPath, ['--import', REPORT_INK, '--input-type=module', '-e', "await import('ink')"], {cwd: repo, encoding: 'utf8'})
    assert.match(control.stderr, /loaded ink/, 'the hook sees an import of ink')
    const result = drive([], {}, ['--import', REPORT_INK])
    assert.equal(result.status, 0)
    assert.doesNotMatch(result.stderr, /loaded/)
  })

  test('messages pass as written in a pipe (no escaping)', () => {
    const result = drive(['--hostile'])
    assert.ok(result.stdout.includes('[web.1] \x1b[2J\x1b]0;pwned\x07gotcha \x1b[31mred\n'))
  })

  test('--color always is honoured in a pipe; NO_COLOR is not overridden by FORCE_COLOR', () => {
    assert.match(drive(['{"color":"always"}']).stdout, /\x1b\[\d+m\[web\.1\]/)
    assert.doesNotMatch(drive([], {NO_COLOR: '1', FORCE_COLOR: '1'}).stdout, /\x1b/)
    assert.match(drive([], {FORCE_COLOR: '1'}).stdout, /\x1b\[\d+m\[web\.1\]/)
  })

  test('NDJSON lines parse one by one', () => {
    const result = drive(['--hostile', '{"format":"json"}'])
    const records = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))
    assert.equal(records.length, 6)
    assert.deepEqual(records[0], {task: 'web.1', file: 'stdout', agent: 'agent-1', cursor: '7', message: 'line 1'})
    assert.equal(records[4].message, '\x1b[2J\x1b]0;pwned\x07gotcha \x1b[31mred')
    assert.doesNotMatch(result.stdout, /\x1b/)
  })

  test('`| head -1` takes one line and the writer exits 0, quietly', () => {
    const result = spawnSync(
      'bash',
      [
        '-c',
        'err=$(mktemp); set -o pipefail; node --import tsx test/helpers/live-driver.ts --flood 200000 2>"$err" | head -1; ' +
          'status=$?; cat "$err" >&2; rm -f "$err"; exit $status',
      ],
      {cwd: repo, encoding: 'utf8'},
    )
    assert.equal(result.stdout, '[web.1] line 1\n')
    assert.equal(result.status, 0)
    assert.doesNotMatch(result.stderr, /EPIPE|Error/)
  })
})
