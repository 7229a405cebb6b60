/**
 * Loads the CLI's bundles (scripts/bundle.js) with V8's code cache (written at build time by
 * scripts/code-cache.js): compiling a bundle is half of a start otherwise, and Node 20 has no compile
 * cache of its own. V8 rejects a cache made by another Node version or for other bytes, and the bundle is
 * then compiled as usual. dist/cli.cjs (oclif and the commands) loads at every start; dist/run.cjs (what
 * a command runs) when a command runs (src/load-run-functions.ts).
 *
 * Each bundle is entered in require.cache under its own path, so that oclif, which requires dist/cli.cjs
 * for the COMMANDS, the help class and the hooks named in package.json, and the run bundle, which takes
 * the start bundle's modules from it, get these very objects.
 */
const {readFileSync, writeFileSync} = require('node:fs')
const Module = require('node:module')
const {dirname, join} = require('node:path')
const {setFlagsFromString} = require('node:v8')
const {Script} = require('node:vm')

// A log stream read at full speed makes garbage fast, and V8's defaults answer with memory: the semi-spaces
// double up to 16 MB each, and what a scavenge promotes (the batches in flight at that moment) piles up in
// old space, since the first full collection waits for a limit sized for big heaps. RSS grew ~40 MB over a
// million followed lines. The growth factor is read at every semi-space resize (`--max-semi-space-size`
// has no effect once the heap exists), and `--heap-growing-percent` at every old-space limit, so both work
// when set at run time (docs/performance.md, Follow throughput). Set here, before anything is compiled,
// so that the process writing the code cache (scripts/code-cache.js) and every start reading it run under
// the same flags: V8 rejects a cache made under others.
setFlagsFromString('--semi-space-growth-factor=1')
setFlagsFromString('--heap-growing-percent=20')

const ROOT = join(__dirname, '..')
const DIST = join(ROOT, 'dist')

/** The bundles loaded in this process, by name, with their scripts (for writeCodeCaches). */
const loaded = new Map()

const bundlePath = (name) => join(DIST, `${name}.cjs`)
const codeCachePath = (name) => `${bundlePath(name)}.cache`

/** A bundle's exports ('cli' or 'run'), loaded on the first call. */
function loadBundle(name) {
  const known = loaded.get(name)
  if (known !== undefined) return known.module.exports
  const path = bundlePath(name)
  let cachedData
  try {
    cachedData = readFileSync(codeCachePath(name))
  } catch {
    // none (`npm run build:dev` before its last step): compiled as usual
  }
  const script = new Script(readFileSync(path, 'latin1'), {filename: path, cachedData})
  const module = {id: path, filename: path, loaded: false, exports: {}, children: [], paths: []}
  script.runInThisContext()(module.exports, Module.createRequire(path), module, path, dirname(path))
  module.loaded = true
  require.cache[path] = module
  loaded.set(name, {script, module})
  return module.exports
}

/** The start bundle's exports: oclif's `execute`, and what package.json's "oclif" section names. */
function loadCli() {
  return loadBundle('cli')
}

/** Runs the CLI with these arguments (default: the process's). */
function run({args} = {}) {
  // The package's folder, not this file's: oclif takes the first package.json above it, and bin/ has one.
  return loadCli().execute({dir: ROOT, args})
}

/** Writes the code cache of each bundle loaded: every function of it compiled so far in this process. */
function writeCodeCaches() {
  for (const [name, {script}] of loaded) writeFileSync(codeCachePath(name), script.createCachedData())
}

module.exports = {DIST, loadBundle, loadCli, run, writeCodeCaches}
