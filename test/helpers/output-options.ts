import type {OutputOptions} from '../../src/output/choose-sink.js'

/** What `task log` passes to createSink with no output flags, changed by `overrides`. */
export function taskOutput(overrides: Partial<OutputOptions> = {}): OutputOptions {
  return {
    format: 'text',
    kind: 'task',
    color: 'auto',
    raw: false,
    tui: true,
    follow: false,
    prefix: undefined,
    timestamps: false,
    utc: true,
    include: [],
    exclude: [],
    ...overrides,
  }
}
