import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import React from 'react'
import {renderToString} from 'ink'
import {render} from 'ink-testing-library'
import {formatAge, LiveView, noticeLine, shortMessage, type LiveViewProps, type StreamView} from '../../src/output/ui/LiveView.js'

const NOW = 1_700_000_000_000

function view(overrides: Partial<StreamView>): StreamView {
  return {id: 'web.1', label: 'web.1', color: 'cyan', state: 'live', linesPerSecond: 0, ...overrides}
}

/** The footer as an 80x24 terminal shows it (colour off: one character, one column). */
function frame80x24(props: Partial<LiveViewProps> & Pick<LiveViewProps, 'streams'>): string[] {
  return renderToString(<LiveView now={NOW} color={false} rows={24} {...props} />, {columns: 80}).split('\n')
}

/** What a reconnect says today: the request with the agent's whole path, then why (~400 characters). */
const AGENT_PATH =
  '/system/v1/agent/74f1836b-6784-4030-816e-aacbdd45ff57-S3/logs/v2/task/frameworks/74f1836b-6784-4030-816e-aacbdd45ff57-0001' +
  '/executors/web.4f1c2d3e-1a2b-11e9-b5e9-0242ac110002/runs/6a0f4d1c-1a2b-4c3d-8e9f-0123456789ab/tasks/web.4f1c2d3e-1a2b-11e9-b5e9-0242ac110002/stdout'
const LONG_ERROR = `GET ${AGENT_PATH}?cursor=58380: connection to 10.0.0.4:5051 failed: socket hang up (ECONNRESET)`

