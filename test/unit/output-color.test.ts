import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {createChalk, decideColorLevel, priorityColor, streamColor} from '../../src/output/color.js'

describe('colour decision: --color > NO_COLOR > FORCE_COLOR > terminal', () => {
  const cases: Array<[string, Parameters<typeof decideColorLevel>, number]> = [
    ['auto on a terminal', ['auto', true, {}], 1],
    ['auto in a pipe', ['auto', false, {}], 0],
    ['NO_COLOR on a terminal', ['auto', true, {NO_COLOR: '1'}], 0],
    ['empty NO_COLOR is ignored', ['auto', true, {NO_COLOR: ''}], 1],
    ['NO_COLOR beats FORCE_COLOR', ['auto', false, {NO_COLOR: '1', FORCE_COLOR: '1'}], 0],
    ['FORCE_COLOR into a pipe', ['auto', false, {FORCE_COLOR: '1'}], 1],
    ['FORCE_COLOR=3 picks truecolor', ['auto', false, {FORCE_COLOR: '3'}], 3],
    ['FORCE_COLOR=true is basic colour', ['auto', false, {FORCE_COLOR: 'true'}], 1],
    ['FORCE_COLOR=0 on a terminal', ['auto', true, {FORCE_COLOR: '0'}], 0],
    ['TERM=dumb', ['auto', true, {TERM: 'dumb'}], 0],
    ['--color always beats NO_COLOR and a pipe', ['always', false, {NO_COLOR: '1'}], 1],
    ['--color always keeps a forced level', ['always', false, {FORCE_COLOR: '2'}], 2],
    ['--color never beats FORCE_COLOR on a terminal', ['never', true, {FORCE_COLOR: '3'}], 0],
  ]
  for (const [name, args, level] of cases) {
    test(name, () => assert.equal(decideColorLevel(...args), level))
  }
})

describe('derived colours', () => {
  const chalk = createChalk(1)

  test('a stream keeps its colour, and streams get different ones', () => {
    assert.equal(streamColor(chalk, 'web.1')('x'), streamColor(chalk, 'web.1')('x'))
    const colours = new Set(['web.1', 'web.2', 'web.3', 'db.1', 'cache.1'].map((id) => streamColor(chalk, id)('x')))
    assert.ok(colours.size >= 3)
  })

  test('journald priorities: 0-3 red, 4 yellow, 5 bright, 6 plain', () => {
    assert.equal(priorityColor(chalk, '3')?.('m'), '\x1b[31mm\x1b[39m')
    assert.equal(priorityColor(chalk, '0')?.('m'), '\x1b[31mm\x1b[39m')
    assert.equal(priorityColor(chalk, '4')?.('m'), '\x1b[33mm\x1b[39m')
    assert.equal(priorityColor(chalk, '5')?.('m'), '\x1b[1mm\x1b[22m')
    assert.equal(priorityColor(chalk, '6'), undefined)
    assert.equal(priorityColor(chalk, undefined), undefined)
  })

  test('level 0 writes no escape codes at all', () => {
    const plain = createChalk(0)
    assert.equal(streamColor(plain, 'web.1')('[web.1]'), '[web.1]')
    assert.equal(priorityColor(plain, '3')?.('m'), 'm')
  })
})
