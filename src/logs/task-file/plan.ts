/**
 * The planner of a task-file read: given what is known so far (the file's size, the bytes in hand, where
 * the window starts, where printing stands), the next step: which byte range to read through which route,
 * and how it is checked. source.ts carries the steps out; this file decides, and only this file.
 *
 * The rules, from what the real dcos-log server does (reference/dcos-log-server.md §7.3, §8.2):
 * - A window is the last N lines as of one measured size (one files-API size probe), and it is read
 *   through the Mesos files API, which returns every byte: first the last 64 KiB in one read, then, when
 *   the window starts further back, backwards in parallel reads. Logging v2 would cut lines over 32 KiB,
 *   drop empty lines, and never answer before a line of 64 KiB or more, re-reading that spot for ever.
 * - Bytes in hand are printed from memory; what was scanned but not kept (a window over HOLD_BYTES) is
 *   read again, forwards.
 * - Following goes on over the logging v2 event stream from the last newline printed (never from offset
 *   0, where dcos-log emits a partial last line and splits the line at byte 65,536 as if they were lines),
 *   each event checked against its byte-offset id and repaired through the files API where it fails.
 *   Without logging v2 (old clusters, nested paths), or before the file has a newline, the files API is
 *   polled.
 * - When the stream stalls while the file grew (a long line, a cut event), the files API catches up to
 *   the file's size; when the file was replaced (logrotate), the old one's rest is read from `<file>.1`
 *   and the new one from its start.
 */
import type {LogWindow} from '../sources/window.js'
import {MESOS_READ_CAP} from './mesos-file.js'

/** A window's bytes are held in memory up to this size; a bigger one is scanned, then read again forwards. */
export const HOLD_BYTES = 64 * 1024 * 1024

export interface ReadState {
  window: LogWindow
  follow: boolean
  /** Whether a logging v2 route reads this file (a top-level sandbox file on DC/OS 1.11+). */
  loggingV2: boolean
  /** Resuming: the newline the first line to print comes after (a cursor). */
  after?: number
  /**
   * That cursor is the user's and no read has found its newline yet: it is checked through the files API
   * before anything else, so a cursor from another file, or past this one's end, is an error, not a dump.
   */
  cursorUnverified?: boolean
  /** The byte at that cursor was read (check-cursor): it was not a newline, so the catch-up decides. */
  cursorProbed?: boolean
  /** The most of a window held in memory (default HOLD_BYTES). */
  holdBytes?: number
  /** The file's size, as measured once: every window is taken from it. */
  size?: number
  /** Bytes in hand: [heldFrom, size). */
  heldFrom?: number
  /** Where the part of the window not yet printed starts, once the scan found the window. */
  start?: number
  /** Set once the window is printed: printing stands here (one past the last newline printed). */
  printedTo?: number
  /** The file is no longer the one printing stands in (its byte at printedTo - 1 is not a newline). */
  replaced?: boolean
  /** The stream stalled while the file grew, or an event could not be checked: the files API catches up. */
  behind?: boolean
  /** The server ended the event stream: this connection is over (follow.ts opens the next, with its backoff). */
  ended?: boolean
}

export type Step =
  /** One files-API size probe (`offset=-1`). */
  | {kind: 'measure'}
  /** One files-API read of the file's last bytes (at most 64 KiB), scanned for the window's start. */
  | {kind: 'read-tail'; from: number; to: number}
  /** Files-API reads further back, in parallel, until the window's start; bytes kept up to `keepBytes`. */
  | {kind: 'scan-back'; to: number; keepBytes: number}
  /** Lines from bytes already in hand. `finish`: a last line without newline is printed too. */
  | {kind: 'print-held'; from: number; to: number; finish: boolean}
  /** Files-API reads of [from, to) in order, printed as they come. */
  | {kind: 'read-forward'; from: number; to: number; finish: boolean}
  /** Logging v2's event stream after the newline at `after`, every event checked by its id. */
  | {kind: 'stream-v2'; after: number}
  /**
   * One files-API read of the byte at a user's cursor, before a follow from it: a newline there lets the
   * event stream take over at once, where a catch-up would first read everything after it, 64 KiB a request.
   */
  | {kind: 'check-cursor'; after: number}
  /**
   * Files-API reads from the newline at `after` (-1: the file's start) to the file's size, that newline
   * checked. `finish`: a last line without newline is printed too.
   */
  | {kind: 'catch-up'; after: number; finish: boolean}
  /** The replaced file's rest from `<file>.1` after the newline at `after`; the new file is then caught up from its start. */
  | {kind: 'finish-rotated'; after: number}
  /** Files-API polling after the newline at `after` (-1: from the file's start). */
  | {kind: 'poll'; after: number}
  | {kind: 'done'}

export function nextStep(state: ReadState): Step {
  const {follow} = state
  if (state.ended) return {kind: 'done'}
  // A resume has no window: printing stands right after the cursor, and without following it reads to the end
  // through the files API. A user's cursor is checked there first: followed over logging v2, by its one byte.
  const resuming = state.after !== undefined && state.printedTo === undefined
  const printedTo = resuming ? (state.after as number) + 1 : state.printedTo
  if (printedTo === undefined) return windowStep(state)
  const after = printedTo - 1
  if (state.replaced) return {kind: 'finish-rotated', after}
  if (resuming && follow && state.cursorUnverified && !state.cursorProbed && state.loggingV2 && after >= 0) return {kind: 'check-cursor', after}
  if (state.behind || (resuming && (!follow || state.cursorUnverified))) return {kind: 'catch-up', after, finish: !follow}
  if (!follow) return {kind: 'done'}
  if (state.loggingV2 && after >= 0) return {kind: 'stream-v2', after}
  return {kind: 'poll', after}
}

/** The steps that print the first connection's part of the file (the last of them sets printedTo). */
function windowStep(state: ReadState): Step {
  const {window, follow, size, start} = state
  if (window.kind === 'tail' && window.lines === 0 && !follow) return {kind: 'done'}
  if (size === undefined) return {kind: 'measure'}
  if (window.kind === 'all') return {kind: 'read-forward', from: 0, to: size, finish: !follow}
  const heldFrom = state.heldFrom ?? size
  if (start === undefined) {
    if (heldFrom === size) return {kind: 'read-tail', from: Math.max(0, size - MESOS_READ_CAP), to: size}
    return {kind: 'scan-back', to: heldFrom, keepBytes: Math.max(0, (state.holdBytes ?? HOLD_BYTES) - (size - heldFrom))}
  }
  if (start < heldFrom) return {kind: 'read-forward', from: start, to: heldFrom, finish: false}
  return {kind: 'print-held', from: start, to: size, finish: !follow}
}
