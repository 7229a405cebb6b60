#!/usr/bin/env node
// Builds what bin/run.js runs (docs/performance.md, Startup): a few files instead of ~400 modules.
// - dist/cli.cjs, the start bundle: oclif, the commands (their flags and help) and what they import.
// - dist/run.cjs, the run bundle: what a command runs (src/run-functions.ts: got, the log sources, the
//   sinks), loaded by src/load-run-functions.ts only when a command runs, so that a start (a `--help`, a
//   mistyped flag, the command's own start) does not read, deserialize and run it. Each src module is in
//   one of the two: the run bundle takes the start bundle's from it, so that a class (CliError) is one
//   class to both. Both are CommonJS, because bin/load-cli.js compiles each with a V8 code cache, which
//   Node 20 offers for a classic script (vm.Script) but not for an ES module.
// - dist/sim.cjs: the simulated cluster, loaded only by `sim` and `--cluster sim`.
// - dist/live-view.js: the Ink live view, an ES module (Ink and yoga-layout use top-level await), loaded
//   only when a follow runs on a terminal, through dist/live-view.cjs: code compiled by vm.Script cannot
//   call import() on Node 20 (not without an experimental flag), a module that Node loads itself can.
import {readFile} from 'node:fs/promises'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {relative, resolve} from 'node:path'
import * as esbuild from 'esbuild'

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // READABLE_BUNDLE=1 keeps names and a comment naming each module, for profiles (bench/tools/profile-summary.ts)
  // and stack traces; ~3 ms more a start, for reading and deserializing the larger file.
  minify: !process.env.READABLE_BUNDLE,
  logLevel: 'warning',
}

/** In the bundle, src/output/ui/load-live-sink.ts takes the live view from dist/live-view.cjs. */
const liveViewApart = {
  name: 'live-view-apart',
  setup(build) {
    build.onLoad({filter: /[/\\]output[/\\]ui[/\\]load-live-sink\.ts$/}, () => ({
      contents: "export async function loadLiveSink() { return (await require('./live-view.cjs')).LiveSink }",
      loader: 'js',
    }))
    build.onResolve({filter: /^\.\/live-view\.cjs$/}, ({path}) => ({path, external: true}))
  },
}

/**
 * Some packages' sources are changed as they are bundled, each for the same output at less cost; a newer
 * version where a change no longer applies fails the build rather than silently costing the time again.
 */
const PATCHES = [
  {
    // @sindresorhus/is (got's) makes two Intl.ListFormat as it loads, only for the messages of failed
    // assertions: the first ICU service of a process costs ~7 ms, at the first request of every run.
    file: /[/\\]@sindresorhus[/\\]is[/\\]distribution[/\\]index\.js$/,
    from: 'new Intl.ListFormat(',
    to: 'listFormatOnUse(',
    prepend:
      'const listFormatOnUse = (locale, options) => { let formatter; return {format: (list) => (formatter ??= new Intl.ListFormat(locale, options)).format(list)} };\n',
  },
  {
    // string-width (oclif's help, through wrap-ansi, measures every word) runs an emoji regex over each
    // string: printable ASCII is one column a character, and has no emoji.
    file: /[/\\]string-width[/\\]index\.js$/,
    from: "string = string.replace(emojiRegex(), '  ');",
    to: "if (/^[\\x20-\\x7e]*$/.test(string)) return string.length;\n\tstring = string.replace(emojiRegex(), '  ');",
  },
  {
    // oclif sorts the manifest's commands with localeCompare at every start, which builds an ICU collator
    // (~7 ms); nothing shows that order (help sorts again, by code unit), and the ids are ASCII.
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]config[/\\]plugin\.js$/,
    from: '.sort((a, b) => a.id.localeCompare(b.id))',
    to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))',
  },
  {
    // oclif's getPlatform imports wsl-utils for its isWsl (is-wsl's answer), and wsl-utils loads
    // child_process, fs/promises and powershell-utils for its other exports: is-wsl alone.
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]util[/\\]os\.js$/,
    from: "(await import('wsl-utils')).isWsl",
    to: "(await import('is-wsl')).default",
  },
  {
    // oclif reads package.json and the manifest with fs/promises' readFile, which loads ~2 ms of Node's
    // modules (streams, readline) at every start: read at once instead.
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]util[/\\]fs\.js$/,
    from: "await (0, promises_1.readFile)(path, 'utf8')",
    to: "(0, node_fs_1.readFileSync)(path, 'utf8')",
  },
  {
    // oclif's logger makes a debug function for each of its parts at every start, with the debug package
    // (which also looks at stderr and the environment as it loads); they print only when DEBUG names them,
    // so without DEBUG the package is not loaded and they do nothing.
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]logger\.js$/,
    from: 'const debug_1 = __importDefault(require("debug"));',
    to: 'const debug_1 = process.env.DEBUG ? __importDefault(require("debug")) : {default: () => () => {}};',
  },
  {
    // ansis writes U+009B (CSI) as such in a regular expression, the one character of the start bundle
    // outside ASCII; escaped, the bundle is ASCII, which bin/load-cli.js reads as latin1 (faster than UTF-8).
    file: /[/\\]ansis[/\\]index\.js$/,
    from: '\u001b\u009b]',
    to: '\u001b\\x9b]',
  },
]

