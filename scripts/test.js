#!/usr/bin/env node
// Runs every test file under test/ with node's own runner and the tsx loader.
// Node 20's --test does not expand globs or pick up .ts files, so the list is built here. What it prints is
// scripts/test-reporter.js: a line per file, then every failure in full.
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const REPORTER = fileURLToPath(new URL('test-reporter.js', import.meta.url))

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'helpers' || name === 'fixtures' ? [] : find(path)
    return name.endsWith('.test.ts') || name.endsWith('.test.tsx') ? [path] : []
  })
}

const only = process.argv.slice(2)
const files = only.length > 0 ? only : find('test').sort()
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', `--test-reporter=${REPORTER}`, ...files],
  {stdio: 'inherit'},
)
process.exit(result.status ?? 1)
