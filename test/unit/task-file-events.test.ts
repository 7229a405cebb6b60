/**
 * Logging v2 events checked against the file (src/logs/task-file/events.ts): the verdict table, and the
 * real server's long-line answers (../shared/fixtures/wire/dcos-log/v2-task-defects/) turned back into
 * the file's exact lines, repairs read from the file itself.
 */
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'
import {CliError} from '../../src/errors.js'
import {ByteEntry, type LogEntry, type StreamInfo} from '../../src/logs/entry.js'
import {EventTooLong} from '../../src/logs/sse.js'
import {ACCEPT, EventCheck, GAP, LOST, OLD, type StreamEnd, checkedEvents} from '../../src/logs/task-file/events.js'
import {LineAssembler} from '../../src/logs/task-file/lines.js'
import {splitAt} from '../helpers/chunks.js'

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url))
const defects = join(shared, 'fixtures/wire/dcos-log/v2-task-defects')
const needsShared = {skip: existsSync(shared) ? false : 'needs ../shared beside the repository'}
const STREAM: StreamInfo = {id: 'fw/t/stdout', kind: 'task', label: 't'}

describe('EventCheck', () => {
  const rows: Array<[string, number, Parameters<EventCheck['judge']>, number, number]> = [
    ['the next line: q - p - 1 bytes', 13, [18, 4, true], ACCEPT, 18],
    ['an empty line skipped before it', 13, [19, 4, true], GAP, 13],
    ['a line cut at 32 KiB: too short for its id', 2, [40003, 32658, true], GAP, 2],
    ['a cut event glued to the next: malformed, its own id kept', 2, [40003, -1, false], GAP, 2],
    ['bytes dcos-log decoded (U+FFFD): not the file\'s', 13, [18, 4, false], GAP, 13],
    ['a repeat of a line printed', 13, [13, 4, true], OLD, 13],
    ['a replay from further back', 13, [7, 3, true], OLD, 13],
    ['no id (or not a number): nothing to check', 13, [undefined, 4, true], LOST, 13],
    ['an id with a leading zero is no byte offset', 13, ['018', 4, true], LOST, 13],
  ]
  for (const [name, verified, args, verdict, after] of rows) {
    test(name, () => {
      const check = new EventCheck(verified)
      assert.equal(check.judge(...args), verdict)
      assert.equal(check.verified, after)
      if (verdict === GAP) assert.equal(check.gapEnd, args[0])
    })
  }
})

/** Repairs from the file itself, as the files API would: the lines after check.verified up to the newline at or before `end`. */
function fileRepair(file: Buffer, check: EventCheck) {
  const repairs: Array<[number, number]> = []
  const repair = async function* (end: number): AsyncIterable<LogEntry[]> {
    repairs.push([check.verified, end])
    const lines = new LineAssembler(STREAM)
    lines.restart(check.verified + 1)
    const entries = lines.push(file.subarray(check.verified + 1, end + 1))
    check.verified = lines.lastNewline
    yield entries
  }
  return {repair, repairs}
}

/** The bytes a plain sink prints: each line's bytes and a newline. */
function printed(entries: LogEntry[]): Buffer {
  return Buffer.concat(entries.flatMap((e) => [e instanceof ByteEntry ? e.bytes.subarray(e.start, e.end) : Buffer.from(e.message), Buffer.from('\n')]))
}

async function readChecked(body: Buffer, file: Buffer, after: number, cuts: number[] = []) {
  const check = new EventCheck(after)
  const {repair, repairs} = fileRepair(file, check)
  const entries: LogEntry[] = []
  const events = checkedEvents(Readable.from(splitAt(body, cuts)), STREAM, check, repair)
  let end: StreamEnd | undefined
  for (;;) {
    const next = await events.next()
    if (next.done) {
      end = next.value
      break
    }
    entries.push(...next.value)
  }
  return {entries, repairs, end, check}
}

/** A capture's body (curl's output after the headers). */
function captureBody(name: string): Buffer {
  const raw = readFileSync(join(defects, name))
  return raw.subarray(raw.indexOf('\r\n\r\n') + 4)
}

