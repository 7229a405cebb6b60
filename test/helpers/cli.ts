/**
 * Runs the built CLI (`node bin/run.js ...args`, i.e. dist/: run `npm run build:dev` first) as a separate
 * process, the way a user does.
 *
 * Isolation: the child gets a clean environment (PATH, a fresh temporary HOME and DCOS_DIR=<HOME>/.dcos,
 * no DCOS_* variable of the machine running the tests) plus what `env` adds; a temporary HOME is removed
 * when the process ends. A process still running after `timeoutMs` is killed (SIGKILL) and the result says
 * `timedOut`.
 *
 *   const result = await runCli(['task', 'log', 'web'], {env: {DCOS_URL: sim.url}})
 *   assert.equal(result.code, 0)
 *
 *   const cli = startCli(['task', 'log', '--follow', 'web'], {env: {DCOS_URL: sim.url}})
 *   await cli.waitForStdout(/line 3\n/)
 *   cli.kill('SIGINT')
 *   const {code} = await cli.done
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after} from 'node:test'
import {fileURLToPath} from 'node:url'
import {parse as parseToml} from 'smol-toml'
import {writeClusterToml, type ClusterToml} from '../../src/cluster/config.js'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = join(REPO_ROOT, 'bin', 'run.js')

export interface CliOptions {
  /** Added to the isolated environment; an undefined value removes a variable. */
  env?: Record<string, string | undefined>
  /** Use this HOME (kept afterwards) instead of a fresh temporary one. */
  home?: string
  /** Written to the child's stdin, which is then closed; stdin is empty otherwise. */
  stdin?: string | Buffer
  /** Kill (SIGKILL) after this long; default 20 s. */
  timeoutMs?: number
  cwd?: string
}

export interface CliResult {
  /** Exit code; null when killed by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

export interface CliProcess {
  readonly child: ChildProcess
  /** The HOME the process runs with (DCOS_DIR is <home>/.dcos unless env says otherwise). */
  readonly home: string
  /** Everything written so far. */
  stdout(): string
  stderr(): string
  /** Resolves with all stdout so far once it matches; rejects if the process ends first or after timeoutMs. */
  waitForStdout(match: string | RegExp, timeoutMs?: number): Promise<string>
  waitForStderr(match: string | RegExp, timeoutMs?: number): Promise<string>
  /** stdout split into lines as they arrive (a final unterminated line is yielded at exit). */
  lines(): AsyncIterable<string>
  kill(signal?: NodeJS.Signals): void
  /** Settles when the process has exited and its output is complete. */
  readonly done: Promise<CliResult>
}

const DEFAULT_TIMEOUT_MS = 20_000
/** How many CLIs a spawning test file starts at once: more only load a 2-core machine into timeouts. */
export const SPAWNS_AT_ONCE = 4
/** Passed through from the test runner's environment: nothing about DC/OS, only what Node itself needs. */
const INHERITED = ['PATH', 'TMPDIR', 'LANG', 'LC_ALL', 'NODE_V8_COVERAGE', 'SYSTEMROOT']

/** A temporary folder for a HOME; the caller removes it (rmSync(home, {recursive: true, force: true})). */
export function makeTempHome(): string {
  return mkdtempSync(join(tmpdir(), 'dcos-ts-home-'))
}

/** makeTempHome for one test file: every HOME it hands out is removed after the file's tests. */
export function tempHomes(): () => string {
  const homes: string[] = []
  after(() => Promise.all(homes.map((home) => rm(home, {recursive: true, force: true}))))
  return () => {
    const home = makeTempHome()
    homes.push(home)
    return home
  }
}

/** The permission bits of a file or folder (0o600, 0o700, ...). */
export const fileMode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777

/** A dcos.toml as plain objects (smol-toml makes them without a prototype), for deepEqual. */
export const readClusterToml = async (path: string): Promise<ClusterToml> => JSON.parse(JSON.stringify(parseToml(await readFile(path, 'utf8')))) as ClusterToml

export function isolatedEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {HOME: home, DCOS_DIR: join(home, '.dcos')}
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name]
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}

