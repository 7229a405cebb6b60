/** Which part of a log the first connection reads (later connections resume from a cursor instead). */
export type LogWindow =
  /** The last `lines` lines or journal entries; 0 means none (following shows only new ones). */
  | {kind: 'tail'; lines: number}
  /** Everything from the beginning (streamed, never held in memory). */
  | {kind: 'all'}