describe('the real server\'s long-line answers, checked and repaired', needsShared, () => {
  const cases: Array<[string, string, number, number, string]> = [
    // [capture, file, the newline to resume after (events before it left out), repairs, what it shows]
    ['sse-32k-last-event-id-2.http', 'sse-32k.file', 2, 2, 'a 40,000-byte line cut at 32 KiB, the next event glued on: both lines from the file'],
    // No event follows the glued one here: the line it swallowed is the quiet spell's (source.ts).
    ['sse-live-32k.http', 'sse-live-32k.file', 5, 1, 'the same appended while the stream was open, as the last line but one'],
  ]
  for (const [capture, fileName, after, repaired, what] of cases) {
    test(what, async () => {
      const file = readFileSync(join(defects, fileName))
      const whole = captureBody(capture)
      const body = whole.subarray(whole.indexOf(`id: ${file.indexOf('\n', after + 1)}\n`))
      const {entries, repairs, end, check} = await readChecked(body, file, after)
      assert.deepEqual(printed(entries), file.subarray(after + 1, check.verified + 1), 'every byte after the resume point, in order')
      assert.equal(check.verified, repaired === 2 ? file.length - 1 : file.lastIndexOf('\n', file.length - 2))
      assert.equal(repairs.length, repaired)
      assert.equal(end, 'ended')
    })
  }

  test('a line of 64 KiB or more split by a read from offset 0: the split and the glued piece repaired', async () => {
    const file = readFileSync(join(defects, 'hang-64k.file'))
    const body = captureBody('hang-64k-sse.http')
    const afterFirst = body.subarray(body.indexOf(Buffer.from('\n\n')) + 2)
    const {entries, check} = await readChecked(afterFirst, file, 2)
    assert.deepEqual(printed(entries), file.subarray(3))
    assert.equal(check.verified, file.length - 1)
  })

  test('however the answer is cut into network chunks', async () => {
    const file = readFileSync(join(defects, 'sse-32k.file'))
    const body = captureBody('sse-32k-last-event-id-2.http')
    for (const cuts of [[1], [9, 10, 11], [32_000, 32_777, 32_778], [body.length - 3]]) {
      assert.deepEqual(printed((await readChecked(body, file, 2, cuts)).entries), file.subarray(3), String(cuts))
    }
  })
})

describe('checked events, crafted', () => {
  const event = (id: number | undefined, message: string) =>
    `${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify({fields: {AGENT_ID: 'S0', CONTAINER_ID: 'c', EXECUTOR_ID: 'e', FILE: 'stdout', FRAMEWORK_ID: 'f', MESSAGE: message}})}\n\n`
  const file = Buffer.from('one\n\n\ntwo\nthree\nfour\n')

  test('empty lines the server skipped come back from the file, in order', async () => {
    const body = Buffer.from(event(9, 'two') + event(15, 'three') + event(20, 'four'))
    const {entries, repairs} = await readChecked(body, file, 3)
    assert.deepEqual(entries.map((e) => e.message), ['', '', 'two', 'three', 'four'])
    assert.deepEqual(entries.map((e) => e.cursor), ['4', '5', '9', '15', '20'])
    assert.deepEqual(repairs, [[3, 9]])
  })

  test('a replaying server: lines at or before the last one printed are dropped, never printed twice', async () => {
    const body = Buffer.from(event(15, 'three') + event(9, 'two') + event(15, 'three') + event(20, 'four') + event(15, 'three'))
    const {entries} = await readChecked(body, file, 9)
    assert.deepEqual(entries.map((e) => e.message), ['three', 'four'])
  })

  test('a line dcos-log decoded (U+FFFD where the file has other bytes) is read from the file', async () => {
    const raw = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xff, 0x41]), Buffer.from('\nnext\n')])
    // dcos-log's length of the decoded line (3 + 1 bytes) shifts its id by two
    const body = Buffer.from(event(8, '\ufffdA') + event(13, 'next'))
    const {entries} = await readChecked(body, raw, 2)
    assert.deepEqual(printed(entries), raw.subarray(3))
  })

  test('an event with no id loses the thread: the stream ends as lost, nothing guessed', async () => {
    const body = Buffer.from(event(9, 'two') + event(undefined, 'three') + event(20, 'four'))
    const {entries, end} = await readChecked(body, file, 3)
    assert.deepEqual(entries.map((e) => e.message), ['', '', 'two'])
    assert.ok(end instanceof CliError && end.kind === 'protocol')
    assert.equal(end.message, 'the log server sent an entry without an id (a byte offset) to check it by: "three"')
  })

  test('an endless data line is not held past 64 MiB: the stream ends as lost', async () => {
    async function* endless() {
      yield Buffer.from('id: 9\ndata: {"fields":{"MESSAGE":"')
      const mib = Buffer.alloc(1024 * 1024, 0x61)
      for (let i = 0; i < 65; i++) yield mib
      throw new Error('read past the bound')
    }
    const check = new EventCheck(3)
    const events = checkedEvents(Readable.from(endless()), STREAM, check, fileRepair(file, check).repair)
    let result = await events.next()
    while (!result.done) result = await events.next()
    assert.ok(result.value instanceof EventTooLong)
  })
})
