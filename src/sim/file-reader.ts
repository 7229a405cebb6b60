import {isUtf8} from 'node:buffer'
import {MESOS_READ_CAP, type SandboxFile} from './sandbox.js'

/**
 * dcos-log's task-file reader (mesos/files/reader/read.go at 1ad4746b, its ReadManager) replayed over a
 * sandbox file, one `Read()` at a time: a queue of lines refilled by one 64 KiB Mesos read when empty,
 * empty lines dropped, the trailing piece held back when the read offset is > 0, the next offset at the
 * last consumed newline, `skip`, `limit`, and the backward scan for `skip<0`.
 *
 * Its defects come along on purpose (reference/dcos-log-server.md §7.3), since they are what clusters do:
 * a line straddling byte 65,536 when reading from offset 0 comes out as two lines with one byte repeated;
 * a cursor inside a line yields the rest of that line; skipping back more than one chunk lands on a wrong,
 * mid-line offset; a read whose only newline is its first byte (a line of 64 KiB or more, or a last line
 * still without newline) makes no progress: `next()` answers 'no-data' with the offset unchanged, and the
 * handlers re-read that spot (a tight loop for text, once a poll for event streams). Lengths are those of
 * the text Go decoded from Mesos' JSON, where every invalid UTF-8 byte became U+FFFD (three bytes), so
 * such a byte shifts the ids and the next offset, as on the real server.
 *
 * `ideal` reads the way the server was meant to: every line whole, empty lines kept, never stuck.
 */

/** A line as [start, end) in dcos-log's byte positions (file offsets, unless Go's decoding shifted them). */
export interface LineSpan {
  start: number
  end: number
  /** The line's bytes as dcos-log holds them (invalid UTF-8 already replaced). */
  bytes: Buffer
}

/** What dcos-log's Mesos reads did, for tests and the admin endpoint: a loop shows as stuck reads. */
export interface DcosLogReadStats {
  /** Every files-API read dcos-log made (size probes included). */
  mesosReads: number
  /** Reads that returned data but neither a line nor progress: the spot is read again and again. */
  stuckReads: number
  /** Reads made for a client that had already gone. */
  readsAfterClientLeft: number
}

export function newReadStats(): DcosLogReadStats {
  return {mesosReads: 0, stuckReads: 0, readsAfterClientLeft: 0}
}

const LF = 0x0a
const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd])

export interface ReaderOptions {
  skip?: number
  /** Lines to send at most, 0 for all; ignored for event streams. */
  limit?: number
  stream?: boolean
  ideal?: boolean
  stats: DcosLogReadStats
  /** Whether the client is still there (reads for nobody are counted apart). */
  clientGone?: () => boolean
}

export class DcosLogFileReader {
  private readonly queue: LineSpan[] = []
  private skipped = 0
  private sent = 0

  constructor(
    private readonly source: () => SandboxFile | undefined,
    public offset: number,
    private readonly options: ReaderOptions,
  ) {}

  /** The file size, as dcos-log learns it with a Mesos `offset=-1` read. */
  static size(file: SandboxFile, stats: DcosLogReadStats): number {
    stats.mesosReads++
    return file.size
  }

  /**
   * One `Read()`: the next line, 'no-data' (ErrNoData: the queue is empty after a read that gave no line),
   * 'eof' (Mesos answered no data, or `limit` lines were sent), or 'missing' (ErrFileNotFound).
   */
  next(): LineSpan | 'no-data' | 'eof' | 'missing' {
    const {skip = 0, limit = 0, stream = false} = this.options
    for (;;) {
      if (!stream && limit > 0 && this.sent === limit) return 'eof'
      if (this.queue.length === 0) {
        const outcome = this.mesosRead()
        if (outcome !== undefined) return outcome
      }
      const line = this.queue.shift()
      if (line === undefined) return 'no-data'
      if (skip > 0 && this.skipped < skip) {
        this.skipped++
        continue
      }
      this.sent++
      return line
    }
  }

  /** read() and the queue refill of Read(): one 64 KiB Mesos read at the current offset. */
  private mesosRead(): 'eof' | 'missing' | undefined {
    const {stats} = this.options
    const file = this.source()
    stats.mesosReads++
    if (this.options.clientGone?.()) stats.readsAfterClientLeft++
    if (file === undefined) return 'missing'
    const from = this.offset
    if (this.options.ideal) return this.idealRead(file, from)
    const raw = file.slice(from, from + MESOS_READ_CAP)
    if (raw.length === 0 || (raw.length === 1 && raw[0] === LF)) return 'eof'
    const data = goDecoded(raw)
    const pieces = splitLines(data)
    let delta = 0
    if (from > 0 && pieces.length > 1) {
      const [start, end] = pieces.pop() as [number, number]
      delta = end - start
    }
    let linesLen = 0
    for (const [start, end] of pieces) {
      linesLen += end - start + 1
      if (end > start) this.queue.push({start: from + start, end: from + end, bytes: data.subarray(start, end)})
    }
    this.offset = linesLen < MESOS_READ_CAP ? from + linesLen - 1 : from + MESOS_READ_CAP - delta - 1
    if (this.queue.length === 0 && this.offset === from) stats.stuckReads++
    return undefined
  }