/**
 * oclif's modules require every package and built-in they may use as they load: readline to read a flag
 * from stdin, child_process to ask PowerShell for the shell on Windows, tinyglobby to find commands by a
 * file pattern (fdir, picomatch), ejs and wrap-ansi for help and errors, lilconfig for a package.json
 * without an oclif section, and so on. In the bundle each is loaded when first used (what that saves:
 * docs/performance.md, Startup).
 */
const OCLIF_MODULE = /[/\\]@oclif[/\\]core[/\\]lib[/\\].*\.js$/
const REQUIRE_AS_IT_LOADS = /^const (\w+) = (__importDefault\()?require\("([^".][^"]*)"\)\)?;$/gm
let oclifRequiresOnUse = 0

function requireOnUse(_line, name, importDefault, id) {
  oclifRequiresOnUse++
  const load = importDefault ? `__importDefault(require("${id}"))` : `require("${id}")`
  return `let ${name}$loaded; const ${name} = new Proxy({}, {get: (_, key) => (${name}$loaded ??= ${load})[key]});`
}

const patched = {
  name: 'patched',
  setup(build) {
    build.onLoad({filter: new RegExp([OCLIF_MODULE, ...PATCHES.map((patch) => patch.file)].map((file) => file.source).join('|'))}, async ({path}) => {
      let source = await readFile(path, 'utf8')
      for (const patch of PATCHES.filter((candidate) => candidate.file.test(path))) {
        if (!source.includes(patch.from)) throw new Error(`${path} no longer has ${patch.from}: see PATCHES in scripts/bundle.js`)
        source = (patch.prepend ?? '') + source.replaceAll(patch.from, patch.to)
      }
      if (OCLIF_MODULE.test(path)) source = source.replace(REQUIRE_AS_IT_LOADS, requireOnUse)
      return {contents: source, loader: 'js'}
    })
  },
}

/**
 * got imports http2-wrapper, which builds a TLS context as it loads (a TLSSocket, to reach a class it
 * needs: ~35 ms at the first request, https or not); got uses it only with its http2 option, which
 * dcos-ts never sets. In the bundle it loads on first use.
 */
const http2WrapperOnUse = {
  name: 'http2-wrapper-on-use',
  setup(build) {
    build.onResolve({filter: /^http2-wrapper$/}, ({importer}) =>
      /[/\\]got[/\\]/.test(importer) ? {path: 'http2-wrapper', namespace: 'on-use'} : undefined,
    )
    build.onLoad({filter: /.*/, namespace: 'on-use'}, () => ({
      contents: `let wrapper
const load = () => (wrapper ??= require('http2-wrapper'))
export default {get auto() { return load().auto }, get globalAgent() { return load().globalAgent }}`,
      loader: 'js',
      resolveDir: process.cwd(),
    }))
  },
}

/** Where the bundle's own code takes a module from another file of dist/, or from bin/load-cli.js. */
const external = {
  name: 'external',
  setup(build) {
    build.onResolve({filter: /^\.\/(cli|sim)\.cjs$|^\.\.\/bin\/load-cli\.js$/}, ({path}) => ({path, external: true}))
  },
}

/**
 * Imports that lead to another bundle become a require() of it, made when the import runs: code
 * compiled by vm.Script cannot import() on Node 20. The run functions come through bin/load-cli.js,
 * which loads them with their code cache.
 */