export function startCli(args: string[], options: CliOptions = {}): CliProcess {
  const home = options.home ?? makeTempHome()
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: isolatedEnv(home, options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let exited = false
  let timedOut = false
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdin.on('error', () => {}) // the CLI may exit without reading stdin
  child.stdin.end(options.stdin ?? '')

  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)

  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject)
    // 'close', not 'exit': stdout and stderr are complete only then.
    child.once('close', (code, signal) => {
      exited = true
      clearTimeout(timer)
      if (options.home === undefined) rmSync(home, {recursive: true, force: true})
      resolve({code, signal, stdout, stderr, timedOut})
    })
  })

  const waitFor = (stream: NodeJS.ReadableStream, text: () => string, match: string | RegExp, timeoutMs = DEFAULT_TIMEOUT_MS) =>
    new Promise<string>((resolve, reject) => {
      const matches = () => (typeof match === 'string' ? text().includes(match) : match.test(text()))
      if (matches()) {
        resolve(text())
        return
      }
      const cleanup = () => {
        clearTimeout(waitTimer)
        stream.off('data', onData)
        child.off('close', onClose)
      }
      const onData = () => {
        // Runs after the accumulating listener (registered first), so text() already holds this chunk.
        if (!matches()) return
        cleanup()
        resolve(text())
      }
      const onClose = () => {
        cleanup()
        reject(new Error(`process exited before output matched ${String(match)}\nstdout: ${stdout}\nstderr: ${stderr}`))
      }
      const waitTimer = setTimeout(() => {
        cleanup()
        reject(new Error(`no output matched ${String(match)} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
      }, timeoutMs)
      stream.on('data', onData)
      child.once('close', onClose)
    })

  async function* lines(): AsyncIterable<string> {
    let consumed = 0
    for (;;) {
      const newline = stdout.indexOf('\n', consumed)
      if (newline !== -1) {
        yield stdout.slice(consumed, newline)
        consumed = newline + 1
        continue
      }
      if (exited) {
        if (consumed < stdout.length) yield stdout.slice(consumed)
        return
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          child.stdout?.off('data', wake)
          child.off('close', wake)
          resolve()
        }
        child.stdout?.on('data', wake)
        child.once('close', wake)
      })
    }
  }

  return {
    child,
    home,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout: (match, timeoutMs) => waitFor(child.stdout, () => stdout, match, timeoutMs),
    waitForStderr: (match, timeoutMs) => waitFor(child.stderr, () => stderr, match, timeoutMs),
    lines,
    kill: (signal = 'SIGTERM') => {
      if (!exited) child.kill(signal)
    },
    done,
  }
}

/** Runs the CLI to completion. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done
}

export interface TestCluster {
  id: string
  toml: ClusterToml
  attached?: boolean
}

/**
 * Writes clusters the way the DC/OS CLI does (<dcosDir>/clusters/<id>/dcos.toml, mode 0600, and the
 * `attached` marker), for tests of config resolution. Returns each cluster's folder.
 */
export async function writeClusters(dcosDir: string, clusters: TestCluster[]): Promise<string[]> {
  return Promise.all(
    clusters.map(async (cluster) => {
      const dir = join(dcosDir, 'clusters', cluster.id)
      await writeClusterToml(join(dir, 'dcos.toml'), cluster.toml)
      if (cluster.attached) await writeFile(join(dir, 'attached'), '')
      return dir
    }),
  )
}

/**
 * The command of the `Resume with:` line on stderr, split into words as a POSIX shell would (the line
 * quotes with '...' only), less the program's name: what to run to resume. Fails when there is none.
 */
export function resumeArgs(stderr: string): string[] {
  const line = /^Resume with: (.*)$/m.exec(stderr)?.[1]
  if (line === undefined) throw new Error(`no resume line in ${JSON.stringify(stderr)}`)
  const words: string[] = []
  for (const [, quoted, bare] of line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) words.push(bare ?? quoted.replaceAll(`'\\''`, "'"))
  if (words[0] !== 'dcos-ts') throw new Error(`the resume line does not run dcos-ts: ${line}`)
  return words.slice(1)
}
