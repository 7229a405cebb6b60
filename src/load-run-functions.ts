import type * as RunFunctions from './run-functions.js'

/**
 * The run functions (src/run-functions.ts), imported when a command runs: a `--version` or a `--help`
 * never loads them, got and the log sources. In the bundle this module is replaced (scripts/bundle.js):
 * there they are a bundle of their own, dist/run.cjs, with its own code cache.
 */
export async function loadRunFunctions(): Promise<typeof RunFunctions> {
  return import('./run-functions.js')
}
