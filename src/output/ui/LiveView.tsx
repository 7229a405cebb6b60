/**
 * The live view's footer: a row per stream (its state, lines per second, time since its last line) and a key
 * hint, in at most a third of the terminal; and the one-line form of the notices that scroll above it. Props
 * in, frames out: it keeps no state and never sees log lines, which are written above it by live-sink through
 * Ink's stdout writer.
 *
 * Every line fits the terminal's width. What is long (a reconnect's error, ~400 characters with an agent's
 * path in it) has its paths shortened, and a row's state is cut in the middle, where the request is, so that
 * why it failed stays in sight; a notice is cut at the end. The full text is on stderr when stderr is not the
 * terminal, and in every output but the live view.
 */
import React, {useLayoutEffect, useRef} from 'react'
import {Box, measureElement, renderToString, Text, type DOMElement} from 'ink'
import type {StreamState} from '../../logs/entry.js'
import type {StreamColorName} from '../color.js'

export interface StreamView {
  id: string
  /** Already terminal-safe. */
  label: string
  /** The stream's colour, the one its lines' prefixes have. */
  color: StreamColorName
  state: StreamState
  attempt?: number
  detail?: string
  linesPerSecond: number
  /** Milliseconds since the epoch of the last line; undefined before the first. */
  lastLineAt?: number
}

export interface LiveViewProps {
  /** In the order the streams appeared. */
  streams: readonly StreamView[]
  /** Milliseconds since the epoch, for the ages. */
  now: number
  /** False when colour is off (--color never, NO_COLOR): then no colour props at all. */
  color: boolean
  /** The terminal's height: the footer takes a third of it at most. */
  rows: number
  /** Told each line's width as laid out, after every render: what a narrower terminal rewraps them into. */
  onLayout?: (lineWidths: number[]) => void
}

const STATE_COLORS: Record<StreamState, string> = {
  connecting: 'gray',
  live: 'green',
  reconnecting: 'yellow',
  ended: 'blue',
  failed: 'red',
}

/** Which rows a short footer keeps: trouble first, ended streams last. */
const STATE_RANKS: Record<StreamState, number> = {failed: 0, reconnecting: 0, connecting: 1, live: 1, ended: 2}

/** States a summary counts, in its order: live is the normal case, which goes without saying. */
const SUMMARY_STATES: readonly StreamState[] = ['reconnecting', 'failed', 'connecting', 'ended']

const KEY_HINT = 'q or Ctrl-C to stop'

/** How much faster a row's state shrinks than the rest of it, when the row is too wide... */
const STATE_SHRINK = 1000
/** ...down to this: on a narrow terminal the state stays readable, its numbers give way. */
const STATE_MIN_WIDTH = 16

/** The footer's share of the terminal: lines beyond it go to the log. */
export function footerLines(rows: number): number {
  return Math.max(1, Math.floor(rows / 3))
}

