import type {LiveSink} from './live-sink.js'

/**
 * The live view's sink, with Ink and React: imported only on the interactive path. In the bundle this
 * module is replaced (scripts/bundle.js), since there the live view is a file of its own.
 */
export async function loadLiveSink(): Promise<typeof LiveSink> {
  return (await import('./live-sink.js')).LiveSink
}
