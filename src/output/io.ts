/**
 * The process's standard streams, injected (gh's IOStreams): run functions and sinks never touch `process`
 * directly, so tests run them against memory writers with any TTY setting.
 */
import {Writable} from 'node:stream'

export interface IO {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin?: NodeJS.ReadableStream
  isStdoutTTY: boolean
  isStderrTTY: boolean
  isStdinTTY: boolean
  /** Terminal width; 80 when stdout is not a terminal. */
  columns: number
  env: NodeJS.ProcessEnv
  /**
   * Aborted when stdout can take no more output, with the write error as the reason. Sinks stop writing and
   * the run function stops following (createDeps can fold it into deps.signal with AbortSignal.any). When
   * isReaderGone(closed.reason) (`| head -1` closed the pipe: EPIPE) the command exits 0 quietly; any
   * other reason (a full disk) is a real failure.
   */
  closed: AbortSignal
}

/** Error codes that mean "nobody reads this stream any more", not a fault of ours. */
const READER_GONE = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'EIO'])

export function isReaderGone(error: unknown): boolean {
  return READER_GONE.has((error as NodeJS.ErrnoException | undefined)?.code ?? '')
}

/**
 * The real process streams. An unhandled EPIPE would crash with a stack trace and exit 1, so stdout errors
 * abort `closed` instead; stderr errors are swallowed (there is nowhere left to report them).
 */
export function systemIO(): IO {
  const controller = new AbortController()
  process.stdout.on('error', (error: unknown) => controller.abort(error))
  process.stderr.on('error', () => {})
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    isStdoutTTY: process.stdout.isTTY === true,
    isStderrTTY: process.stderr.isTTY === true,
    isStdinTTY: process.stdin.isTTY === true,
    columns: process.stdout.columns || 80,
    env: process.env,
    closed: controller.signal,
  }
}

export interface TestIO extends IO {
  stdoutText(): string
  stderrText(): string
  /** stdout as the bytes written (text decodes them, so bytes that are not UTF-8 show as U+FFFD there). */
  stdoutBytes(): Buffer
  /** Simulates the reader going away (the pipe to `head` closing: EPIPE). */
  closeStdout(): void
  /** Resolves once stdout's text so far passes the test: a test waits on output, not on time. */
  stdoutWhen(test: (text: string) => boolean): Promise<void>
  /** The same for stderr (notices: a stream that joined, ended, reconnects). */
  stderrWhen(test: (text: string) => boolean): Promise<void>
}

class MemoryWriter extends Writable {
  /** What each write (or writev) brought: corked writes arrive together, as what a pipe's reader gets from one writev. */
  readonly chunks: string[] = []
  private readonly bytes: Buffer[] = []
  isTTY?: boolean
  columns?: number
  rows?: number

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.keep(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    callback()
  }

  override _writev(chunks: Array<{chunk: Buffer | string}>, callback: (error?: Error | null) => void): void {
    this.keep(Buffer.concat(chunks.map(({chunk}) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk))))
    callback()
  }

  text(): string {
    return this.all().toString('utf8')
  }

  all(): Buffer {
    return Buffer.concat(this.bytes)
  }

  private keep(bytes: Buffer): void {
    this.bytes.push(Buffer.from(bytes))
    this.chunks.push(bytes.toString('utf8'))
    this.emit('kept')
  }

  when(test: (text: string) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!test(this.text())) return
        this.off('kept', check)
        resolve()
      }
      this.on('kept', check)
      check()
    })
  }
}

export interface TestIOOptions {
  /** Pretend stdout, stderr and stdin are terminals. */
  tty?: boolean
  columns?: number
  rows?: number
  env?: NodeJS.ProcessEnv
}

/** In-memory IO for tests; with `tty` the writers carry isTTY/columns so Ink can render into them. */
export function testIO(options: TestIOOptions = {}): TestIO {
  const tty = options.tty ?? false
  const columns = options.columns ?? 80
  const stdout = new MemoryWriter()
  const stderr = new MemoryWriter()
  if (tty) {
    for (const writer of [stdout, stderr]) {
      writer.isTTY = true
      writer.columns = columns
      writer.rows = options.rows ?? 24
    }
  }
  const controller = new AbortController()
  return {
    stdout,
    stderr,
    isStdoutTTY: tty,
    isStderrTTY: tty,
    isStdinTTY: false,
    columns,
    env: options.env ?? {},
    closed: controller.signal,
    stdoutText: () => stdout.text(),
    stderrText: () => stderr.text(),
    stdoutBytes: () => stdout.all(),
    closeStdout: () => controller.abort(Object.assign(new Error('write EPIPE'), {code: 'EPIPE'})),
    stdoutWhen: (test) => stdout.when(test),
    stderrWhen: (test) => stderr.when(test),
  }
}

/**
 * Resolves once the writer can take more (after write() returned false), or at once when the reader has
 * gone: 'drain' never comes on a closed pipe.
 */
export function whenDrained(stream: NodeJS.WritableStream, closed: AbortSignal): Promise<void> {
  if (closed.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('close', done)
      closed.removeEventListener('abort', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
    closed.addEventListener('abort', done)
  })
}
