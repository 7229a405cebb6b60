/**
 * The one entry type every log source yields, whatever its protocol (logging v2, logging v1, files API).
 * Entries are plain data: no colour, no layout. Sinks decide how they look.
 */

/** Who a stream is: created once per stream and shared by all of its entries (no per-line copies). */
export interface StreamInfo {
  /** Stable identity, unique within one run (task id + file, or node + unit). */
  id: string
  kind: 'task' | 'component'
  /** Short label for prefixes and the live view: a task id, or "leader"/agent id plus unit. */
  label: string
  task?: string
  file?: string
  agent?: string
  framework?: string
  /** For component streams: "leader" or the agent id. */
  node?: string
  unit?: string
}

export interface LogEntry {
  stream: StreamInfo
  /** The line as the task or journal wrote it, without the trailing newline. */
  message: string
  /**
   * Where to resume strictly after this entry: the byte offset of the line's terminating newline for task
   * files (the logging v2 SSE id), or the journald cursor for component logs. Undefined where the
   * source has none (a text range read).
   */
  cursor?: string
  /** Microseconds since the epoch (journal realtime_timestamp); task files carry no time. */
  realtime?: number
  /** Journal fields with the journal's own names (MESSAGE, PRIORITY, _HOSTNAME, ...). */
  fields?: Record<string, string>
  monotonic?: number
  /**
   * Set on the first entry of a file that replaced the one earlier cursors pointed into (log rotation):
   * byte offsets start again from 0, so a resume must not drop it as "already seen".
   */
  restarted?: true
}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'failed'

export interface StreamStatus {
  stream: StreamInfo
  state: StreamState
  /** Reconnect attempt number while reconnecting. */
  attempt?: number
  /** Why: the error that caused a reconnect, or how the stream ended (e.g. "TASK_FINISHED"). */
  detail?: string
  /** Last cursor seen, to print the resume point. */
  cursor?: string
}

/** What flows from sources (through follow and merge) to a sink: batches of entries (each of one stream), and status changes. */
export type LogEvent = {type: 'entries'; entries: LogEntry[]} | {type: 'status'; status: StreamStatus}

/** What a sink is given: the streams' events, and lines about the follow as a whole (a task that cannot join, a watch that reconnects). */
export type SinkEvent = LogEvent | {type: 'notice'; text: string}

/** What one connection attempt asks for. */
export interface OpenRequest {
  /** Resume strictly after this cursor (Last-Event-ID); undefined means the source's initial window. */
  after?: string
  /** Keep the connection open for new lines (event stream or polling) instead of reading to the end. */
  follow: boolean
}

/**
 * One log stream over one protocol. `open` is a single connection attempt: it yields batches of entries
 * until the server ends the response, and throws a CliError (retryable or not) on failure. It knows
 * nothing of retries, terminals or flags; follow.ts adds reconnecting and resuming on top.
 */
export interface LogSource {
  readonly stream: StreamInfo
  /**
   * How cursors compare, for dropping repeats after a resume: byte offsets numerically; journal cursors
   * by their seqnum within one journal file (`s=`), otherwise only by equality (the default).
   */
  readonly cursorOrder?: 'byte-offset' | 'journal'
  /** An empty batch means "connected / still alive" (sent on connect and for keepalives). */
  open(request: OpenRequest, signal: AbortSignal): AsyncIterable<LogEntry[]>
}

/** Where events end up (text, NDJSON, the live view). write may return a promise to apply backpressure. */
export interface Sink {
  write(event: SinkEvent): void | Promise<void>
  close(): Promise<void>
}

/**
 * An entry whose message is still the UTF-8 bytes it arrived as (a valid UTF-8 range of a network chunk),
 * decoded only when `message` is first read: a sink that prints messages unchanged copies the bytes
 * instead (src/output/format.ts, createBatchEncoder). Its cursor likewise stays the event id as it was read
 * (a byte offset is a number) until asked for: a busy stream's sink asks for one cursor a batch.
 * It keeps its chunk alive as long as it lives itself.
 */
export class ByteEntry implements LogEntry {
  declare restarted?: true
  private decoded: string | undefined

  constructor(
    readonly stream: StreamInfo,
    private readonly position: string | number | undefined,
    readonly bytes: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  get message(): string {
    return (this.decoded ??= this.bytes.toString('utf8', this.start, this.end))
  }

  get cursor(): string | undefined {
    return typeof this.position === 'number' ? String(this.position) : this.position
  }
}
