/**
 * Runs one measured process: wall time from spawn, time to the first line, line count, peak RSS and CPU
 * time (GNU time's ru_maxrss and user+sys of the process it runs; every case's processes run under it
 * alike, so its ~1 ms is in every number of a row and its baseline).
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = join(REPO_ROOT, 'bin', 'run.js')
const GNU_TIME = '/usr/bin/time'
const NEWLINE = 10

/**
 * The one environment of every process a case starts (node, the CLI, curl alike): PATH and a locale,
 * a fresh HOME, nothing about DC/OS but what the case adds, and no NODE_EXTRA_CA_CERTS (loading extra
 * CA certificates costs 50-80 ms per Node start on these machines and no benchmark speaks TLS).
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {PATH: process.env.PATH, LANG: process.env.LANG ?? 'C.UTF-8', HOME: benchHome(), DCOS_DIR: join(benchHome(), '.dcos')}
  return {...env, ...extra}
}

let home: string | undefined
function benchHome(): string {
  home ??= mkdtempSync(join(tmpdir(), 'dcos-ts-bench-home-'))
  return home
}
export function removeBenchHome(): void {
  if (home !== undefined) rmSync(home, {recursive: true, force: true})
}

export interface RunSpec {
  command: string
  args: string[]
  env?: Record<string, string>
  /** Stop (SIGKILL) the process once its stdout has this many lines; otherwise wait for it to exit. */
  stopAfterLines?: number
  /** Read VmRSS (KiB) of the process when its stdout reaches each of these line counts. */
  rssAtLines?: number[]
  /** Every stdout chunk with the time it arrived (ms since spawn), e.g. to check lines and their lag. */
  onData?: (chunk: Buffer, atMs: number) => void
  /** Stop after this long (SIGKILL) and mark the run timed out. */
  timeoutMs?: number
  /** Stop after this long (SIGKILL) as the expected end of the run. */
  stopAfterMs?: number
  /** Called with the measured process's pid once it runs (e.g. to sample /proc while it works). */
  onStart?: (pid: number) => void
  /** Stop (SIGKILL) once this settles, as the expected end of the run: a script acting on the cluster is done. */
  until?: Promise<unknown>
}

export interface RunResult {
  wallMs: number
  /** Since spawn, when the first complete line arrived. */
  firstLineMs?: number
  lines: number
  bytes: number
  peakRssKb: number
  cpuMs: number
  /** VmRSS at the line counts asked for (KiB), in their order. */
  rssAtLinesKb: number[]
  code: number | null
  stderr: string
  timedOut: boolean
}

/** Resolves to the pid of the process GNU time started (its only child), once it exists. */
async function childOf(pid: number): Promise<number | undefined> {
  for (let attempt = 0; attempt < 2000; attempt++) {
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
      if (children !== '') return Number(children.split(' ')[0])
    } catch {
      return undefined
    }
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  return undefined
}

/** A size (KiB) from /proc/<pid>/status: VmRSS now, or VmHWM, the peak RSS since start or the last resetPeakRss. */
export function statusKb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === undefined) return Number.NaN
  try {
    const match = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : Number.NaN
  } catch {
    return Number.NaN
  }
}

export const vmRssKb = (pid: number | undefined): number => statusKb(pid, 'VmRSS')

/**
 * Starts the process's VmHWM afresh from its RSS now, to measure the peak of one phase of a run. The kernel's
 * peak behind GNU time's is the same one: the run's peakRssKb then counts from here.
 */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5')
}

export async function runMeasured(spec: RunSpec): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dcos-ts-bench-'))
  const timeFile = join(dir, 'time')
  const started = process.hrtime.bigint()
  const sinceStart = () => Number(process.hrtime.bigint() - started) / 1e6
  const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, spec.command, ...spec.args], {
    cwd: REPO_ROOT,
    env: childEnv(spec.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const measuredPid = childOf(child.pid!)
  let lines = 0
  let bytes = 0
  let firstLineMs: number | undefined
  let endMs: number | undefined
  let stderr = ''
  let timedOut = false
  const rssTargets = [...(spec.rssAtLines ?? [])]
  const rssAtLinesKb: number[] = []
  let pid: number | undefined
  void measuredPid.then((found) => {
    pid = found
    if (found !== undefined) spec.onStart?.(found)
  })

  let exited = false
  child.once('exit', () => (exited = true))
  const stop = () => void measuredPid.then((found) => found !== undefined && !exited && process.kill(found, 'SIGKILL'))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  child.stdout.on('data', (chunk: Buffer) => {
    const at = sinceStart()
    bytes += chunk.length
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) lines++
    if (firstLineMs === undefined && lines > 0) firstLineMs = at
    spec.onData?.(chunk, at)
    while (rssTargets.length > 0 && lines >= rssTargets[0]) {
      rssTargets.shift()
      rssAtLinesKb.push(vmRssKb(pid))
    }
    if (endMs === undefined && spec.stopAfterLines !== undefined && lines >= spec.stopAfterLines) {
      endMs = at
      stop()
    }
  })
  /** The run's expected end: the harness stops it. */
  const ended = () => {
    endMs ??= sinceStart()
    stop()
  }
  const timers = [
    spec.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), stop()), spec.timeoutMs),
    spec.stopAfterMs === undefined ? undefined : setTimeout(ended, spec.stopAfterMs),
  ]
  spec.until?.then(ended, ended)
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)))
  for (const timer of timers) clearTimeout(timer)
  const wallMs = endMs ?? sinceStart()
  const timeLines = readFileSync(timeFile, 'utf8').trim().split('\n')
  rmSync(dir, {recursive: true, force: true})
  const [maxRss, user, system] = (timeLines.at(-1) ?? '').split(' ').map(Number)
  return {
    wallMs,
    firstLineMs,
    lines,
    bytes,
    peakRssKb: maxRss,
    cpuMs: (user + system) * 1000,
    rssAtLinesKb,
    code,
    stderr: stderr.replace(/^Command (terminated by signal|exited with non-zero status).*\n?/m, ''),
    timedOut,
  }
}

/** `node bin/run.js …args`: the CLI as a user runs it. */
export function cli(args: string[], env: Record<string, string> = {}): Pick<RunSpec, 'command' | 'args' | 'env'> {
  return {command: process.execPath, args: [BIN, ...args], env}
}

/** CPU time (user + system, ms) the process has used so far, from /proc/<pid>/stat. */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}
const CLOCK_TICKS = 100
