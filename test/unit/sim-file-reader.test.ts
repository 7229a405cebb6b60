import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {DcosLogFileReader, goDecoded, newReadStats} from '../../src/sim/file-reader.js'
import {SandboxFile} from '../../src/sim/sandbox.js'

/** Reads like a v2 text request: start offset, forward skip, limit; returns the lines' bytes as text. */
function read(content: string, options: {offset?: number; end?: boolean; skip?: number; limit?: number; ideal?: boolean} = {}): string {
  const file = new SandboxFile(content)
  const stats = newReadStats()
  let offset = options.end ? file.size : (options.offset ?? 0)
  const skip = options.skip ?? 0
  if (skip < 0) offset = DcosLogFileReader.backward(file, offset, -skip, stats)
  const reader = new DcosLogFileReader(() => file, offset, {skip: Math.max(skip, 0), limit: options.limit, ideal: options.ideal, stats})
  let out = ''
  for (let line = reader.next(); typeof line !== 'string'; line = reader.next()) out += `${line.bytes.toString()}\n`
  return out
}

/** The lines one reader yields from `offset` until it has no more, as [start, end). */
function spans(file: SandboxFile, offset = 0, ideal = false): Array<[number, number]> {
  const reader = new DcosLogFileReader(() => file, offset, {stream: true, ideal, stats: newReadStats()})
  const out: Array<[number, number]> = []
  for (let line = reader.next(); typeof line !== 'string'; line = reader.next()) out.push([line.start, line.end])
  return out
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
    const lines = spans(new SandboxFile(FIVE))
    assert.deepEqual(lines.map(([start, end]) => (start > 0 ? end : undefined)), [undefined, 7, 13, 18, 23])
  })

  test('byte offsets count bytes, not UTF-16 units', () => {
    assert.deepEqual(spans(new SandboxFile('日本\nnext\n')), [[0, 6], [7, 11]])
  })

  test('lengths are those of the text Go decoded: an invalid byte counts three (U+FFFD), shifting later ids', () => {
    assert.deepEqual(goDecoded(Buffer.from([0x61, 0xff, 0x62])), Buffer.from('a\ufffdb'))
    assert.deepEqual(goDecoded(Buffer.from([0xe6, 0x97])), Buffer.from('\ufffd\ufffd'))
    const file = new SandboxFile(Buffer.concat([Buffer.from('ok\n\xff\n', 'latin1'), Buffer.from('next\n')]))
    // The file's newlines are at 2, 4 and 9; dcos-log claims 2, 6 and 11.
    assert.deepEqual(spans(file, 2), [[3, 6], [7, 11]])
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

    test('from the newline before a line of 64 KiB or more no read makes progress: the same spot again and again', () => {
      const stats = newReadStats()
      const file = new SandboxFile(`c1\n${'y'.repeat(70_000)}\nc3\n`)
      const reader = new DcosLogFileReader(() => file, 2, {stats})
      for (let i = 0; i < 5; i++) assert.equal(reader.next(), 'no-data')
      assert.equal(reader.offset, 2)
      assert.deepEqual(stats, {mesosReads: 5, stuckReads: 5, readsAfterClientLeft: 0})
    })

    test('a line of 65,534 bytes still fits one read with its newline', () => {
      const file = new SandboxFile(`c1\n${'y'.repeat(65_534)}\nc3\n`)
      assert.deepEqual(spans(file, 2), [[3, 65_537], [65_538, 65_540]])
    })

    test('from offset 0 the long line comes out in two pieces, one byte repeated', () => {
      const file = new SandboxFile(`c1\n${'y'.repeat(70_000)}\nc3\n`)
      assert.deepEqual(spans(file), [[0, 2], [3, 65_536], [65_535, 70_003], [70_004, 70_006]])
    })

    test('a last line without newline, read from a newline: no progress until it gets one', () => {
      const file = new SandboxFile('one\ntwo')
      const reader = new DcosLogFileReader(() => file, 3, {stats: newReadStats()})
      assert.equal(reader.next(), 'no-data')
      file.append(Buffer.from('\n'))
      assert.deepEqual(reader.next(), {start: 4, end: 7, bytes: Buffer.from('two')})
    })
  })

  describe('the ideal reader (dcosLogDefects: none)', () => {
    test('every line whole, empty lines kept, never stuck', () => {
      const file = new SandboxFile(`c1\n\n${'y'.repeat(70_000)}\nc3\n`)
      assert.deepEqual(spans(file, 0, true), [[0, 2], [3, 3], [4, 70_004], [70_005, 70_007]])
      assert.deepEqual(spans(file, 3, true), [[4, 70_004], [70_005, 70_007]])
    })

    test('a last line without newline waits for it', () => {
      assert.equal(read('a\nb', {ideal: true}), 'a\n')
    })
  })
})