const apart = {
  name: 'apart',
  setup(build) {
    build.onResolve({filter: /^\.\/run-functions\.js$/}, ({importer}) =>
      /[/\\]src[/\\]load-run-functions\.ts$/.test(importer) ? {path: 'run', namespace: 'apart'} : undefined,
    )
    build.onResolve({filter: /[/\\]sim[/\\]index\.js$/}, ({importer}) =>
      /[/\\]src[/\\]sim[/\\]/.test(importer) ? undefined : {path: 'sim', namespace: 'apart'},
    )
    build.onLoad({filter: /.*/, namespace: 'apart'}, ({path}) => ({
      contents: path === 'run' ? "module.exports = require('../bin/load-cli.js').loadBundle('run')" : "module.exports = require('./sim.cjs')",
      loader: 'js',
    }))
  },
}

/**
 * What bin/load-cli.js compiles with a code cache: CommonJS already inside a module function, so that the
 * source read is the source compiled (Module.wrap's copy of it cost ~3 ms a start). Run as a script (by
 * bin/load-cli.js, where `this` is the global object) the file's value is that function; required by
 * Node (oclif's manifest command, at build time) it runs as the module it is.
 */
const loadedWithCodeCache = {
  ...common,
  format: 'cjs',
  banner: {
    js:
      '(function (moduleFunction) { return this === globalThis ? moduleFunction : moduleFunction(exports, require, module, __filename, __dirname) })' +
      // Strict throughout, as esbuild's "use strict" at the top of the file made it in Module.wrap's
      // function (it writes none for the start bundle's generated entry).
      '.call(this, function (exports, require, module, __filename, __dirname) {"use strict";',
  },
  footer: {js: '})'},
}

/**
 * Packages of the start bundle that a start never runs: oclif's spinner (cli-spinners), plugin name
 * patterns (minimatch), command file patterns (tinyglobby), Node version check (semver, off: see START's
 * define), config without an oclif section (lilconfig), PowerShell lookup on WSL (wsl-utils), debug
 * output (debug, with DEBUG); a journal follow's eventsource; and in the run bundle, jose (a service
 * account's login) and http2-wrapper (see http2WrapperOnUse). Each is a file of its own,
 * dist/on-use/<package>.cjs, required when first used, so that a start does not read them (~40% of the
 * start bundle, 25% of the run bundle). scripts/code-cache.js checks that a start loads none of them.
 */
const ON_USE = ['cli-spinners', 'debug', 'eventsource', 'http2-wrapper', 'jose', 'lilconfig', 'minimatch', 'semver', 'tinyglobby', 'wsl-utils']
/** Where the bundles require each from, so that its file holds the same copy. */
const onUseFrom = new Map()

