/**
 * The real Deps for a command run. The cluster is resolved, and the HTTP client (with got) loaded, only
 * when a run function first asks for them; both are memoised for the rest of the run.
 */
import {EMBEDDED_SIM, resolveCluster, type ClusterFlags, type ResolvedCluster} from '../cluster/config.js'
import {CliError} from '../errors.js'
import type {HttpClient} from '../cluster/http.js'
import type {IO} from '../output/io.js'
import type {Deps} from '../deps.js'

export interface CreateDepsInput {
  flags: ClusterFlags
  verbose: boolean
  io: IO
}

export function createDeps(input: CreateDepsInput): Deps {
  let cluster: Promise<ResolvedCluster> | undefined
  let closeSim: (() => Promise<void>) | undefined
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
    cluster: () =>
      (cluster ??=
        input.flags.cluster === EMBEDDED_SIM
          ? startEmbeddedSim(input.io).then(({resolved, close}) => {
              closeSim = close
              return resolved
            })
          : resolveCluster(input.flags, input.io.env)),
    http: () =>
      (http ??= deps.cluster().then(async (resolved) => {
        const {createHttpClient} = await import('../cluster/http.js')
        const options = {verbose: input.verbose, stderr: input.io.stderr}
        return createHttpClient(resolved, {
          ...options,
          // A service account configured by `auth login --private-key` logs in again when the token
          // expires (a follow outlives it), and the refused request is sent once more.
          onUnauthorized: async () => {
            const {reloginWithServiceAccount} = await import('../cluster/login.js')
            return reloginWithServiceAccount(resolved, createHttpClient({...resolved, token: undefined}, options))
          },
        })
      })),
    close: async () => {
      await closeSim?.()
    },
  }
  return deps
}

/**
 * `--cluster sim`: the simulated cluster on a random 127.0.0.1 port, with its tasks writing a line every
 * 300 ms, so a first run needs no cluster at all. Said on stderr, so nobody mistakes it for a real one.
 */
async function startEmbeddedSim(io: IO): Promise<{resolved: ResolvedCluster; close: () => Promise<void>}> {
  const {startSim} = await import('../sim/index.js')
  const sim = await startSim({lineIntervalMs: 300})
  io.stderr.write(`dcos-ts: using the built-in simulated DC/OS cluster at ${sim.url} (--cluster sim)\n`)
  const source = 'built-in simulated cluster (--cluster sim)'
  const resolved: ResolvedCluster = {
    url: sim.url,
    tls: {verify: true},
    timeoutMs: 60_000,
    name: EMBEDDED_SIM,
    sources: {url: source, token: source, tls: source, timeout: source, cluster: source},
  }
  return {resolved, close: () => sim.close()}
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
