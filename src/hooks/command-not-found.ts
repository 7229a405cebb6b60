/**
 * oclif's command_not_found hook: `dcos-ts nosuch` fails like every other usage error, with one line on
 * stderr, a hint of the closest command or topic, and exit code 2. `dcos-ts help nosuch` and
 * `dcos-ts nosuch --help` end the same way (src/help.ts).
 */
import {Errors, type Hook, type Interfaces} from '@oclif/core'
import {CliError, renderError} from '../errors.js'
import {terminalSafe} from '../output/sanitize.js'

export const commandNotFound: Hook.CommandNotFound = async function ({id, config}) {
  exitUnknownCommand(id, config)
}

/** Says that `id` (words joined by ':') is no command, with the closest one as a hint, and exits 2. */
export function exitUnknownCommand(id: string, config: Interfaces.Config): never {
  // oclif joins every word before the first flag into the id: `task lgo web` is task:lgo:web.
  const typed = id.split(':')
  // A hidden command (task names, for the completion scripts) is never suggested.
  const commands = config.commands.filter((command) => !command.hidden).map((command) => command.id)
  const known = [...commands, ...config.topics.map((topic) => topic.name)].map((name) => name.split(':'))
  const closest = closestCommand(typed, known)
  let hint = `see \`${config.bin} --help\``
  if (closest !== undefined) {
    const words = closest.join(' ')
    hint = closest.every((word, i) => word === typed[i]) ? `see \`${config.bin} ${words} --help\`` : `did you mean \`${config.bin} ${words}\`?`
  }
  const error = new CliError('usage', `'${typed.join(' ')}' is not a ${config.bin} command`, {hint})
  process.stderr.write(terminalSafe(renderError(error, false)))
  return Errors.exit(error.exitCode)
}

/**
 * The known command or topic (as words) that the first words typed are a small edit away from: the one
 * of the most words, then the fewest edits. Undefined when none is close.
 */
export function closestCommand(typed: string[], known: string[][]): string[] | undefined {
  let best: {words: string[]; edits: number} | undefined
  for (const words of known) {
    if (words.length > typed.length) continue
    const name = words.join(' ')
    const edits = editDistance(typed.slice(0, words.length).join(' '), name)
    if (edits > Math.max(1, Math.floor(name.length / 5))) continue
    if (best === undefined || words.length > best.words.length || (words.length === best.words.length && edits < best.edits)) {
      best = {words, edits}
    }
  }
  return best?.words
}

/** Edits from a to b: insertions, deletions, substitutions, and swaps of two neighbours (lgo, log). */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: edits from a's first i characters to b's first j (optimal string alignment).
  const rows = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1]
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (same ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1)
    }
  }
  return rows[a.length][b.length]
}