const onUseApart = {
  name: 'on-use-apart',
  setup(build) {
    build.onResolve({filter: new RegExp(`^(${ON_USE.join('|')})$`)}, ({path, resolveDir}) => {
      if (!onUseFrom.has(path)) onUseFrom.set(path, resolveDir)
      return {path, namespace: 'apart-on-use'}
    })
    build.onResolve({filter: /^\.\/on-use\//}, ({path}) => ({path, external: true}))
    build.onLoad({filter: /.*/, namespace: 'apart-on-use'}, ({path}) => ({contents: `module.exports = require('./on-use/${path}.cjs')`, loader: 'js'}))
  },
}

/** The entries of dist/on-use/: `on-use:<package>`, the package as the start bundle would have it. */
const onUseEntries = {
  name: 'on-use-entries',
  setup(build) {
    build.onResolve({filter: /^on-use:/}, ({path}) => ({path: path.slice('on-use:'.length), namespace: 'on-use-entry'}))
    build.onLoad({filter: /.*/, namespace: 'on-use-entry'}, ({path}) => {
      if (!onUseFrom.has(path)) throw new Error(`the start bundle no longer requires ${path}: take it out of ON_USE in scripts/bundle.js`)
      return {contents: `module.exports = require(${JSON.stringify(path)})`, loader: 'js', resolveDir: onUseFrom.get(path)}
    })
  },
}

/**
 * esbuild gives each module that imports a CommonJS package its own copy of the package's exports (a
 * getter for each): 21 src files import @oclif/core, ~25 exports each, ~160 KB made at every start. They
 * import it through one module instead, which copies them once.
 */
const oclifExportsOnce = {
  name: 'oclif-exports-once',
  setup(build) {
    build.onResolve({filter: /^@oclif\/core$/}, ({importer, namespace}) =>
      namespace === 'file' && /[/\\]src[/\\]/.test(importer) ? {path: '@oclif/core', namespace: 'oclif-exports-once'} : undefined,
    )
    build.onLoad({filter: /.*/, namespace: 'oclif-exports-once'}, () => ({contents: "export * from '@oclif/core'", loader: 'js', resolveDir: process.cwd()}))
  },
}

const START = {
  ...loadedWithCodeCache,
  entryPoints: ['src/cli.ts'],
  // oclif requires TypeScript only to run a plugin from its sources (development), never here.
  external: ['typescript'],
  // oclif checks at every start that Node satisfies the engines of the package.json above its own
  // folder, with semver (~4 ms); npm checks package.json's engines already.
  define: {'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"true"'},
  plugins: [oclifExportsOnce, onUseApart, external, apart, patched],
}

/** The src modules of the start bundle: every one the commands import (found by esbuild, not written). */
const startModules = Object.keys((await esbuild.build({...START, write: false, outfile: 'dist/cli.cjs', metafile: true})).metafile.inputs)
  .filter((path) => /^src\/.*\.tsx?$/.test(path))
  .sort()

/** In the run bundle, a module of the start bundle is that very module, from START_MODULES. */
const fromStartBundle = {
  name: 'from-start-bundle',
  setup(build) {
    build.onResolve({filter: /^\./}, ({path, resolveDir}) => {
      const file = relative(process.cwd(), resolve(resolveDir, path)).replaceAll('\\', '/').replace(/\.js$/, '')
      const module = [`${file}.ts`, `${file}.tsx`].find((candidate) => startModules.includes(candidate))
      return module ? {path: module, namespace: 'start-bundle'} : undefined
    })
    build.onLoad({filter: /.*/, namespace: 'start-bundle'}, ({path}) => ({
      contents: `module.exports = require('./cli.cjs').START_MODULES[${JSON.stringify(path)}]`,
      loader: 'js',
    }))
  },
}

rmSync('dist', {recursive: true, force: true})
await Promise.all([
  esbuild.build({
    ...START,
    // The entry exports every module of the start bundle too, for the run bundle.
    entryPoints: undefined,
    stdin: {
      contents: [
        "export * from './src/cli.ts'",
        ...startModules.map((path, i) => `import * as m${i} from './${path}'`),
        `export const START_MODULES = {${startModules.map((path, i) => `${JSON.stringify(path)}: m${i}`).join(', ')}}`,
      ].join('\n'),
      resolveDir: process.cwd(),
      sourcefile: 'start-bundle.ts',
      loader: 'ts',
    },
    outfile: 'dist/cli.cjs',
  }),
  esbuild.build({
    ...loadedWithCodeCache,
    entryPoints: ['src/run-functions.ts'],
    outfile: 'dist/run.cjs',
    // http2WrapperOnUse first: got's import of http2-wrapper stays behind its getter.
    plugins: [fromStartBundle, external, apart, liveViewApart, http2WrapperOnUse, onUseApart, patched],
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/sim/index.ts'],
    outfile: 'dist/sim.cjs',
    format: 'cjs',
  }),
  esbuild.build({
    ...common,
    entryPoints: {'live-view': 'src/output/ui/live-sink.tsx'},
    outdir: 'dist',
    format: 'esm',
    // Ink imports React's devtools (not installed) only when DEV=true: a chunk of their own, so that
    // import stays behind that condition.
    splitting: true,
    chunkNames: 'live-view-[name]-[hash]',
    external: ['react-devtools-core'],
    // The CommonJS packages inside (React) require Node's built-ins through this.
    banner: {js: "import {createRequire} from 'node:module'; const require = createRequire(import.meta.url);"},
  }),
])
// Once the bundles have said where they take each package from.
await esbuild.build({
  ...common,
  entryPoints: ON_USE.map((id) => ({in: `on-use:${id}`, out: id})),
  outdir: 'dist/on-use',
  outExtension: {'.js': '.cjs'},
  format: 'cjs',
  plugins: [onUseEntries, patched],
})
writeFileSync('dist/live-view.cjs', "module.exports = import('./live-view.js')\n")
if (oclifRequiresOnUse === 0) throw new Error("no require of oclif's is loaded on use any more: see REQUIRE_AS_IT_LOADS in scripts/bundle.js")
// bin/load-cli.js reads these as latin1, which is their text only if they are ASCII (esbuild escapes
// what it can; a literal character in a regular expression, as ansis had, it cannot). A readable
// bundle keeps the packages' comments, whose characters do not matter.
for (const name of process.env.READABLE_BUNDLE ? [] : ['cli', 'run']) {
  const at = readFileSync(`dist/${name}.cjs`).findIndex((byte) => byte > 0x7f)
  if (at !== -1) throw new Error(`dist/${name}.cjs has a character outside ASCII at byte ${at}: escape it (see PATCHES)`)
}
