/**
 * What a run function needs from the outside world, injected so every command runs without a terminal
 * in tests (the gh "Factory" idea). The cluster and its HTTP client are built lazily: a command that
 * never talks to the cluster never reads the config.
 */
import type {HttpClient} from './cluster/http.js'
import type {ResolvedCluster} from './cluster/config.js'
import type {IO} from './output/io.js'

export interface Deps {
  io: IO
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after ms, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Aborted on Ctrl-C / SIGTERM: streams stop, sinks flush, the resume cursor is printed. */
  signal: AbortSignal
  cluster(): Promise<ResolvedCluster>
  http(): Promise<HttpClient>
  /** Releases what the run started (the embedded simulated cluster); called once the command ends. */
  close(): Promise<void>
}
