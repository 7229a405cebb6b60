/**
 * Response bodies as the HTTP client hands them out: chunks as they arrive, every failure a classified
 * error, and what a caller stops reading closed.
 */
import {type Readable, finished} from 'node:stream'
import type {Request as GotRequest} from 'got'

/**
 * The body handed to callers: every error its for-await ends with is a classified CliError (got's own
 * errors are not), and a caller that stops reading (destroys it, or breaks out of for-await) closes the
 * request. It is got's request, whose for-await yields the response's chunks as they arrive
 * (responseChunks): no PassThrough, no copy.
 */
export function classifiedBody(request: GotRequest, response: Readable, classify: (error: Error) => Error): Readable {
  request[Symbol.asyncIterator] = async function* () {
    try {
      yield* responseChunks(request, response)
    } catch (error) {
      throw classify(error as Error)
    }
  }
  // The error may come before the caller reads (a follow asking for the task state between the headers
  // and its first read): the stream keeps it for that read, instead of crashing the process.
  request.on('error', () => {})
  return request
}

/** Chunks held before the response is paused (and so the socket) for a reader that lags. */
const HELD_CHUNKS = 16

/**
 * The response's chunks, taken from the response itself. got's request reads its response with read(),
 * which joins whatever is buffered into a new buffer: a copy of most bytes of a fast body, and the garbage
 * to match (12 MB of logging v2 text: 145 -> 110 ms, CPU 150 -> 115 ms; docs/performance.md, Range read).
 * got still watches the exchange: its errors (timeouts, a response cut short, an abort) end the iteration,
 * and a response that breaks without one ends it with the response's own error.
 */
async function* responseChunks(request: GotRequest, response: Readable): AsyncGenerator<Buffer> {
  const held: Buffer[] = []
  let ended = false
  let failure: Error | undefined
  let wake: (() => void) | undefined
  const notify = () => {
    const resolve = wake
    wake = undefined
    resolve?.()
  }
  const fail = (error: Error) => {
    failure ??= error
    notify()
  }
  // got's idle watchdog is the socket's timeout, which counts any silence, also the one a paused response
  // makes: a reader that lags (a pipe into `less` read for a minute) would lose the rest of the body. So
  // it is off while the response is paused, and set again as it resumes.
  let pausedIdleMs: number | undefined
  const pause = () => {
    response.pause()
    const socket = request.socket
    if (socket?.timeout === undefined || socket.timeout === 0) return
    pausedIdleMs = socket.timeout
    socket.setTimeout(0)
  }
  const resume = () => {
    response.resume()
    if (pausedIdleMs !== undefined) request.socket?.setTimeout(pausedIdleMs)
    pausedIdleMs = undefined
  }
  const onData = (chunk: Buffer) => {
    held.push(chunk)
    if (held.length >= HELD_CHUNKS && !response.isPaused()) pause()
    notify()
  }
  // got reports a broken response on the request a moment later, as its own (better) error.
  const onBroken = (error: Error | null | undefined) => {
    if (!error) {
      ended = true
      return notify()
    }
    if (request.errored) return fail(request.errored)
    if (request.destroyed) return fail(error)
    request.once('close', () => fail(request.errored ?? error))
  }
  if (request.errored) fail(request.errored)
  request.once('error', fail)
  const stopWatching = finished(response, {writable: false}, onBroken)
  // got reads the response on 'readable'; those reads would take the chunks this takes on 'data'.
  response.removeAllListeners('readable')
  response.on('data', onData)
  try {
    for (;;) {
      if (held.length > 0) {
        const chunk = held.shift()!
        if (held.length === 0 && response.isPaused()) resume()
        yield chunk
      } else if (failure !== undefined) {
        throw failure
      } else if (ended) {
        return
      } else {
        await new Promise<void>((resolve) => (wake = resolve))
      }
    }
  } finally {
    stopWatching()
    response.off('data', onData)
    request.off('error', fail)
    request.destroy()
  }
}

/** Up to `limit` bytes of a body as text; the rest is discarded and the stream closed. */
export async function readLimited(stream: GotRequest, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
      if (size >= limit) break
    }
  } catch {
    // A broken error body still leaves the status to report.
  } finally {
    stream.destroy()
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8')
}
