/**
 * Mesos RecordIO (the framing of the Operator API's event stream, mesos-api.md §8): each record is its
 * decimal byte length, a newline, then exactly that many bytes, with nothing between records. Network
 * chunks fall anywhere: a chunk may hold part of a record or several. A record can be read whole (events
 * of a few hundred bytes) or handed on chunk by chunk as it arrives (the SUBSCRIBED snapshot of a large
 * cluster is 100+ MB and is scanned, never held).
 */
import {CliError} from '../errors.js'

/** Digits of a length line: 20 would already be more bytes than any stream carries. */
const MAX_LENGTH_DIGITS = 15
const LF = 0x0a

export class RecordIoReader {
  private readonly chunks: AsyncIterator<Buffer>
  /** Bytes received and not yet handed out. */
  private pending: Buffer = Buffer.alloc(0)
  private ended = false

  constructor(
    input: AsyncIterable<Buffer>,
    /** What the stream is, for error messages ("the Mesos event stream"). */
    private readonly what: string,
  ) {
    this.chunks = input[Symbol.asyncIterator]()
  }

  /** The next record's length, or undefined when the stream ends between records. */
  async nextLength(): Promise<number | undefined> {
    for (;;) {
      const newline = this.pending.indexOf(LF)
      if (newline >= 0) {
        const digits = this.pending.subarray(0, newline).toString('latin1').trim()
        this.pending = this.pending.subarray(newline + 1)
        if (!/^\d+$/.test(digits) || digits.length > MAX_LENGTH_DIGITS) throw this.broken(`a record length of '${digits.slice(0, 40)}'`)
        return Number(digits)
      }
      if (this.pending.length > MAX_LENGTH_DIGITS + 2) throw this.broken(`no record length in '${this.pending.subarray(0, 40).toString('latin1')}'`)
      if (!(await this.fill())) {
        if (this.pending.length === 0) return undefined
        throw this.cut()
      }
    }
  }

  /** The record of that length whole (for records that are small by nature: events). */
  async read(length: number): Promise<Buffer> {
    const parts: Buffer[] = []
    for await (const part of this.body(length)) parts.push(part)
    return parts.length === 1 ? parts[0] : Buffer.concat(parts)
  }

  /** The record of that length as its bytes arrive; it must be read to its end before the next one. */
  async *body(length: number): AsyncGenerator<Buffer> {
    let left = length
    while (left > 0) {
      if (this.pending.length === 0 && !(await this.fill())) throw this.cut()
      const part = this.pending.subarray(0, left)
      this.pending = this.pending.subarray(part.length)
      left -= part.length
      yield part
    }
  }

  /** Appends the next network chunk to what is pending; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false
    const next = await this.chunks.next()
    if (next.done) {
      this.ended = true
      return false
    }
    this.pending = this.pending.length === 0 ? next.value : Buffer.concat([this.pending, next.value])
    return true
  }

  /** A connection that ends inside a record was cut: a follower reconnects. */
  private cut(): CliError {
    return new CliError('network', `${this.what} ended inside a record`, {retryable: true})
  }

  private broken(what: string): CliError {
    return new CliError('protocol', `${this.what} is not RecordIO: ${what}`)
  }
}