describe('LiveView footer', () => {
  test('one row per stream: state colour, name, lines per second, time since the last line, then the state', () => {
    const {lastFrame} = render(
      <LiveView
        now={NOW}
        color={false}
        rows={24}
        streams={[
          view({id: 'a', label: 'web.1', state: 'live', linesPerSecond: 42.4, lastLineAt: NOW - 3000}),
          view({id: 'b', label: 'web.2', state: 'reconnecting', attempt: 2, detail: 'connection reset', linesPerSecond: 0.5, lastLineAt: NOW - 125_000}),
          view({id: 'c', label: 'db.1', state: 'ended', detail: 'TASK_FINISHED'}),
          view({id: 'd', label: 'api.1', state: 'connecting'}),
          view({id: 'e', label: 'cache.1', state: 'failed', detail: 'HTTP 500'}),
        ]}
      />,
    )
    assert.deepEqual(lastFrame()!.split('\n'), [
      '● web.1      42/s  3s ago     live',
      '● web.2     0.5/s  2m05s ago  reconnecting (attempt 2): connection reset',
      '● db.1      0.0/s  no lines   ended (TASK_FINISHED)',
      '● api.1     0.0/s  no lines   connecting',
      '● cache.1   0.0/s  no lines   failed: HTTP 500',
      'q or Ctrl-C to stop',
    ])
  })

  test('with colour off the frame holds no escape codes', () => {
    const streams = [view({state: 'failed', detail: 'x'})]
    assert.doesNotMatch(render(<LiveView now={NOW} color={false} rows={24} streams={streams} />).lastFrame()!, /\x1b/)
  })

  test('80x24 with 20 streams: the footer takes 8 lines, none wider than 80; trouble keeps its rows, the rest is summed up', () => {
    const streams = Array.from({length: 20}, (_, i) =>
      view({
        id: `s${i}`,
        label: `web.${(0x4f10 + i).toString(16)}`,
        state: i === 5 || i === 12 || i === 17 ? 'reconnecting' : i === 19 ? 'ended' : 'live',
        attempt: 3,
        detail: i === 12 ? LONG_ERROR : 'connection reset',
        linesPerSecond: i,
        lastLineAt: NOW - 1000,
      }),
    )
    const lines = frame80x24({streams})
    assert.equal(lines.length, 8)
    for (const line of lines) assert.ok([...line].length <= 80, `${[...line].length} columns: ${line}`)
    // The three reconnecting first, then the first live ones, shown in the order the streams came.
    assert.deepEqual(
      lines.slice(0, 7).map((line) => line.split(/\s+/)[1]),
      ['web.4f10', 'web.4f11', 'web.4f12', 'web.4f13', 'web.4f15', 'web.4f1c', 'web.4f21'],
    )
    assert.equal(lines[7], '+13 more streams, 1 ended · q or Ctrl-C to stop')
    // The long reconnect: one line, cut in the middle so that why it failed is still in sight.
    assert.equal(lines[5], '● web.4f1c    12/s  1s ago     reconnecting (attempt 3)…ket hang up (ECONNRESET)')
    // On a wider terminal more of it shows, its agent path shortened.
    const wide = renderToString(<LiveView now={NOW} color={false} rows={24} streams={[view({state: 'reconnecting', attempt: 3, detail: LONG_ERROR})]} />, {columns: 140})
    assert.equal(wide.split('\n')[0], '● web.1   0.0/s  no lines   reconnecting (attempt 3): GET /system/…/stdout: connection to 10.0.0.4:5051 failed: socket hang up (ECONNRESET)')
  })

  test('the hidden streams that are not live are counted by state; a terminal of 5 rows gets one line', () => {
    const streams = [
      view({id: 'a', state: 'reconnecting'}),
      view({id: 'b', state: 'reconnecting'}),
      view({id: 'c', state: 'failed'}),
      view({id: 'd', state: 'live'}),
    ]
    assert.deepEqual(frame80x24({streams, rows: 5}), ['4 streams, 2 reconnecting, 1 failed · q or Ctrl-C to stop'])
    assert.deepEqual(frame80x24({streams: streams.slice(0, 2), rows: 6}).slice(1), ['+1 more stream, 1 reconnecting · q or Ctrl-C to stop'])
  })

  test('a message with line ends and tabs stays on its row', () => {
    const lines = frame80x24({streams: [view({state: 'failed', detail: 'bad\nanswer\tfrom the agent'})]})
    assert.deepEqual(lines, ['● web.1   0.0/s  no lines   failed: bad answer from the agent', 'q or Ctrl-C to stop'])
  })

  test('the width of each line, as laid out, is told after each render', () => {
    let widths: number[] = []
    const streams = [view({id: 'a', label: 'web.1'}), view({id: 'b', label: 'web.2', state: 'failed', detail: 'x'.repeat(200)})]
    renderToString(<LiveView now={NOW} color={false} rows={24} streams={streams} onLayout={(lineWidths) => (widths = lineWidths)} />, {columns: 80})
    assert.deepEqual(widths, ['● web.1   0.0/s  no lines   live'.length, 80, 'q or Ctrl-C to stop'.length])
  })

  test('new props give a new frame (props in, frames out)', () => {
    const {lastFrame, rerender} = render(<LiveView now={NOW} color={false} rows={24} streams={[view({state: 'connecting'})]} />)
    assert.match(lastFrame()!, /connecting/)
    rerender(<LiveView now={NOW} color={false} rows={24} streams={[view({state: 'live', lastLineAt: NOW})]} />)
    assert.match(lastFrame()!, /web\.1 .* 0s ago +live/)
  })
})

describe('notices', () => {
  test('a long one is one line of the terminal, paths shortened, cut at the end', () => {
    const line = noticeLine(`reconnecting to the Mesos event stream (attempt 2): ${LONG_ERROR}`, 80)
    assert.equal(line, 'reconnecting to the Mesos event stream (attempt 2): GET /system/…/stdout: conne…')
    assert.equal(noticeLine('following web.4f1c (new task, TASK_RUNNING)', 80), 'following web.4f1c (new task, TASK_RUNNING)')
  })

  test('paths of four segments or more keep their first and last; URLs and short paths stay', () => {
    assert.equal(shortMessage(LONG_ERROR), 'GET /system/…/stdout: connection to 10.0.0.4:5051 failed: socket hang up (ECONNRESET)')
    assert.equal(shortMessage('GET /mesos/master/state: 503'), 'GET /mesos/master/state: 503')
    assert.equal(shortMessage('GET https://10.0.0.4:5051/files/read?path=x: refused'), 'GET https://10.0.0.4:5051/files/read?path=x: refused')
  })
})

test('formatAge', () => {
  assert.equal(formatAge(0), '0s')
  assert.equal(formatAge(59_999), '59s')
  assert.equal(formatAge(61_000), '1m01s')
  assert.equal(formatAge(3_720_000), '1h02m')
  assert.equal(formatAge(-5), '0s')
})