/** Text on one line: a line end or tab inside a server's message would break the footer's layout. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ')
}

/** A path of four segments or more (`/system/v1/agent/<id>/logs/v2/task/...`) as its first and last: `/system/…/stdout`. */
const LONG_PATH = /(?<!\/)\/([^\s/?#:]+)(?:\/[^\s/?#:]+){2,}\/([^\s/?#:]+)(?:\?[^\s:]*)?/g

/** A message as the footer and the notices show it: one line, long paths shortened. */
export function shortMessage(text: string): string {
  return oneLine(text).replace(LONG_PATH, '/$1/…/$2')
}

export function describeState(view: StreamView): string {
  const detail = view.detail === undefined ? undefined : shortMessage(view.detail)
  switch (view.state) {
    case 'reconnecting':
      return `reconnecting${view.attempt ? ` (attempt ${view.attempt})` : ''}${detail ? `: ${detail}` : ''}`
    case 'ended':
      return `ended${detail ? ` (${detail})` : ''}`
    case 'failed':
      return `failed${detail ? `: ${detail}` : ''}`
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

/** The streams that get a row when `count` fit: by rank, then as they appeared, and shown as they appeared. */
function rowsShown(streams: readonly StreamView[], count: number): StreamView[] {
  if (streams.length <= count) return [...streams]
  const order = new Map(streams.map((view, index) => [view, index]))
  const byOrder = (a: StreamView, b: StreamView) => order.get(a)! - order.get(b)!
  return [...streams]
    .sort((a, b) => STATE_RANKS[a.state] - STATE_RANKS[b.state] || byOrder(a, b))
    .slice(0, count)
    .sort(byOrder)
}

/** "+12 more streams, 3 reconnecting, 1 ended": the streams without a row. */
export function summarise(hidden: readonly StreamView[], others: boolean): string {
  const counts = SUMMARY_STATES.map((state) => [state, hidden.filter((view) => view.state === state).length] as const)
  const states = counts.filter(([, count]) => count > 0).map(([state, count]) => `, ${count} ${state}`)
  return `${others ? '+' : ''}${hidden.length} ${others ? 'more ' : ''}stream${hidden.length === 1 ? '' : 's'}${states.join('')}`
}

/** A stream's row. What does not fit gives way from the middle of its state (a reconnect's error, whose end says why). */
function StreamRow({view, labelWidth, now, color}: {view: StreamView; labelWidth: number; now: number; color: boolean}) {
  const stateColor = color ? STATE_COLORS[view.state] : undefined
  const last = view.lastLineAt === undefined ? 'no lines' : `${formatAge(now - view.lastLineAt)} ago`
  const state = describeState(view)
  return (
    <>
      <Box flexShrink={1}>
        <Text wrap="truncate-end">
          <Text color={stateColor}>●</Text> <Text color={color ? view.color : undefined}>{view.label.padEnd(labelWidth)}</Text>
          {`  ${formatRate(view.linesPerSecond).padStart(6)}  `}
          <Text dimColor={color}>{last.padEnd(9)}</Text>
          {'  '}
        </Text>
      </Box>
      <Box flexShrink={STATE_SHRINK} minWidth={Math.min(state.length, STATE_MIN_WIDTH)}>
        <Text wrap="truncate-middle" color={stateColor}>
          {state}
        </Text>
      </Box>
    </>
  )
}

export function LiveView({streams, now, color, rows, onLayout}: LiveViewProps) {
  const budget = footerLines(rows)
  const shown = rowsShown(streams, streams.length < budget ? streams.length : budget - 1)
  const kept = new Set(shown)
  const hidden = streams.filter((view) => !kept.has(view))
  const labelWidth = Math.max(0, ...shown.map((view) => view.label.length))
  const lastLine = hidden.length > 0 ? `${summarise(hidden, shown.length > 0)} · ${KEY_HINT}` : KEY_HINT
  const lines = useRef<Array<DOMElement | null>>([])
  useLayoutEffect(() => {
    onLayout?.(lines.current.slice(0, shown.length + 1).map((line) => (line === null ? 0 : lineWidth(line))))
  })
  return (
    <Box flexDirection="column">
      {shown.map((view, index) => (
        <Box key={view.id} ref={(line) => void (lines.current[index] = line)}>
          <StreamRow view={view} labelWidth={labelWidth} now={now} color={color} />
        </Box>
      ))}
      <Box ref={(line) => void (lines.current[shown.length] = line)}>
        <Box flexShrink={1}>
          <Text wrap="truncate-end" dimColor={color}>
            {lastLine}
          </Text>
        </Box>
      </Box>
    </Box>
  )
}

/** The columns a line's parts take (the line itself spans the terminal; its blank end is not written). */
function lineWidth(line: DOMElement): number {
  let width = 0
  for (const part of line.childNodes) if (part.nodeName === 'ink-box') width += measureElement(part).width
  return width
}

/** A notice as one line of the log, cut to the terminal's width. */
export function noticeLine(text: string, columns: number): string {
  return renderToString(<Text wrap="truncate-end">{shortMessage(text)}</Text>, {columns})
}
