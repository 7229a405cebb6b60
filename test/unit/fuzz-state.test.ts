/**
 * Property tests of the master state reader (src/mesos/state-scanner.ts over json-select.ts): a random
 * state, cut into random chunks, reads the same as whole and gives back exactly its tasks; any value the
 * schema asks for decodes as JSON.parse would; broken or random input fails only with a 'protocol' CliError.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import fc from 'fast-check'
import {isCliError} from '../../src/errors.js'
import {objectNode, readSelected, valueNode} from '../../src/mesos/json-select.js'
import {scanMasterState} from '../../src/mesos/state-scanner.js'
import {splitAt} from '../helpers/chunks.js'

const RUNS = {numRuns: 150}

async function* stream(chunks: Buffer[]): AsyncIterable<Buffer> {
  yield* chunks
}

/** Resolves, or rejects with a 'protocol' CliError: anything else fails the property. */
async function onlyProtocolErrors(read: Promise<unknown>): Promise<'read' | 'rejected'> {
  try {
    await read
    return 'read'
  } catch (error) {
    assert.ok(isCliError(error), `not a CliError: ${String(error)}`)
    assert.equal(error.kind, 'protocol')
    return 'rejected'
  }
}

/** Text of every kind, escapes and non-ASCII included (valid Unicode: state comes from Go's encoder). */
const text = fc.oneof(fc.string({maxLength: 12}), fc.string({unit: 'grapheme', maxLength: 12}), fc.constantFrom('', '"', '\\', '\u2028', 'é', '💥'))
/** Fields Mesos sends that dcos-ts skips unread. */
const junk = fc.dictionary(fc.constantFrom('resources', 'discovery', 'container', 'executors', 'offers', 'capabilities', 'x'), fc.jsonValue({maxDepth: 3}), {maxKeys: 3})

const task = fc.record({
  id: text,
  name: text,
  state: fc.constantFrom('TASK_RUNNING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED'),
  slave_id: fc.stringMatching(/^[0-9a-f-]{1,12}-S\d$/),
  executor_id: text,
  framework_id: fc.stringMatching(/^[0-9a-f]{1,8}-\d{4}$/),
  statuses: fc.array(fc.record({state: fc.constant('TASK_RUNNING'), container_status: fc.record({container_id: fc.record({value: fc.uuid()})})}), {maxLength: 2}),
  junk,
})
const framework = fc.record({
  id: fc.stringMatching(/^[0-9a-f]{1,8}-\d{4}$/),
  name: text,
  active: fc.boolean(),
  tasks: fc.array(task, {maxLength: 4}),
  completed_tasks: fc.array(task, {maxLength: 3}),
  junk,
})
const state = fc.record({
  version: fc.constantFrom('1.10.0', '1.5.0'),
  cluster: text,
  slaves: fc.array(fc.record({id: fc.stringMatching(/^[0-9a-f-]{1,12}-S\d$/), hostname: fc.ipV4(), pid: fc.constant('slave(1)@10.0.0.1:5051'), junk}), {maxLength: 3}),
  frameworks: fc.array(framework, {maxLength: 3}),
  completed_frameworks: fc.array(framework, {maxLength: 2}),
  junk,
})

type State = typeof state extends fc.Arbitrary<infer T> ? T : never

/** The state as Mesos writes it: the junk fields spread among the real ones, optionally indented. */
function serialise(value: State, indent: number): Buffer {
  const spread = (object: {junk: Record<string, unknown>}) => {
    const {junk: extra, ...rest} = object
    return {...extra, ...rest}
  }
  const frameworks = (list: State['frameworks']) =>
    list.map((fw) => ({...spread(fw), tasks: fw.tasks.map(spread), completed_tasks: fw.completed_tasks.map(spread)}))
  const document = {
    ...spread(value),
    slaves: value.slaves.map(spread),
    frameworks: frameworks(value.frameworks),
    completed_frameworks: frameworks(value.completed_frameworks),
  }
  return Buffer.from(JSON.stringify(document, null, indent))
}

