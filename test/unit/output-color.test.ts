import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {createChalk, decideColorLevel, priorityColor, StreamColors} from '../../src/output/color.js'

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

  test('a stream keeps its colour; ten streams get ten colours, the eleventh repeats one', () => {
    const colors = new StreamColors()
    const ids = Array.from({length: 11}, (_, i) => `web.${i}`)
    const first = ids.map((id) => colors.of(id))
    assert.deepEqual(
      ids.map((id) => colors.of(id)),
      first,
    )
    assert.equal(new Set(first.slice(0, 10)).size, 10)
    assert.ok(first.slice(0, 10).includes(first[10]))
    // The first stream takes the colour its id hashes to: the same in every run.
    assert.equal(new StreamColors().of('web.3'), new StreamColors().of('web.3'))
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
    assert.equal(plain[new StreamColors().of('web.1')]('[web.1]'), '[web.1]')
    assert.equal(priorityColor(plain, '3')?.('m'), 'm')
  })
})
