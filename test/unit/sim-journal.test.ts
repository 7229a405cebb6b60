import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {Journal, JournalError, buildPredicate, formatEntry, journalTime, parseCursor, v1Plan, v2Start, type JournalEntry} from '../../src/sim/journal.js'

function journal(count = 6): Journal {
  const j = new Journal({hostname: 'master-0', machineId: 'm'.repeat(32), bootId: 'b'.repeat(32), seqnumId: 'a'.repeat(32), bootRealtimeUs: 1_700_000_000_000_000})
  for (let n = 1; n <= count; n++) j.add({unit: n % 2 ? 'dcos-adminrouter.service' : 'dcos-mesos-master.service', message: `m${n}`}, 1_700_000_000_000_000 + n * 1_000_000)
  return j
}

function messages(j: Journal, matches: number[], start: number, limit = 0): string[] {
  const slice = matches.slice(start, limit ? start + limit : undefined)
  return slice.map((i) => j.entries[i].fields.MESSAGE)
}

function v2(j: Journal, pos: {cursor?: string; skip?: number; unit?: string; limit?: number}): string[] {
  const matches = j.matching(buildPredicate([], pos.unit))
  return messages(j, matches, v2Start(j, matches, {cursor: pos.cursor, skip: pos.skip ?? 0}), pos.limit)
}

describe('journal cursors', () => {
  test('journald cursor format: s,i,b,m,t,x in order, hex numbers', () => {
    const j = journal(1)
    const cursor = j.entries[0].cursor
    assert.match(cursor, /^s=a{32};i=1;b=b{32};m=[0-9a-f]+;t=[0-9a-f]+;x=[0-9a-f]{16}$/)
    assert.ok(parseCursor(cursor))
    assert.equal(parseCursor('garbage'), undefined)
    assert.equal(parseCursor('s=1;i=1;b=1;m=1;t=1'), undefined)
    assert.equal(parseCursor('i=1;s=1;b=1;m=1;t=1;x=1'), undefined)
    assert.equal(parseCursor('s=1;i=zz;b=1;m=1;t=1;x=1'), undefined)
  })

  test('entries keep fields sorted, with realtime and monotonic timestamps', () => {
    const entry: JournalEntry = journal(1).entries[0]
    assert.deepEqual(Object.keys(JSON.parse(entry.json)), ['fields', 'cursor', 'monotonic_timestamp', 'realtime_timestamp'])
    assert.deepEqual(Object.keys(entry.fields), [...Object.keys(entry.fields)].sort())
    assert.equal(formatEntry(entry, 'text'), `${journalTime(entry.realtime)}: m1\n`)
    assert.equal(formatEntry(entry, 'sse'), `id: ${entry.cursor}\ndata: ${entry.json}\n\n`)
  })

  test('Go escaping of <, > and & in JSON', () => {
    const j = journal(0)
    const entry = j.add({unit: 'x.service', message: 'a<b>&c'})
    assert.ok(entry.json.includes('a\\u003cb\\u003e\\u0026c'))
  })
})

describe('v2 component positioning', () => {
  test('no cursor: skip=0 from the head, skip=N starts at the N-th, skip=-N the last N', () => {
    const j = journal()
    assert.deepEqual(v2(j, {}), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'])
    assert.deepEqual(v2(j, {skip: 2, limit: 2}), ['m2', 'm3'])
    assert.deepEqual(v2(j, {skip: -3}), ['m4', 'm5', 'm6'])
    assert.deepEqual(v2(j, {skip: -100}), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'])
  })

  test('BEG is the head; END is the last entry, END with skip=-N the last N', () => {
    const j = journal()
    assert.deepEqual(v2(j, {cursor: 'BEG', limit: 2}), ['m1', 'm2'])
    assert.deepEqual(v2(j, {cursor: 'END'}), ['m6'])
    assert.deepEqual(v2(j, {cursor: 'END', skip: -3}), ['m4', 'm5', 'm6'])
  })

  test('an existing cursor is exclusive; with skip=-N it starts N before it and includes it', () => {
    const j = journal()
    const c3 = j.entries[2].cursor
    assert.deepEqual(v2(j, {cursor: c3}), ['m4', 'm5', 'm6'])
    assert.deepEqual(v2(j, {cursor: c3, skip: -2, limit: 3}), ['m1', 'm2', 'm3'])
    assert.deepEqual(v2(j, {cursor: c3, skip: 2}), ['m5', 'm6'])
    assert.deepEqual(v2(j, {cursor: j.entries[5].cursor}), [])
  })

  test('a well-formed cursor of another journal file seeks by time, inclusive; past the end it is not found', () => {
    const j = journal()
    const t = j.entries[3].realtime.toString(16)
    assert.deepEqual(v2(j, {cursor: `s=${'f'.repeat(32)};i=1;b=1;m=1;t=${t};x=1`}), ['m4', 'm5', 'm6'])
    assert.throws(() => v2(j, {cursor: `s=${'f'.repeat(32)};i=1;b=1;m=1;t=fffffffffffff;x=1`}), (e: JournalError) => e.status === 500 && /not found: failed to test to cursor .*: 99$/.test(e.message))
    assert.throws(() => v2(j, {cursor: 'garbage'}), (e: JournalError) => e.status === 500 && e.message === 'unable to open journald: Incorrect cursor string')
  })

  test('a unit matches UNIT or _SYSTEMD_UNIT, and filters are ORed with it', () => {
    const j = journal()
    j.add({unit: 'init.scope', message: 'Started adminrouter', fields: {UNIT: 'dcos-adminrouter.service'}})
    assert.deepEqual(v2(j, {unit: 'dcos-adminrouter.service'}), ['m1', 'm3', 'm5', 'Started adminrouter'])
    const matches = j.matching(buildPredicate([['MESSAGE', 'm2']], 'dcos-adminrouter.service'))
    assert.deepEqual(messages(j, matches, 0), ['m1', 'm2', 'm3', 'm5', 'Started adminrouter'])
    const and = j.matching(buildPredicate([['MESSAGE', 'm2'], ['MESSAGE', 'm4'], ['_SYSTEMD_UNIT', 'dcos-mesos-master.service']]))
    assert.deepEqual(messages(j, and, 0), ['m2', 'm4'])
  })
})

describe('v1 positioning', () => {
  test('skip_prev counts back from the tail (reporting what it moved), skip_next=N starts at the N-th', () => {
    const j = journal()
    const matches = j.matching(undefined)
    const prev = v1Plan(j, matches, {skipNext: 0, skipPrev: 100, readReverse: false})
    assert.equal(prev.movedPrev, 6)
    assert.deepEqual(v1Plan(j, matches, {skipNext: 2, skipPrev: 0, readReverse: false}).order.map((i) => j.entries[i].fields.MESSAGE).slice(0, 2), ['m2', 'm3'])
  })

  test('read_reverse from a cursor goes backwards from the entry before it', () => {
    const j = journal()
    const matches = j.matching(undefined)
    const plan = v1Plan(j, matches, {cursor: j.entries[3].cursor, skipNext: 0, skipPrev: 0, readReverse: true})
    assert.deepEqual(plan.order.map((i) => j.entries[i].fields.MESSAGE), ['m3', 'm2', 'm1'])
    const newest = v1Plan(j, matches, {skipNext: 0, skipPrev: 1, readReverse: true})
    assert.deepEqual(newest.order.slice(0, 3).map((i) => j.entries[i].fields.MESSAGE), ['m6', 'm5', 'm4'])
  })
})
