/** Rows of the results table: medians and ranges of repeated runs, ratios against same-run baselines. */
import type {RunResult} from './process.js'

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

export type Unit = 'ms' | 'lines/s' | '%' | 'MB' | 'count'

export interface Row {
  /** The case number and name, e.g. "1 follow throughput". */
  case: string
  what: string
  unit: Unit
  /** The measured value of each run (after the warm-up). */
  values: number[]
  /** Peak RSS of each run in KiB (omitted where it means nothing, e.g. curl). */
  peakRssKb?: number[]
  /** e.g. "0.21x curl". */
  ratio?: string
  /** e.g. ">= 0.13x curl, RSS < 120 MB". */
  target?: string
  met?: boolean
  /** By how much and why a target is missed (shown when met is false), or, on a row without a target, what its number means. */
  note?: string
}

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return 'n/a'
  switch (unit) {
    case 'ms':
      return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`
    case 'lines/s':
      return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M/s` : `${(value / 1e3).toFixed(0)} k/s`
    case '%':
      return `${value.toFixed(1)}%`
    case 'MB':
      return `${value.toFixed(1)} MB`
    case 'count':
      return String(value)
  }
}

export const mb = (kib: number) => kib / 1024

/** The rows as a Markdown table. */
export function table(rows: Row[]): string {
  const header = ['case', 'what', 'n', 'median', 'min-max', 'peak RSS', 'ratio', 'target', 'met']
  const body = rows.map((row) => [
    row.case,
    row.what,
    String(row.values.length),
    formatValue(median(row.values), row.unit),
    row.values.length > 1 ? `${formatValue(Math.min(...row.values), row.unit)} - ${formatValue(Math.max(...row.values), row.unit)}` : '',
    row.peakRssKb === undefined || row.peakRssKb.length === 0 ? '' : `${mb(median(row.peakRssKb)).toFixed(0)} MB (max ${mb(Math.max(...row.peakRssKb)).toFixed(0)})`,
    row.ratio ?? '',
    row.target ?? '',
    row.met === undefined ? '' : row.met ? 'yes' : '**NO**',
  ])
  const lines = [header, header.map(() => '---'), ...body].map((cells) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`)
  return lines.join('\n')
}

/** The closing notes: each missed target (by how much, and why), then the notes of rows without a target. */
export function notes(rows: Row[]): string {
  const missed = rows.filter((row) => row.met === false).map((row) => `- missed: ${row.case}, ${row.what}: ${row.note || 'see docs/performance.md'}`)
  const other = rows.filter((row) => row.met === undefined && row.note).map((row) => `- ${row.case}, ${row.what}: ${row.note}`)
  return [...missed, ...other].join('\n')
}

/** "needs 1.9x the speed": how far a measured value is from its limit (lower is better when `atMost`). */
export function shortBy(value: number, limit: number, atMost: boolean, unit: Unit): string {
  return atMost
    ? `${formatValue(value, unit)} against at most ${formatValue(limit, unit)} (${(value / limit).toFixed(1)}x over)`
    : `${formatValue(value, unit)} against at least ${formatValue(limit, unit)} (needs ${(limit / value).toFixed(1)}x)`
}

/** A row for runs measured by wall time. */
export function wallRow(caseName: string, what: string, runs: RunResult[], extra: Partial<Row> = {}): Row {
  return {case: caseName, what, unit: 'ms', values: runs.map((run) => run.wallMs), peakRssKb: runs.map((run) => run.peakRssKb), ...extra}
}
