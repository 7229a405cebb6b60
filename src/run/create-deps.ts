/**
 * The real Deps for a command run. The cluster is resolved, and the HTTP client (with got) loaded, only
 * when a run function first asks for them; both are memoised for the rest of the run.
 */
import {resolveCluster, type ClusterFlags, type ResolvedCluster} from '../cluster/config.js'
import {CliError} from '../cluster/errors.js'
import type {HttpClient} from '../cluster/http.js'
import type {IO} from '../output/io.js'
import type {Deps} from './deps.js'

export interface CreateDepsInput {
  flags: ClusterFlags
  verbose: boolean
  io: IO
}

export function createDeps(input: CreateDepsInput): Deps {
  let cluster: Promise<ResolvedCluster> | undefined
  let http: Promise<HttpClient> | undefined
  let signal: AbortSignal | undefined
  const deps: Deps = {
    io: input.io,
    now: Date.now,
    sleep,
    // A getter: the signal handlers are installed only for runs that watch for Ctrl-C (until then the
    // default applies and Ctrl-C ends the process at once). Aborts too when stdout's reader goes away.
    get signal() {
      return (signal ??= AbortSignal.any([processInterrupt(), input.io.closed]))
    },
    cluster: () => (cluster ??= resolveCluster(input.flags, input.io.env)),
    http: () =>
      (http ??= deps.cluster().then(async (resolved) => {
        const {createHttpClient} = await import('../cluster/http.js')
        return createHttpClient(resolved, {verbose: input.verbose, stderr: input.io.stderr})
      })),
  }
  return deps
}

/** Resolves after ms, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}

const SIGNAL_EXIT_CODES = {SIGINT: 130, SIGTERM: 143} as const
let interrupt: AbortController | undefined

/**
 * One controller per process, aborted on the first SIGINT/SIGTERM with an 'interrupted' CliError whose
 * exitCode says which (130 or 143). A second signal exits at once, for a run that does not stop.
 */
function processInterrupt(): AbortSignal {
  if (!interrupt) {
    const controller = new AbortController()
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      process.on(name, () => {
        if (controller.signal.aborted) process.exit(SIGNAL_EXIT_CODES[name])
        controller.abort(new CliError('interrupted', `interrupted by ${name}`, {exitCode: SIGNAL_EXIT_CODES[name]}))
      })
    }
    interrupt = controller
  }
  return interrupt.signal
}
