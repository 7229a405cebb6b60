import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {closestCommand, editDistance} from '../../src/hooks/command-not-found.js'

const KNOWN = ['task:log', 'task:list', 'node:log', 'node:list', 'node:list-components', 'cluster:list', 'sim', 'help', 'task', 'node', 'cluster'].map(
  (id) => id.split(':'),
)
const closest = (typed: string) => closestCommand(typed.split(' '), KNOWN)?.join(' ')

describe('editDistance', () => {
  test('insertions, deletions, substitutions and swapped neighbours each cost one', () => {
    assert.equal(editDistance('log', 'log'), 0)
    assert.equal(editDistance('tsk', 'task'), 1)
    assert.equal(editDistance('tassk', 'task'), 1)
    assert.equal(editDistance('lag', 'log'), 1)
    assert.equal(editDistance('lgo', 'log'), 1)
    assert.equal(editDistance('', 'sim'), 3)
    assert.equal(editDistance('foo', 'log'), 2)
  })
})

describe('closestCommand', () => {
  test('a small slip names the command of the most words', () => {
    assert.equal(closest('task lgo web'), 'task log')
    assert.equal(closest('clster list'), 'cluster list')
    assert.equal(closest('node list-componets'), 'node list-components')
    assert.equal(closest('tsk'), 'task')
  })

  test('a right topic with an unknown command names the topic', () => {
    assert.equal(closest('task nosuch'), 'task')
  })

  test('nothing close: no suggestion', () => {
    assert.equal(closest('nosuch'), undefined)
    assert.equal(closest('logs'), undefined)
  })
})
