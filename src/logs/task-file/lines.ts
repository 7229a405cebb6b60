/**
 * Line scanning over a task file's exact bytes (read through the Mesos files API): forwards into entries,
 * backwards to find where the last N lines start. A line is what ends with a newline, empty ones included,
 * so that what is printed is the file byte for byte (`tail -n` counts the same way).
 */
import {ByteEntry, type LogEntry, type StreamInfo} from '../entry.js'

const LF = 0x0a

/**
 * Cuts bytes, fed in file order, into lines whose cursor is the offset of their newline. A line is kept as
 * the bytes it was read in (a ByteEntry: printed as they are, invalid UTF-8 included); one that straddles
 * two reads is copied once, with its newline.
 */
export class LineAssembler {
  private partial: Buffer[] = []
  /** Offset of the first byte not yet fed. */
  private offset = 0
  /** Mark the next line as the first of a new (rotated-in) file. */
  private newFile = false

  constructor(private readonly stream: StreamInfo) {}

  /** Where the next byte fed lies in the file; a line started before it is forgotten. */
  restart(offset: number, newFile = false): void {
    this.partial = []
    this.offset = offset
    this.newFile = newFile
  }

  /** The offset of the newline ending the last complete line fed (one before where the next line starts). */
  get lastNewline(): number {
    return this.offset - this.partialLength() - 1
  }

  push(bytes: Buffer): LogEntry[] {
    const batch: LogEntry[] = []
    let pos = 0
    for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, pos)) {
      const cursor = this.offset + lf
      if (this.partial.length > 0) {
        this.partial.push(bytes.subarray(pos, lf + 1))
        const line = Buffer.concat(this.partial)
        this.partial = []
        batch.push(this.entry(cursor, line, 0, line.length - 1))
      } else {
        batch.push(this.entry(cursor, bytes, pos, lf))
      }
      pos = lf + 1
    }
    if (pos < bytes.length) this.partial.push(bytes.subarray(pos))
    this.offset += bytes.length
    return batch
  }

  /** The last line, if it never got its newline, as a line of its own (the end of a read not followed). */
  finish(): LogEntry[] {
    if (this.partial.length === 0) return []
    const line = Buffer.concat(this.partial)
    this.partial = []
    return [this.entry(this.offset, line, 0, line.length)]
  }

  private entry(cursor: number, bytes: Buffer, start: number, end: number): LogEntry {
    const entry = new ByteEntry(this.stream, cursor, bytes, start, end)
    if (this.newFile) {
      entry.restarted = true
      this.newFile = false
    }
    return entry
  }

  private partialLength(): number {
    let length = 0
    for (const piece of this.partial) length += piece.length
    return length
  }
}

/**
 * Counts lines backwards from a file's end, fed with the bytes before everything fed so far, to find where
 * the last `lines` of them start. With `includePartial` a last line without newline counts as a line;
 * otherwise it is left out (and a window of 0 lines starts at it, so it is shown once its newline arrives).
 */
export class BackwardLineScan {
  /** Where the window starts, once found. */
  start: number | undefined
  /** Lines counted so far. */
  counted = 0
  /** The file's last newline, once seen (-1 until then). */
  lastNewline = -1

  constructor(
    readonly lines: number,
    readonly end: number,
    private readonly includePartial: boolean,
  ) {
    if (lines === 0 && includePartial) this.start = end
  }

  /** Scans `bytes` (the file's bytes from offset `from`, up to `length` of them); returns the start once found. */
  feed(bytes: Buffer, from: number, length = bytes.length): number | undefined {
    const last = Math.min(length, bytes.length) - 1
    for (let i = last >= 0 ? bytes.lastIndexOf(LF, last) : -1; i >= 0 && this.start === undefined; i = i > 0 ? bytes.lastIndexOf(LF, i - 1) : -1) {
      const lf = from + i
      const first = this.lastNewline < 0
      if (first) this.lastNewline = lf
      if (this.lines === 0) this.start = lf + 1
      // The line after the last newline is none at the end of the file, or the partial one.
      else if ((!first || (lf + 1 < this.end && this.includePartial)) && ++this.counted === this.lines) this.start = lf + 1
    }
    return this.start
  }

  /** The scan reached the file's start: the window starts there (the file has no more lines). */
  atFileStart(): number {
    this.start ??= 0
    return this.start
  }
}
