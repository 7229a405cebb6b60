import {MESOS_READ_CAP, type SandboxFile} from './sandbox.js'

/**
 * dcos-log's task-file reader (mesos/files/reader/read.go at 1ad4746b) replayed over a sandbox file:
 * 64 KiB Mesos reads, lines split on `\n`, empty lines dropped, the trailing partial line held back when
 * the read offset is > 0, the next offset pointing at the last consumed newline, and the backward scan
 * for `skip<0`. Its defects come along on purpose (reference/dcos-log-server.md §7.3): a line straddling
 * byte 65 536 when reading from offset 0 comes out as two lines with one byte repeated; a cursor inside
 * a line yields the rest of that line; skipping back more than one chunk lands on a wrong, mid-line offset.
 * One defect is not reproduced: with a line longer than 64 KiB the real reader stops making progress
 * (a follow stalls for good); here such a line is split into 64 KiB pieces instead.
 */

/** A line as [start, end) byte positions in the file; its SSE id is `end` when start > 0. */
export type LineSpan = [number, number]

export class FileMissingError extends Error {}

const NEWLINE = 10

export class TaskFileReader {
  private skipped = 0

  constructor(
    private readonly source: () => SandboxFile | undefined,
    public offset: number,
    private readonly skipForward = 0,
  ) {}

  /** The file size, as dcos-log learns it with a Mesos `offset=-1` read. */
  static size(file: SandboxFile | undefined): number {
    if (file === undefined) throw new FileMissingError()
    return file.size
  }

  /**
   * One Mesos read at the current offset. Returns the lines it completes (empty ones dropped, forward
   * skip applied), or undefined at end of file. Throws FileMissingError if the file does not exist.
   */
  next(): LineSpan[] | undefined {
    const file = this.source()
    if (file === undefined) throw new FileMissingError()
    const from = this.offset
    const data = file.slice(from, from + MESOS_READ_CAP)
    if (data.length === 0 || (data.length === 1 && data[0] === NEWLINE)) return undefined
    const full = data.length === MESOS_READ_CAP
    const lastNewline = data.lastIndexOf(NEWLINE)
    // The real reader holds back the piece after the last newline when reading from offset > 0.
    let keepEnd = from > 0 && lastNewline >= 0 ? lastNewline : data.length
    let delta = data.length - (keepEnd === data.length ? data.length : keepEnd + 1)
    let consumed = keepEnd === data.length ? data.length + 1 : keepEnd + 1
    if (from > 0 && full && consumed <= 1) {
      // Not reproduced: the real reader would re-read this chunk forever (see above).
      keepEnd = data.length
      delta = 0
      consumed = data.length + 1
    }
    this.offset = consumed < MESOS_READ_CAP ? from + consumed - 1 : from + MESOS_READ_CAP - delta - 1
    const lines: LineSpan[] = []
    let start = 0
    while (start <= keepEnd) {
      let end = data.indexOf(NEWLINE, start)
      if (end < 0 || end > keepEnd) end = keepEnd
      if (end > start) {
        if (this.skipped < this.skipForward) this.skipped++
        else lines.push([from + start, from + end])
      }
      start = end + 1
    }
    return lines
  }

  /**
   * The start offset after moving back `count` non-empty lines from `offset` (dcos-log's calcOffset,
   * including its miscount when the lines span more than one 64 KiB chunk).
   */
  static backward(file: SandboxFile, offset: number, count: number): number {
    let result = offset
    let chunkStart = offset > MESOS_READ_CAP ? offset - MESOS_READ_CAP : 0
    let length = offset > MESOS_READ_CAP ? MESOS_READ_CAP : offset
    let found = 0
    for (;;) {
      const data = file.slice(chunkStart, chunkStart + length)
      if (data.length === 0 || (data.length === 1 && data[0] === NEWLINE)) return Math.max(result, 0)
      // Pieces of the reversed chunk: the lengths of the forward lines, last line first.
      const pieces: number[] = []
      let end = data.length
      for (let i = data.length - 1; i >= 0; i--) {
        if (data[i] === NEWLINE) {
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
