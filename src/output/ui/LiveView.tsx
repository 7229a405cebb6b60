/**
 * The live view's footer: one row per stream (its state, lines per second, time since its last line) and
 * a key hint. Props in, frames out: it keeps no state and never sees log lines, which are written above
 * it by live-sink through Ink's stdout writer.
 */
import React from 'react'
import {Box, Text} from 'ink'
import type {StreamState} from '../../logs/entry.js'

export interface StreamView {
  id: string
  /** Already terminal-safe. */
  label: string
  state: StreamState
  attempt?: number
  detail?: string
  linesPerSecond: number
  /** Milliseconds since the epoch of the last line; undefined before the first. */
  lastLineAt?: number
}

export interface LiveViewProps {
  streams: readonly StreamView[]
  /** Milliseconds since the epoch, for the ages. */
  now: number
  /** False when colour is off (--color never, NO_COLOR): then no colour props at all. */
  color: boolean
  /** Rows shown before the rest are summarised as "+N more". */
  maxRows?: number
}

const STATE_COLORS: Record<StreamState, string> = {
  connecting: 'gray',
  live: 'green',
  reconnecting: 'yellow',
  ended: 'blue',
  failed: 'red',
}

export function describeState(view: StreamView): string {
  switch (view.state) {
    case 'reconnecting':
      return `reconnecting${view.attempt ? ` (attempt ${view.attempt})` : ''}${view.detail ? `: ${view.detail}` : ''}`
    case 'ended':
      return `ended${view.detail ? ` (${view.detail})` : ''}`
    case 'failed':
      return `failed${view.detail ? `: ${view.detail}` : ''}`
    default:
      return view.state
  }
}

export function formatRate(linesPerSecond: number): string {
  return linesPerSecond < 10 ? `${linesPerSecond.toFixed(1)}/s` : `${Math.round(linesPerSecond)}/s`
}

/** "3s", "2m05s", "1h02m": how long ago the last line came. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

function StreamRow({view, now, color}: {view: StreamView; now: number; color: boolean}) {
  const last = view.lastLineAt === undefined ? 'no lines yet' : `last line ${formatAge(now - view.lastLineAt)} ago`
  return (
    <Text wrap="truncate-end">
      <Text color={color ? STATE_COLORS[view.state] : undefined}>●</Text> <Text bold={color}>{view.label}</Text>{' '}
      <Text color={color ? STATE_COLORS[view.state] : undefined}>{describeState(view)}</Text>
      {'  '}
      {formatRate(view.linesPerSecond)}
      {'  '}
      <Text dimColor={color}>{last}</Text>
    </Text>
  )
}

export function LiveView({streams, now, color, maxRows = 8}: LiveViewProps) {
  const shown = streams.slice(0, maxRows)
  const hidden = streams.length - shown.length
  return (
    <Box flexDirection="column">
      {shown.map((view) => (
        <StreamRow key={view.id} view={view} now={now} color={color} />
      ))}
      {hidden > 0 ? <Text>+{hidden} more streams</Text> : null}
      <Text dimColor={color}>q or Ctrl-C to stop</Text>
    </Box>
  )
}
