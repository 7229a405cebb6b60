import assert from 'node:assert/strict'
import {EXIT_CODES, type ErrorKind} from '../../src/errors.js'
import type {CliResult} from './cli.js'

/** What a user checks of a failure: one `Error:` line on stderr, no stack trace, the kind's exit code. */
export function assertOneLineError(result: CliResult, kind: ErrorKind, message: RegExp, options: {emptyStdout?: boolean} = {}): void {
  const context = `stdout: ${result.stdout.slice(0, 500)}\nstderr: ${result.stderr}`
  assert.equal(result.timedOut, false, `timed out\n${context}`)
  assert.match(result.stderr, /^Error: [^\n]+\n$/, `one line starting "Error: "\n${context}`)
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace')
  assert.match(result.stderr, message)
  assert.equal(result.code, EXIT_CODES[kind], `exit code of a ${kind} error\n${context}`)
  if (options.emptyStdout) assert.equal(result.stdout, '')
}
