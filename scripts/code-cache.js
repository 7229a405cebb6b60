#!/usr/bin/env node
// Writes the code caches of dist/cli.cjs and dist/run.cjs (see bin/load-cli.js) after running, in this
// process, what a start compiles: `task log --help` (oclif's start, the command lookup, help), then
// `task log web` against the simulated cluster (flags, config, got, the state scan, logging v2, the
// output), so that the code of the first request is compiled from the cache too. The cluster runs in a
// child process: its code stays out.
import {spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {DIST, run, writeCodeCaches} from '../bin/load-cli.js'

const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const cluster = spawn(process.execPath, [bin, 'sim', '--port', '0', '--line-interval', '0'], {stdio: ['ignore', 'pipe', 'inherit']})
// Also when a run below fails: oclif then ends this process itself.
process.once('exit', () => cluster.kill())
const home = mkdtempSync(join(tmpdir(), 'dcos-ts-code-cache-'))
try {
  const url = await new Promise((resolve, reject) => {
    let out = ''
    cluster.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk
      const found = /cluster at (http:\/\/\S+) /.exec(out)
      if (found) resolve(found[1])
    })
    cluster.once('exit', (code) => reject(new Error(`the simulated cluster exited (${code}): ${out}`)))
  })
  // Nothing of this machine's DC/OS configuration is read.
  Object.assign(process.env, {DCOS_URL: url, DCOS_DIR: join(home, '.dcos'), HOME: home})
  // A cache of an earlier run would be written back as well.
  for (const name of readdirSync(DIST)) if (name.endsWith('.cache')) rmSync(join(DIST, name))
  await run({args: ['task', 'log', '--help']})
  await run({args: ['task', 'log', 'web']})
  writeCodeCaches()
  // What scripts/bundle.js keeps out of the start bundle (dist/on-use/) is for paths a start never takes.
  const onUse = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.startsWith(join(DIST, 'on-use')))
  if (onUse.length > 0) throw new Error(`a start loaded ${onUse.join(', ')}: take it out of ON_USE in scripts/bundle.js`)
} finally {
  rmSync(home, {recursive: true, force: true})
}
process.exit()
