import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {CliError} from '../../src/errors.js'
import type {LogEvent, StreamInfo} from '../../src/logs/entry.js'
import {merge} from '../../src/logs/merge.js'

const info = (id: string): StreamInfo => ({id, kind: 'task', label: id})
const batch = (id: string, message: string): LogEvent => ({type: 'entries', entries: [{stream: info(id), message}]})
const label = (event: LogEvent) => (event.type === 'entries' ? event.entries[0].message : event.status.state)

/** A stream that counts how far it has been read ahead of the consumer. */
function counted(id: string, count: number, produced: {n: number}) {
  return (async function* () {
    for (let i = 0; i < count; i++) {
      produced.n++
      yield batch(id, `${id}${i}`)
    }
  })()
}

describe('merge', () => {
  test('fair: a chatty stream does not starve a quiet one, and nothing is lost', async () => {
    const a = {n: 0}
    const b = {n: 0}
    const seen: string[] = []
    for await (const event of merge([counted('a', 50, a), counted('b', 3, b)], {maxStreams: 5})) seen.push(label(event))
    assert.equal(seen.length, 53)
    assert.deepEqual(seen.slice(0, 6), ['a0', 'b0', 'a1', 'b1', 'a2', 'b2'])
  })

  test('bounded: a slow consumer holds back the sources (at most one event waiting per stream)', async () => {
    const a = {n: 0}
    const b = {n: 0}
    const merged = merge([counted('a', 1000, a), counted('b', 1000, b)], {maxStreams: 2})[Symbol.asyncIterator]()
    for (let i = 0; i < 10; i++) {
      await merged.next()
      await new Promise((resolve) => setImmediate(resolve))
      assert.ok(a.n + b.n <= i + 1 + 2, `read ahead ${a.n + b.n - i - 1}`)
    }
    await merged.return?.()
  })

  test('one failing stream is recorded and the others go on; failFast throws it', async () => {
    const failing = async function* () {
      yield batch('x', 'x0')
      throw new CliError('not-found', 'no such file')
    }
    const merged = merge([failing(), counted('a', 3, {n: 0})], {maxStreams: 2})
    const seen: string[] = []
    for await (const event of merged) seen.push(label(event))
    assert.deepEqual([...seen].sort(), ['a0', 'a1', 'a2', 'x0'])
    assert.deepEqual(merged.failures.map((e) => e.message), ['no such file'])

    await assert.rejects(async () => {
      for await (const _ of merge([failing(), counted('a', 3, {n: 0})], {maxStreams: 2, failFast: true}));
    }, /no such file/)
  })

  test('ordered: each stream whole, in the order given, whichever answers first; a failure still lets the rest through', async () => {
    const late = async function* (id: string, count: number, gate: Promise<void>) {
      await gate
      for (let i = 0; i < count; i++) yield batch(id, `${id}${i}`)
    }
    let open = () => {}
    const gate = new Promise<void>((resolve) => (open = resolve))
    const b = {n: 0}
    const merged = merge([late('a', 3, gate), counted('b', 3, b), (async function* () {
      yield batch('c', 'c0')
      throw new CliError('not-found', 'no such file')
    })(), counted('d', 2, {n: 0})], {maxStreams: 4, ordered: true})
    const seen: string[] = []
    const done = (async () => {
      for await (const event of merged) seen.push(label(event))
    })()
    // b has answered but waits its turn, holding one event: nothing is printed before a's lines.
    while (b.n === 0) await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(seen, [])
    assert.equal(b.n, 1)
    open()
    await done
    assert.deepEqual(seen, ['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'c0', 'd0', 'd1'])
    assert.deepEqual(merged.failures.map((e) => e.message), ['no such file'])
  })

  test('more streams than --max-streams is a usage error naming the flag', () => {
    assert.throws(
      () => merge([counted('a', 1, {n: 0}), counted('b', 1, {n: 0})], {maxStreams: 1}),
      (error: unknown) => error instanceof CliError && error.kind === 'usage' && /--max-streams/.test(error.message),
    )
  })

  test('streams that join later are merged as they come, and the merge ends once they and `more` did', async () => {
    let joinNext: ((stream: AsyncIterable<LogEvent> | undefined) => void) | undefined
    const more = (async function* () {
      for (;;) {
        const stream = await new Promise<AsyncIterable<LogEvent> | undefined>((resolve) => (joinNext = resolve))
        if (stream === undefined) return
        yield stream
      }
    })()
    const seen: string[] = []
    const merged = merge([counted('a', 2, {n: 0})], {maxStreams: 5, more})
    const reading = (async () => {
      for await (const event of merged) seen.push(label(event))
    })()
    while (seen.length < 2) await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(seen, ['a0', 'a1'], 'the first stream ended, and the merge waits for more')
    joinNext?.(counted('b', 2, {n: 0}))
    while (seen.length < 4) await new Promise((resolve) => setImmediate(resolve))
    joinNext?.(undefined)
    await reading
    assert.deepEqual(seen, ['a0', 'a1', 'b0', 'b1'])
  })
})
