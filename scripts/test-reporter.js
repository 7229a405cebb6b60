// The reporter of scripts/test.js: a line per test file as it ends, every failure in full at the end (with the
// output of its file), and a closing line `tests: N passed, N failed, N skipped`. node's spec and TAP reporters
// print a line per test, thousands, which bury the failures in a CI log.
import {relative} from 'node:path'
import {inspect} from 'node:util'

/** A failing file's own output shown with its failures: its last lines, where a crash or a hint would be. */
const OUTPUT_LINES = 60

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

export default async function* compactReporter(source) {
  /** Per file: the names of its tests open at each depth, what it printed. */
  const files = new Map()
  const failures = []
  const totals = {}
  const fileOf = (path) => {
    let file = files.get(path)
    if (file === undefined) {
      file = {failed: false, open: [], output: []}
      files.set(path, file)
    }
    return file
  }

  for await (const {type, data} of source) {
    if (data.file === undefined) {
      // The run's own totals, at its end: "pass 812", "fail 0", "duration_ms 91234.5", ...
      if (type === 'test:diagnostic') {
        const [key, value] = data.message.split(' ')
        totals[key] = Number(value)
      }
      continue
    }
    const file = fileOf(data.file)
    const isFile = data.nesting === 0 && data.name === data.file
    switch (type) {
      case 'test:start':
        if (!isFile) file.open.splice(data.nesting, Infinity, data.name)
        break
      case 'test:fail': {
        // A suite fails with its tests, which are reported themselves.
        if (data.details.type === 'suite') break
        file.failed = true
        const name = isFile ? '(the file itself)' : file.open.slice(0, data.nesting + 1).join(' > ')
        failures.push({path: data.file, name, error: data.details.error})
        break
      }
      case 'test:stdout':
      case 'test:stderr':
        file.output.push(data.message)
        break
      case 'test:complete':
        // As the file's process ends: a file waiting for its turn in the report sends its tests' events only
        // after this, so the counts are left to the totals at the end.
        if (isFile) yield `${data.details.passed ? '✔' : '✖'} ${relative(process.cwd(), data.file)}  ${seconds(data.details.duration_ms)}\n`
        break
    }
  }

  for (const {path, name, error} of failures) {
    yield `\n✖ ${relative(process.cwd(), path)}: ${name}\n${indent(describeError(error))}\n`
  }
  for (const [path, file] of files) {
    if (!file.failed || file.output.length === 0) continue
    const lines = file.output.join('').trimEnd().split('\n')
    const shown = lines.slice(-OUTPUT_LINES)
    const cut = lines.length > shown.length ? ` (its last ${shown.length} of ${lines.length} lines)` : ''
    yield `\n${relative(process.cwd(), path)} printed${cut}:\n${indent(shown.join('\n'))}\n`
  }
  const failed = (totals.fail ?? 0) + (totals.cancelled ?? 0)
  yield `\n${seconds(totals.duration_ms ?? 0)}, ${files.size} files\ntests: ${totals.pass ?? 0} passed, ${failed} failed, ${(totals.skipped ?? 0) + (totals.todo ?? 0)} skipped\n`
}

/** What failed, as node's spec reporter shows it: the assertion with its diff and stack, or why it was cancelled. */
function describeError(error) {
  if (error.failureType === 'cancelledByParent' || error.failureType === 'testTimeoutFailure') return error.message
  const cause = error.cause ?? error
  return typeof cause === 'string' ? cause : inspect(cause, {depth: 6})
}

const indent = (text) => text.replace(/^/gm, '    ')
