/**
 * Plain aligned tables for list commands: a header, columns padded to their widest cell, two spaces
 * between columns and none after the last (no trailing blanks for `| awk` or `| cut`). Cells never wrap or
 * truncate: an id must stay whole to be copied.
 */
import type {ChalkInstance} from 'chalk'
import {terminalSafe} from './sanitize.js'

export interface TableOptions {
  /** Colours a cell's text (not its padding); the header gets bold. Without it the table is plain. */
  chalk?: ChalkInstance
  /** Picks a colour for a body cell, given its column and plain text. */
  cellStyle?: (column: number, text: string) => ChalkInstance | undefined
}

const GAP = '  '

/** A cell's text on one line: control characters, tabs and newlines shown as escapes (they would break rows). */
export function cellText(text: string): string {
  return terminalSafe(text).replace(/[\t\n]/g, (char) => (char === '\t' ? '\\t' : '\\n'))
}

/** Display width of plain text: code points (ids and names are rarely wide characters). */
function width(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}

export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string {
  const cells = [header, ...rows].map((row) => row.map(cellText))
  const widths = header.map((_, column) => Math.max(...cells.map((row) => width(row[column] ?? ''))))
  const last = header.length - 1
  const {chalk, cellStyle} = options
  return cells
    .map((row, index) =>
      row
        .map((text, column) => {
          const style = chalk === undefined ? undefined : index === 0 ? chalk.bold : cellStyle?.(column, text)
          const shown = style === undefined ? text : style(text)
          return column === last ? shown : shown + ' '.repeat(widths[column] - width(text))
        })
        .join(GAP),
    )
    .join('\n')
    .concat('\n')
}
