import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {createChalk} from '../../src/output/color.js'
import {hasUnsafeChars, jsonTerminalSafe, terminalSafe} from '../../src/output/sanitize.js'

/**
 * Anything that could steer a terminal or hide from it: C0 except TAB/LF, DEL, C1, bidi overrides, isolates
 * and marks, invisible characters, the Unicode line and paragraph separators.
 */
const STEERING = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/

describe('terminalSafe', () => {
  test('plain text, tabs and newlines pass untouched (and the fast path says so)', () => {
    for (const text of ['hello world', 'a\tb', 'trace:\n  at x', 'ünïcödé ✓ 日本']) {
      assert.equal(hasUnsafeChars(text), false)
      assert.equal(terminalSafe(text), text)
    }
  })

  test('escape sequences are shown, not obeyed', () => {
    assert.equal(terminalSafe('\x1b[2Jcleared'), '\\x1b[2Jcleared')
    assert.equal(terminalSafe('\x1b]0;pwned\x07title'), '\\x1b]0;pwned\\x07title')
    assert.equal(terminalSafe('\x1b[1A\x1b[2Kover'), '\\x1b[1A\\x1b[2Kover')
    assert.equal(terminalSafe('fake\rreal'), 'fake\\x0dreal')
    assert.equal(terminalSafe('nul\x00bs\x08del\x7f'), 'nul\\x00bs\\x08del\\x7f')
    assert.equal(terminalSafe('c1 csi \x9b2J'), 'c1 csi \\x9b2J')
    assert.equal(terminalSafe('bidi \u202eevil'), 'bidi \\u202eevil')
  })

  test('characters that show nothing, marks that reorder unseen, and Unicode line ends are shown as escapes', () => {
    assert.equal(terminalSafe('zero\u200bwidth bom\ufeff'), 'zero\\u200bwidth bom\\ufeff')
    assert.equal(terminalSafe('marks \u200e\u200f\u061c'), 'marks \\u200e\\u200f\\u061c')
    assert.equal(terminalSafe('one\u2028two\u2029three'), 'one\\u2028two\\u2029three')
  })

  test('with colour on, the escapes are dimmed', () => {
    assert.equal(terminalSafe('\x1b[2J', createChalk(1)), '\x1b[2m\\x1b\x1b[22m[2J')
  })

  test('property: no output ever holds a character that steers a terminal', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), (text) => {
        assert.equal(STEERING.test(terminalSafe(text)), false)
      }),
    )
  })
})

describe('jsonTerminalSafe', () => {
  test('escapes C1 and bidi characters inside JSON strings without changing what a parser reads', () => {
    const value = {message: 'a\x85b\u202ec\x1b[2J\x9b'}
    const json = jsonTerminalSafe(JSON.stringify(value))
    assert.equal(STEERING.test(json), false)
    assert.deepEqual(JSON.parse(json), value)
  })

  test('property: round-trips any string', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), (text) => {
        const json = jsonTerminalSafe(JSON.stringify({text}))
        assert.equal(STEERING.test(json), false)
        assert.equal(JSON.parse(json).text, text)
      }),
    )
  })
})
