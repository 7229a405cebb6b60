/** What the numbers were measured on. */
import {execFileSync} from 'node:child_process'
import {cpus, loadavg, release, totalmem} from 'node:os'

/** The load average when the run started, to tell a quiet machine from a shared, busy one. */
const loadAtStart = loadavg()

export async function machine(): Promise<string> {
  const cores = cpus()
  const curl = (() => {
    try {
      return execFileSync('curl', ['--version'], {encoding: 'utf8'}).split('\n')[0].split(' ').slice(0, 2).join(' ')
    } catch {
      return 'curl: not found'
    }
  })()
  return [
    `- machine: ${cores.length} x ${cores[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`,
    `- Node ${process.version}, ${curl}; load average (1 min) ${loadAtStart[0].toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`,
    '- every process of a case (node -e, the CLI, curl) runs with one environment: PATH, LANG, a fresh HOME and DCOS_DIR, DCOS_URL where needed, and no NODE_EXTRA_CA_CERTS (it costs 35-80 ms per Node start here)',
    '- the simulated cluster runs in its own process (bench/sim-server.ts) on the same 2 cores, so it competes with the client for CPU',
  ].join('\n')
}