  /** What the reader was meant to do: every complete line after the offset, empty ones included, however long. */
  private idealRead(file: SandboxFile, from: number): 'eof' | undefined {
    // A read as large as it takes to hold a newline past the one the offset is on, and no larger.
    let data = file.slice(from, from + MESOS_READ_CAP)
    while (data.lastIndexOf(LF) <= (from > 0 ? 0 : -1) && from + data.length < file.size) data = file.slice(from, from + data.length + MESOS_READ_CAP)
    const lastLf = data.lastIndexOf(LF)
    if (lastLf < 0 || (from > 0 && lastLf === 0)) return 'eof'
    let start = 0
    if (from > 0) {
      // At a newline the piece before it is empty (the line the cursor ended); elsewhere it is the rest of a line.
      const first = data.indexOf(LF)
      if (first > 0) this.queue.push({start: from, end: from + first, bytes: data.subarray(0, first)})
      start = first + 1
    }
    for (let lf = data.indexOf(LF, start); lf >= 0 && lf <= lastLf; lf = data.indexOf(LF, start)) {
      this.queue.push({start: from + start, end: from + lf, bytes: data.subarray(start, lf)})
      start = lf + 1
    }
    this.offset = from + lastLf
    return undefined
  }

  /**
   * The start offset after moving back `count` non-empty lines from `offset` (dcos-log's calcOffset,
   * including its miscount when the lines span more than one 64 KiB chunk).
   */
  static backward(file: SandboxFile, offset: number, count: number, stats: DcosLogReadStats): number {
    let result = offset
    let chunkStart = offset > MESOS_READ_CAP ? offset - MESOS_READ_CAP : 0
    let length = offset > MESOS_READ_CAP ? MESOS_READ_CAP : offset
    let found = 0
    for (;;) {
      stats.mesosReads++
      const data = goDecoded(file.slice(chunkStart, chunkStart + length))
      if (data.length === 0 || (data.length === 1 && data[0] === LF)) return Math.max(result, 0)
      // Pieces of the reversed chunk: the lengths of the forward lines, last line first.
      const pieces: number[] = []
      let end = data.length
      for (let i = data.length - 1; i >= 0; i--) {
        if (data[i] === LF) {
          pieces.push(end - i - 1)
          end = i
        }
      }
      pieces.push(end)
      let delta = 0
      if (chunkStart > 0 && pieces.length > 1) delta = pieces.pop() as number
      if (found + pieces.length >= count) {
        for (let i = 0, skipped = 0; skipped < count && i < pieces.length; i++) {
          if (pieces[i] > 0) skipped++
          result -= pieces[i] + 1
        }
        return Math.max(result, 0)
      }
      found += pieces.length
      length = MESOS_READ_CAP
      chunkStart -= MESOS_READ_CAP - delta
      result = chunkStart
      if (chunkStart < 0) return 0
    }
  }
}

/** [start, end) of each piece between newlines, the piece after the last newline included (maybe empty). */
function splitLines(data: Buffer): Array<[number, number]> {
  const pieces: Array<[number, number]> = []
  let start = 0
  for (let lf = data.indexOf(LF); lf >= 0; lf = data.indexOf(LF, start)) {
    pieces.push([start, lf])
    start = lf + 1
  }
  pieces.push([start, data.length])
  return pieces
}

/**
 * The bytes as Go's encoding/json gives back a string holding them: valid UTF-8 unchanged, each byte of
 * an invalid sequence (a character cut by the 64 KiB window included) replaced by U+FFFD.
 */
export function goDecoded(raw: Buffer): Buffer {
  if (isUtf8(raw)) return raw
  const out: Buffer[] = []
  let copied = 0
  for (let i = 0; i < raw.length; ) {
    const size = validSequence(raw, i)
    if (size > 0) {
      i += size
      continue
    }
    out.push(raw.subarray(copied, i), REPLACEMENT)
    i++
    copied = i
  }
  out.push(raw.subarray(copied))
  return Buffer.concat(out)
}

/** The length of the valid UTF-8 sequence at `i`, or 0 (as Go's utf8.DecodeRune decides). */
function validSequence(b: Buffer, i: number): number {
  const c = b[i]
  if (c < 0x80) return 1
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80
    const hi = c === 0xed ? 0x9f : 0xbf
    return cont(1, lo, hi) && cont(2) ? 3 : 0
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80
    const hi = c === 0xf4 ? 0x8f : 0xbf
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0
  }
  return 0
}