describe('master state reader, fuzzed', () => {
  test('any chunking reads the same state as the whole body, with exactly its tasks', async () => {
    await fc.assert(
      fc.asyncProperty(state, fc.constantFrom(0, 1, 2), fc.array(fc.nat(), {maxLength: 30}), async (value, indent, cuts) => {
        const body = serialise(value, indent)
        const whole = await scanMasterState(body)
        const pieces = await scanMasterState(stream(splitAt(body, cuts)))
        assert.deepEqual(pieces, whole)
        const expected = [...value.frameworks, ...value.completed_frameworks].flatMap((fw) => [...fw.tasks, ...fw.completed_tasks].map((t) => [t.id, t.name, t.state]))
        assert.deepEqual(
          whole.tasks.map((t) => [t.id, t.name, t.state]),
          expected,
        )
        assert.deepEqual(
          whole.agents.map((agent) => agent.id),
          value.slaves.map((slave) => slave.id),
        )
      }),
      RUNS,
    )
  })

  test('keep drops tasks as they are read: the same as filtering afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(state, fc.array(fc.nat(), {maxLength: 20}), fc.string({maxLength: 1}), async (value, cuts, letter) => {
        const body = serialise(value, 0)
        const keep = (t: {id: string; name: string}) => t.id.includes(letter) && !t.name.startsWith(letter)
        const kept = await scanMasterState(stream(splitAt(body, cuts)), {keep})
        const all = await scanMasterState(body)
        assert.deepEqual(kept.tasks, all.tasks.filter(keep))
      }),
      RUNS,
    )
  })

  test('a cut-short state is a protocol error wherever it is cut', async () => {
    await fc.assert(
      fc.asyncProperty(state, fc.nat(), fc.array(fc.nat(), {maxLength: 10}), async (value, cut, cuts) => {
        const body = serialise(value, 0)
        const prefix = body.subarray(0, cut % body.length)
        assert.equal(await onlyProtocolErrors(scanMasterState(stream(splitAt(prefix, cuts)))), 'rejected')
      }),
      RUNS,
    )
  })

  test('a state with a byte changed, or random bytes, reads or fails with a protocol error, never anything else', async () => {
    const mutated = fc.tuple(state, fc.nat(), fc.integer({min: 0, max: 255})).map(([value, at, byte]) => {
      const body = Buffer.from(serialise(value, 0))
      body[at % body.length] = byte
      return body
    })
    const random = fc.uint8Array({maxLength: 200}).map((bytes) => Buffer.from(bytes))
    const jsonish = fc.jsonValue({maxDepth: 4}).map((value) => Buffer.from(JSON.stringify(value) ?? 'null'))
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, random, jsonish), fc.array(fc.nat(), {maxLength: 20}), async (body, cuts) => {
        const whole = await onlyProtocolErrors(scanMasterState(body))
        assert.equal(await onlyProtocolErrors(scanMasterState(stream(splitAt(body, cuts)))), whole, 'chunking changes nothing')
      }),
      {numRuns: 400},
    )
  })
})

describe('selective JSON reader, fuzzed', () => {
  test('a wanted value decodes exactly as JSON.parse does, however the document is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({maxDepth: 3}),
        fc.dictionary(fc.string({maxLength: 6}), fc.jsonValue({maxDepth: 3}), {maxKeys: 4}),
        fc.array(fc.nat(), {maxLength: 30}),
        async (wanted, others, cuts) => {
          const {wanted: _drop, ...rest} = others
          const body = Buffer.from(JSON.stringify({...rest, wanted, after: rest}))
          let seen: unknown = 'never set'
          await readSelected(stream(splitAt(body, cuts)), objectNode({wanted: valueNode((value) => (seen = value))}), 'a document')
          assert.deepEqual(seen, JSON.parse(JSON.stringify(wanted)))
        },
      ),
      RUNS,
    )
  })
})
