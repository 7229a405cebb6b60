import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import type {StreamInfo} from '../../src/logs/entry.js'
import {StreamNames} from '../../src/output/stream-names.js'

function task(label: string): StreamInfo {
  return {id: `fw/${label}/stdout`, kind: 'task', label, task: label, file: 'stdout'}
}

/** A UUID that starts with `head`. */
const uuid = (head: string) => `${head}${'00000000-0000-4000-8000-000000000000'.slice(head.length)}`

describe('stream names in the live view', () => {
  test('a task id is its app name and the shortest head of its UUID no other task of the app has, 4 characters at least', () => {
    const names = new StreamNames(true)
    const streams = [task(`web.${uuid('4f1c2d3e')}`), task(`web.${uuid('4f1c9a00')}`), task(`web.${uuid('7b2e0000')}`), task(`api.${uuid('4f1c2d3e')}`)]
    names.add(streams)
    assert.deepEqual(
      streams.map((stream) => names.label(stream)),
      ['web.4f1c2', 'web.4f1c9', 'web.7b2e', 'api.4f1c'],
    )
    assert.equal(names.changes, 1, 'web.4f1c... was named before its twin came')
  })

  test('a task that joins with a head already shown lengthens both from then on, never shortening again', () => {
    const names = new StreamNames(true)
    const first = task(`web.${uuid('4f1c2d3e')}`)
    names.add([first])
    assert.equal(names.label(first), 'web.4f1c')
    assert.equal(names.changes, 0)
    const joiner = task(`web.${uuid('4f1c2d77')}`)
    assert.equal(names.label(joiner), 'web.4f1c2d7')
    assert.equal(names.label(first), 'web.4f1c2d3')
    assert.equal(names.changes, 1)
    names.label(task(`web.${uuid('99990000')}`))
    assert.equal(names.label(first), 'web.4f1c2d3')
  })

  test('a head never ends on a dash', () => {
    const names = new StreamNames(true)
    const long = task(`web.${uuid('4f1c2d3e')}`)
    names.add([long])
    // Each of these ids is the name the long one has so far, which must then be longer.
    for (const id of ['web.4f1c', 'web.4f1c2', 'web.4f1c2d', 'web.4f1c2d3', 'web.4f1c2d3e']) names.label(task(id))
    assert.equal(names.label(long), 'web.4f1c2d3e-0')
  })

  test('pods, SDK and Metronome ids, framework-prefixed ids; labels without a UUID stay as they are', () => {
    const names = new StreamNames(true)
    const pod = task(`pod-web.instance-${uuid('da6ef080')}.container-1`)
    const sdk = task(`node-0-server__${uuid('29de48bb')}`)
    const twin = task(`74f1836b-6784-4030-816e-aacbdd45ff57-0001/web.${uuid('4f1c2d3e')}`)
    const plain = task('web.1')
    names.add([pod, sdk, twin, plain])
    assert.deepEqual(
      [pod, sdk, twin, plain].map((stream) => names.label(stream)),
      ['pod-web.instance-da6e.container-1', 'node-0-server__29de', '74f1836b-6784-4030-816e-aacbdd45ff57-0001/web.4f1c', 'web.1'],
    )
  })

  test('a name is never two streams\', even one that is some task\'s whole id', () => {
    const names = new StreamNames(true)
    const long = task(`web.${uuid('4f1c2d3e')}`)
    names.add([long])
    assert.equal(names.label(long), 'web.4f1c')
    assert.equal(names.label(task('web.4f1c')), 'web.4f1c')
    assert.equal(names.label(long), 'web.4f1c2')
  })
})

describe('stream names elsewhere', () => {
  test('labels in full; colours apart while they last, in the order streams came', () => {
    const names = new StreamNames(false)
    const streams = Array.from({length: 10}, (_, i) => task(`web.${uuid(`${i}000`)}`))
    names.add(streams)
    assert.deepEqual(
      streams.map((stream) => names.label(stream)),
      streams.map((stream) => stream.label),
    )
    assert.equal(new Set(streams.map((stream) => names.color(stream))).size, 10)
    assert.equal(names.changes, 0)
  })
})
