/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by package (node_modules/<pkg>, dcos-ts's
 * own src/<dir>, node: internals, GC, idle) and the hottest functions. Packages and modules inside the
 * bundle are told apart only in a readable bundle (`READABLE_BUNDLE=1 npm run build:dev`).
 *   node --import tsx bench/tools/profile-summary.ts PROFILE.cpuprofile [top]
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

interface ProfileNode {
  id: number
  callFrame: {functionName: string; url: string; lineNumber: number}
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const [path, topText] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: profile-summary.ts PROFILE.cpuprofile [top]')
const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const selfUs = new Map<number, number>()
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))

/**
 * The bundle's lines, each with the module it came from: a readable bundle (`READABLE_BUNDLE=1 npm run
 * build:dev`) names each module in a comment line; a minified one has none, and stays one file.
 */
const bundleLines = new Map<string, string[]>()
function source(url: string, line: number): string {
  if (!url.endsWith('.cjs')) return url
  let modules = bundleLines.get(url)
  if (modules === undefined) {
    let current = url
    modules = readFileSync(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8')
      .split('\n')
      .map((text) => (current = /^\/\/ (\S+\.[cm]?[jt]sx?)$/.exec(text)?.[1] ?? current))
    bundleLines.set(url, modules)
  }
  return modules[line] ?? url
}

function group(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]
  if (url.startsWith('node:')) return 'node: internals'
  const own = /(?:^|\/)(dist|src)\/([^/]+)/.exec(url)
  return own ? `dcos-ts ${own[1]}/${own[2]}` : url
}

const groups = new Map<string, number>()
const functions = new Map<string, number>()
for (const [id, us] of selfUs) {
  const {callFrame} = byId.get(id)!
  const url = source(callFrame.url, callFrame.lineNumber)
  const key = group(url, callFrame.functionName)
  groups.set(key, (groups.get(key) ?? 0) + us)
  const fn = `${callFrame.functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/')}:${callFrame.lineNumber + 1}`
  functions.set(fn, (functions.get(fn) ?? 0) + us)
}
const total = (profile.endTime - profile.startTime) / 1000
const print = (title: string, map: Map<string, number>, top: number) => {
  console.log(title)
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${((100 * us) / 1000 / total).toFixed(1).padStart(5)}%  ${key}`)
}
// Inclusive time of each function (a function on the stack twice is counted once per sample).
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
const inclusive = new Map<string, number>()
for (const [id, us] of selfUs) {
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const {callFrame} = byId.get(at)!
    const url = source(callFrame.url, callFrame.lineNumber)
    if (!/(^|\/)(dist|src)\//.test(url)) continue
    const fn = `${callFrame.functionName || '(anonymous)'} ${url.replace(/^file:\/\/.*\/(dist|src)\//, '$1/')}:${callFrame.lineNumber + 1}`
    if (seen.has(fn)) continue
    seen.add(fn)
    inclusive.set(fn, (inclusive.get(fn) ?? 0) + us)
  }
}

console.log(`profile: ${total.toFixed(0)} ms`)
print('self time by package', groups, 25)
print('hottest functions (self)', functions, Number(topText ?? 25))
print("dcos-ts's own functions (inclusive)", inclusive, Number(topText ?? 25))
