/**
 * "Detect, then confirm by how the routes answer": a source that starts on one protocol and, if that
 * protocol's route turns out not to exist on this cluster before any entry was read, switches for good to
 * another one reading the same file. Only sources with the same cursor meaning may be paired (logging v2
 * and the files API both use byte offsets), so a resume after the switch stays exact.
 */
import {isCliError, type CliError} from '../errors.js'
import type {LogEntry, LogSource, OpenRequest} from './entry.js'

export function withFallback(primary: LogSource, fallback: () => Promise<LogSource>, isMissingRoute: (error: CliError) => boolean): LogSource {
  let current: LogSource | undefined
  return {
    stream: primary.stream,
    cursorOrder: primary.cursorOrder,
    async *open(request: OpenRequest, signal: AbortSignal): AsyncIterable<LogEntry[]> {
      if (current !== undefined) return yield* current.open(request, signal)
      let delivered = false
      try {
        for await (const batch of primary.open(request, signal)) {
          if (batch.length > 0) delivered = true
          yield batch
        }
        current = primary
      } catch (error) {
        if (delivered || !isCliError(error) || !isMissingRoute(error)) throw error
        current = await fallback()
        yield* current.open(request, signal)
      }
    },
  }
}
