/**
 * The layering docs/project-layout.md describes, checked on the sources: imports point down only, run
 * functions never import each other, logs/ never imports output/, and the simulated cluster imports
 * nothing of the client. Type-only imports are left out (they carry no code and no order of loading).
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, normalize, relative} from 'node:path'
import {describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

/** Lower is further down the house. */
const RANK: Array<[RegExp, number]> = [
  [/^(errors|deps)\.ts$/, 0],
  [/^cluster\//, 1],
  [/^(logs|mesos|output)\//, 2],
  [/^read\//, 3],
  [/^run\//, 4],
  [/^(commands\/|hooks\/|base-command|cli|commands|help|log-flags|run-functions|load-run-functions)/, 5],
]

function rank(file: string): number | undefined {
  return RANK.find(([pattern]) => pattern.test(file))?.[1]
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [relative(SRC, path)] : []
  })
}

/** The src files a file imports at run time (static and dynamic imports, not `import type`). */
function imports(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8')
  const found: string[] = []
  for (const match of text.matchAll(/^import (?!type )[^'"]*?['"](\.[^'"]+)['"]|import\(['"](\.[^'"]+)['"]\)/gm)) {
    const spec = (match[1] ?? match[2]).replace(/\.js$/, '.ts')
    const target = normalize(join(dirname(file), spec))
    if (!target.startsWith('..')) found.push(target)
  }
  return found
}

describe('layers', () => {
  const files = sources(SRC)

  test('imports point down, or sideways within a layer', () => {
    const upward: string[] = []
    for (const file of files) {
      const own = rank(file)
      if (own === undefined) continue
      for (const target of imports(file)) {
        const theirs = rank(target)
        if (theirs !== undefined && theirs > own) upward.push(`${file} -> ${target}`)
      }
    }
    assert.deepEqual(upward, [])
  })

  test('run functions do not import each other', () => {
    const shared = new Set(['run/create-deps.ts', 'run/log-in.ts', 'run/prompt.ts'])
    const between = files.filter((file) => file.startsWith('run/')).flatMap((file) => imports(file).filter((target) => target.startsWith('run/') && !shared.has(target)).map((target) => `${file} -> ${target}`))
    assert.deepEqual(between, [])
  })

  test('logs/ knows nothing of output/; the simulated cluster nothing of the client', () => {
    const crossing = files.flatMap((file) =>
      imports(file)
        .filter((target) => (file.startsWith('logs/') && target.startsWith('output/')) || (file.startsWith('sim/') && !target.startsWith('sim/')))
        .map((target) => `${file} -> ${target}`),
    )
    assert.deepEqual(crossing, [])
  })
})
