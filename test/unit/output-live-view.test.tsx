import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import React from 'react'
import {render} from 'ink-testing-library'
import {formatAge, LiveView, type StreamView} from '../../src/output/ui/LiveView.js'

const NOW = 1_700_000_000_000

function view(overrides: Partial<StreamView>): StreamView {
  return {id: 'web.1', label: 'web.1', state: 'live', linesPerSecond: 0, ...overrides}
}

describe('LiveView footer', () => {
  test('one row per stream: state, lines per second, time since the last line', () => {
    const {lastFrame} = render(
      <LiveView
        now={NOW}
        color={false}
        streams={[
          view({id: 'a', label: 'web.1', state: 'live', linesPerSecond: 42.4, lastLineAt: NOW - 3000}),
          view({id: 'b', label: 'web.2', state: 'reconnecting', attempt: 2, detail: 'connection reset', linesPerSecond: 0.5, lastLineAt: NOW - 125_000}),
          view({id: 'c', label: 'db.1', state: 'ended', detail: 'TASK_FINISHED'}),
          view({id: 'd', label: 'api.1', state: 'connecting'}),
          view({id: 'e', label: 'cache.1', state: 'failed', detail: 'HTTP 500'}),
        ]}
      />,
    )
    const lines = lastFrame()!.split('\n')
    assert.equal(lines[0], '● web.1 live  42/s  last line 3s ago')
    assert.equal(lines[1], '● web.2 reconnecting (attempt 2): connection reset  0.5/s  last line 2m05s ago')
    assert.equal(lines[2], '● db.1 ended (TASK_FINISHED)  0.0/s  no lines yet')
    assert.equal(lines[3], '● api.1 connecting  0.0/s  no lines yet')
    assert.equal(lines[4], '● cache.1 failed: HTTP 500  0.0/s  no lines yet')
    assert.equal(lines[5], 'q or Ctrl-C to stop')
  })

  test('with colour off the frame holds no escape codes', () => {
    const {lastFrame} = render(<LiveView now={NOW} color={false} streams={[view({state: 'failed', detail: 'x'})]} />)
    assert.doesNotMatch(lastFrame()!, /\x1b/)
  })

  test('many streams are summarised after maxRows', () => {
    const streams = Array.from({length: 12}, (_, i) => view({id: `s${i}`, label: `web.${i}`}))
    const {lastFrame} = render(<LiveView now={NOW} color={false} streams={streams} maxRows={3} />)
    const lines = lastFrame()!.split('\n')
    assert.equal(lines.length, 5)
    assert.equal(lines[3], '+9 more streams')
  })

  test('new props give a new frame (props in, frames out)', () => {
    const {lastFrame, rerender} = render(<LiveView now={NOW} color={false} streams={[view({state: 'connecting'})]} />)
    assert.match(lastFrame()!, /connecting/)
    rerender(<LiveView now={NOW} color={false} streams={[view({state: 'live', lastLineAt: NOW})]} />)
    assert.match(lastFrame()!, /web\.1 live .* last line 0s ago/)
  })
})

test('formatAge', () => {
  assert.equal(formatAge(0), '0s')
  assert.equal(formatAge(59_999), '59s')
  assert.equal(formatAge(61_000), '1m01s')
  assert.equal(formatAge(3_720_000), '1h02m')
  assert.equal(formatAge(-5), '0s')
})
