/**
 * Loads the CLI bundle (dist/cli.cjs, built by scripts/bundle.js) with V8's code cache (dist/cli.cjs.cache,
 * written at build time by scripts/code-cache.js): compiling the bundle is half of a start otherwise, and
 * Node 20 has no compile cache of its own. V8 rejects a cache made by another Node version or for other
 * bytes, and the bundle is then compiled as usual.
 *
 * The bundle is entered in require.cache under its own path, so that oclif, which requires that file for
 * the COMMANDS, the help class and the hooks named in package.json, gets these very objects.
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
const BUNDLE = join(ROOT, 'dist', 'cli.cjs')
const CODE_CACHE = `${BUNDLE}.cache`

let script

/** The bundle's exports: oclif's `execute`, and what package.json's "oclif" section names. */
function loadCli() {
  let cachedData
  try {
    cachedData = readFileSync(CODE_CACHE)
  } catch {
    // none (`npm run build:dev` before its last step): compiled as usual
  }
  script = new Script(Module.wrap(readFileSync(BUNDLE, 'utf8')), {filename: BUNDLE, cachedData})
  const bundle = {id: BUNDLE, filename: BUNDLE, loaded: false, exports: {}, children: [], paths: []}
  const bundleRequire = Module.createRequire(BUNDLE)
  script.runInThisContext()(bundle.exports, bundleRequire, bundle, BUNDLE, dirname(BUNDLE))
  bundle.loaded = true
  require.cache[BUNDLE] = bundle
  return bundle.exports
}

/** Runs the CLI with these arguments (default: the process's). */
function run({args} = {}) {
  // The package's folder, not this file's: oclif takes the first package.json above it, and bin/ has one.
  return loadCli().execute({dir: ROOT, args})
}

/** Writes the code cache: every function of the bundle compiled so far in this process. */
function writeCodeCache() {
  writeFileSync(CODE_CACHE, script.createCachedData())
}

module.exports = {CODE_CACHE, loadCli, run, writeCodeCache}
