#!/usr/bin/env node
// Builds what bin/run.js runs (docs/performance.md, Startup): one file instead of ~400 modules.
// - dist/cli.cjs: every command, oclif and the libraries. CommonJS, because bin/load-cli.js compiles it
//   with a V8 code cache, which Node 20 offers for a classic script (vm.Script) but not for an ES module.
// - dist/live-view.js: the Ink live view, an ES module (Ink and yoga-layout use top-level await), loaded
//   only when a follow runs on a terminal, through dist/live-view.cjs: code compiled by vm.Script cannot
//   call import() on Node 20 (not without an experimental flag), a module that Node loads itself can.
import {readFile} from 'node:fs/promises'
import {rmSync, writeFileSync} from 'node:fs'
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
    // fdir (oclif's, for its command directory scan) looks up picomatch on disk as it loads, to see
    // whether it is installed (~1 ms): in the bundle it is.
    file: /[/\\]fdir[/\\]dist[/\\]index\.cjs$/,
    from: 'require.resolve("picomatch");',
    to: '',
  },
  {
    // oclif sorts the manifest's commands with localeCompare at every start, which builds an ICU collator
    // (~7 ms); nothing shows that order (help sorts again, by code unit), and the ids are ASCII.
    file: /[/\\]@oclif[/\\]core[/\\]lib[/\\]config[/\\]plugin\.js$/,
    from: '.sort((a, b) => a.id.localeCompare(b.id))',
    to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))',
  },
]

const patched = {
  name: 'patched',
  setup(build) {
    for (const patch of PATCHES) {
      build.onLoad({filter: patch.file}, async ({path}) => {
        const source = await readFile(path, 'utf8')
        if (!source.includes(patch.from)) throw new Error(`${path} no longer has ${patch.from}: see PATCHES in scripts/bundle.js`)
        return {contents: (patch.prepend ?? '') + source.replaceAll(patch.from, patch.to), loader: 'js'}
      })
    }
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

rmSync('dist', {recursive: true, force: true})
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.cjs',
    format: 'cjs',
    // oclif requires TypeScript only to run a plugin from its sources (development), never here.
    external: ['typescript'],
    // oclif checks at every start that Node satisfies the engines of the package.json above its own
    // folder, with semver (~4 ms); npm checks package.json's engines already.
    define: {'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"true"'},
    plugins: [liveViewApart, http2WrapperOnUse, patched],
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
writeFileSync('dist/live-view.cjs', "module.exports = import('./live-view.js')\n")
