/**
 * The task-file planner (src/logs/task-file/plan.ts) as a table: what is known -> the next step. Each row
 * is one moment of a read; source.ts carries the steps out (its tests are in-process against the sim).
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {HOLD_BYTES, type ReadState, type Step, nextStep} from '../../src/logs/task-file/plan.js'

const KiB = 1024
const tail = (lines: number) => ({kind: 'tail', lines}) as const
const all = {kind: 'all'} as const

const rows: Array<[string, ReadState, Step]> = [
  // A window: measured once, the last 64 KiB in one read, further back only when needed.
  ['a window starts with the size', {window: tail(10), follow: false, loggingV2: true}, {kind: 'measure'}],
  ['then the last 64 KiB', {window: tail(10), follow: false, loggingV2: true, size: 1_000_000}, {kind: 'read-tail', from: 1_000_000 - 64 * KiB, to: 1_000_000}],
  ['a small file in one read', {window: tail(10), follow: false, loggingV2: true, size: 500}, {kind: 'read-tail', from: 0, to: 500}],
  ['an empty file: a read of nothing', {window: tail(10), follow: false, loggingV2: true, size: 0}, {kind: 'read-tail', from: 0, to: 0}],
  ['the last 64 KiB hold the window: printed from memory, the last line even without newline', {window: tail(10), follow: false, loggingV2: true, size: 1_000_000, heldFrom: 1_000_000 - 64 * KiB, start: 999_000}, {kind: 'print-held', from: 999_000, to: 1_000_000, finish: true}],
  ['following, a last line without newline waits for its newline', {window: tail(10), follow: true, loggingV2: true, size: 1_000_000, heldFrom: 1_000_000 - 64 * KiB, start: 999_000}, {kind: 'print-held', from: 999_000, to: 1_000_000, finish: false}],
  ['they do not: further back, keeping what fits', {window: tail(100_000), follow: false, loggingV2: true, size: 10_000_000, heldFrom: 10_000_000 - 64 * KiB}, {kind: 'scan-back', to: 10_000_000 - 64 * KiB, keepBytes: HOLD_BYTES - 64 * KiB}],
  ['found within what was kept', {window: tail(100_000), follow: false, loggingV2: true, size: 10_000_000, heldFrom: 500_000, start: 600_000}, {kind: 'print-held', from: 600_000, to: 10_000_000, finish: true}],
  ['found before what was kept (a window over HOLD_BYTES): read again forwards, up to the kept bytes', {window: tail(2_000_000), follow: false, loggingV2: true, size: 200_000_000, heldFrom: 200_000_000 - HOLD_BYTES, start: 1000}, {kind: 'read-forward', from: 1000, to: 200_000_000 - HOLD_BYTES, finish: false}],
  ['no lines wanted and no following: nothing to do, not even a request', {window: tail(0), follow: false, loggingV2: true}, {kind: 'done'}],
  ['no lines wanted while following: where the last line starts', {window: tail(0), follow: true, loggingV2: true, size: 300}, {kind: 'read-tail', from: 0, to: 300}],
  ['the whole file: forwards from 0 to the size measured', {window: all, follow: false, loggingV2: true, size: 5_000_000}, {kind: 'read-forward', from: 0, to: 5_000_000, finish: true}],

  // Resuming from a cursor: no window.
  ['a resume without following reads from the cursor to the end, its newline checked', {window: tail(10), follow: false, loggingV2: true, after: 41}, {kind: 'catch-up', after: 41, finish: true}],
  ['a followed resume from a cursor of this file streams from it at once', {window: tail(10), follow: true, loggingV2: true, after: 41}, {kind: 'stream-v2', after: 41}],
  ['a followed resume from the user\'s cursor reads its one byte through the files API first', {window: tail(10), follow: true, loggingV2: true, after: 41, cursorUnverified: true}, {kind: 'check-cursor', after: 41}],
  ['a newline there: the stream takes over at once', {window: tail(10), follow: true, loggingV2: true, after: 41, cursorProbed: true}, {kind: 'stream-v2', after: 41}],
  ['anything else: the catch-up reads from it and says what is wrong', {window: tail(10), follow: true, loggingV2: true, after: 41, cursorUnverified: true, cursorProbed: true}, {kind: 'catch-up', after: 41, finish: false}],
  ['without logging v2 the cursor is checked by the poll\'s own catch-up', {window: tail(10), follow: true, loggingV2: false, after: 41, cursorUnverified: true}, {kind: 'catch-up', after: 41, finish: false}],
  ['a followed resume without logging v2 polls', {window: tail(10), follow: true, loggingV2: false, after: 41}, {kind: 'poll', after: 41}],

  // Following, once the window is printed.
  ['a printed window without following is all', {window: tail(10), follow: false, loggingV2: true, printedTo: 1_000_000}, {kind: 'done'}],
  ['following goes on over logging v2 from the last newline printed', {window: tail(10), follow: true, loggingV2: true, printedTo: 1_000_000}, {kind: 'stream-v2', after: 999_999}],
  ['never from offset 0 (dcos-log takes a partial last line and byte 65,536 for line ends there): polled until a newline', {window: tail(10), follow: true, loggingV2: true, printedTo: 0}, {kind: 'poll', after: -1}],
  ['without logging v2 (old clusters, nested files): polled', {window: all, follow: true, loggingV2: false, printedTo: 1234}, {kind: 'poll', after: 1233}],
  ['a stalled stream: the files API catches up to the size', {window: tail(10), follow: true, loggingV2: true, printedTo: 1000, behind: true}, {kind: 'catch-up', after: 999, finish: false}],
  ['a replaced file: the old one finished from <file>.1', {window: tail(10), follow: true, loggingV2: true, printedTo: 1000, replaced: true, behind: true}, {kind: 'finish-rotated', after: 999}],
  ['after it, the new file is caught up from its start', {window: tail(10), follow: true, loggingV2: true, printedTo: 0, behind: true}, {kind: 'catch-up', after: -1, finish: false}],
  ['the server ended the stream: this connection is over (follow.ts reconnects with backoff)', {window: tail(10), follow: true, loggingV2: true, printedTo: 1000, ended: true}, {kind: 'done'}],
  ['a resume without following that found the file replaced finishes the old one too', {window: tail(10), follow: false, loggingV2: true, after: 41, printedTo: 42, replaced: true}, {kind: 'finish-rotated', after: 41}],
]

describe('task-file planner', () => {
  for (const [name, state, step] of rows) {
    test(name, () => assert.deepEqual(nextStep(state), step))
  }

  test('every window ends in a print step that covers its last byte, whatever the sizes', () => {
    for (const size of [0, 1, 65_535, 65_536, 65_537, 10_000_000]) {
      for (const heldFrom of [size, Math.max(0, size - 65_536), 0]) {
        const state: ReadState = {window: tail(5), follow: false, loggingV2: true, size, heldFrom, start: Math.max(0, size - 100)}
        const step = nextStep(state)
        assert.ok(step.kind === 'print-held' || step.kind === 'read-forward', `${size} ${heldFrom}: ${step.kind}`)
        if (step.kind === 'print-held') assert.equal(step.to, size)
        if (step.kind === 'read-forward') assert.equal(step.to, heldFrom)
      }
    }
  })
})
