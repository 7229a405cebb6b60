import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {TaskFileReader} from '../../src/sim/file-reader.js'
import {SandboxFile} from '../../src/sim/sandbox.js'

/** Reads like a v2 text request: start offset, forward skip, limit; returns the body text. */
function read(content: string, options: {offset?: number; end?: boolean; skip?: number; limit?: number} = {}): string {
  const file = new SandboxFile(content)
  let offset = options.end ? file.size : (options.offset ?? 0)
  const skip = options.skip ?? 0
  if (skip < 0) offset = TaskFileReader.backward(file, offset, -skip)
  const reader = new TaskFileReader(() => file, offset, Math.max(skip, 0))
  const out: string[] = []
  for (let lines = reader.next(); lines !== undefined; lines = reader.next()) {
    for (const [start, end] of lines) out.push(file.slice(start, end).toString())
  }
  return (options.limit ? out.slice(0, options.limit) : out).map((l) => `${l}\n`).join('')
}

const FIVE = 'one\ntwo\nthree\nfour\nfive\n'

describe('dcos-log task file reader (replayed semantics)', () => {
  test('whole file, skip and limit (dcos-log handler tests)', () => {
    assert.equal(read(FIVE), FIVE)
    assert.equal(read(FIVE, {skip: 1, limit: 2}), 'two\nthree\n')
    assert.equal(read(FIVE, {limit: 2}), 'one\ntwo\n')
    assert.equal(read(FIVE, {skip: 3}), 'four\nfive\n')
  })

  test('a cursor is a byte offset: at a newline it resumes with the next line, inside a line it yields the rest', () => {
    assert.equal(read(FIVE, {offset: 18}), 'five\n')
    assert.equal(read(FIVE, {offset: 14}), 'four\nfive\n')
    assert.equal(read(FIVE, {offset: 2}), 'e\ntwo\nthree\nfour\nfive\n')
  })

  test('cursor=END reads nothing; END with skip=-N gives the last N; skip<0 without a cursor is a no-op', () => {
    assert.equal(read(FIVE, {end: true}), '')
    assert.equal(read(FIVE, {end: true, skip: -2}), 'four\nfive\n')
    assert.equal(read(FIVE, {skip: -2}), FIVE)
  })

  test('blank lines are dropped and a last line without newline gets one', () => {
    assert.equal(read('a\n\n\nb\n'), 'a\nb\n')
    assert.equal(read('alpha\nbeta'), 'alpha\nbeta\n')
    assert.equal(read(''), '')
    assert.equal(read('\n'), '')
  })

  test('SSE ids are the offset of each line\'s newline; the first line has none', () => {
    const file = new SandboxFile(FIVE)
    const spans = new TaskFileReader(() => file, 0).next() ?? []
    assert.deepEqual(spans.map(([start, end]) => (start > 0 ? end : undefined)), [undefined, 7, 13, 18, 23])
  })

  test('byte offsets count bytes, not UTF-16 units', () => {
    const file = new SandboxFile('日本\nnext\n')
    const spans = new TaskFileReader(() => file, 0).next() ?? []
    assert.deepEqual(spans, [[0, 6], [7, 11]])
  })

  describe('the real reader\'s 64 KiB defects (reference/dcos-log-server.md §7.3)', () => {
    const big = Array.from({length: 20_000}, (_, n) => `line-${String(n).padStart(5, '0')}\n`).join('')

    test('the line straddling byte 65536 from offset 0 comes out split with one byte repeated', () => {
      assert.equal(read(big, {skip: 5956, limit: 3}), 'line-05956\nline-0595\n57\n')
    })

    test('skipping back exactly one chunk of lines returns one line less', () => {
      const out = read(big, {end: true, skip: -5958})
      assert.equal(out.split('\n')[0], 'line-14043')
      assert.equal(out.split('\n').length - 1, 5957)
    })

    test('skipping back more than one chunk lands mid-line at a wrong offset', () => {
      assert.equal(read(big, {end: true, skip: -7000, limit: 3}), 'ine-02128\nline-02129\nline-02130\n')
      assert.equal(read(big, {end: true, skip: -5959}).slice(0, 10), 'ine-02128\n')
    })

    test('a line longer than 64 KiB is split into pieces instead of stalling', () => {
      const long = `first\n${'x'.repeat(70_000)}\nlast\n`
      const out = read(long, {offset: 5})
      assert.ok(out.endsWith('last\n'))
      assert.ok(out.split('\n').length > 3)
    })
  })
})
