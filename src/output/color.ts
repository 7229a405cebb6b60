/**
 * The colour decision, made once per run, and the colours derived from it. chalk 5 ignores NO_COLOR and
 * sniffs process.argv, so its own detection is never used: one `new Chalk({level})` is built here from
 * `--color` > NO_COLOR > FORCE_COLOR > "is stdout a terminal".
 */
import {Chalk, type ChalkInstance} from 'chalk'

export type ColorMode = 'auto' | 'always' | 'never'

/** chalk's level: 0 none, 1 basic 16 colours, 2 256 colours, 3 truecolor. */
export type ColorLevel = 0 | 1 | 2 | 3

/**
 * FORCE_COLOR as supports-color reads it: "0"/"false" turn colour off, "1".."3" pick a level, anything else
 * ("", "true") forces basic colour. Undefined when the variable is not set.
 */
function forcedLevel(value: string | undefined): ColorLevel | undefined {
  if (value === undefined) return undefined
  if (value === '0' || value === 'false') return 0
  if (value === '1' || value === '2' || value === '3') return Number(value) as ColorLevel
  return 1
}

/** The level a terminal gets when colour is on; the palette uses only the basic 16, so 1 is enough. */
function terminalLevel(env: NodeJS.ProcessEnv): ColorLevel {
  return forcedLevel(env.FORCE_COLOR) || 1
}

export function decideColorLevel(mode: ColorMode, isTTY: boolean, env: NodeJS.ProcessEnv): ColorLevel {
  if (mode === 'never') return 0
  if (mode === 'always') return terminalLevel(env)
  // https://no-color.org: set and non-empty means no colour, whatever FORCE_COLOR says.
  if (env.NO_COLOR) return 0
  const forced = forcedLevel(env.FORCE_COLOR)
  if (forced !== undefined) return forced
  if (!isTTY || env.TERM === 'dumb') return 0
  return terminalLevel(env)
}

export function createChalk(level: ColorLevel): ChalkInstance {
  return new Chalk({level})
}

/** Stream colours: distinct on dark and light backgrounds; red is left for errors and priorities. */
const STREAM_COLORS = [
  'cyan',
  'green',
  'magenta',
  'yellow',
  'blue',
  'cyanBright',
  'greenBright',
  'magentaBright',
  'yellowBright',
  'blueBright',
] as const

/** A colour's name, as chalk (`chalk[name]`) and Ink (`<Text color={name}>`) both take it. */
export type StreamColorName = (typeof STREAM_COLORS)[number]

/** The colour a stream id hashes to (FNV-1a), so a task tends to keep its colour from run to run. */
function preferredColor(id: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % STREAM_COLORS.length
}

/**
 * A colour per stream, for as long as it lives (reconnects included). Streams tell apart while colours last:
 * a stream takes the colour its id hashes to or, when an earlier stream has that one, the next free one;
 * past ten streams colours repeat (the hashed one again).
 */
export class StreamColors {
  private readonly assigned = new Map<string, StreamColorName>()
  private readonly taken = new Set<StreamColorName>()

  of(id: string): StreamColorName {
    let color = this.assigned.get(id)
    if (color !== undefined) return color
    const preferred = preferredColor(id)
    color = STREAM_COLORS[preferred]
    for (let step = 0; step < STREAM_COLORS.length; step++) {
      const candidate = STREAM_COLORS[(preferred + step) % STREAM_COLORS.length]
      if (!this.taken.has(candidate)) {
        color = candidate
        break
      }
    }
    this.taken.add(color)
    this.assigned.set(id, color)
    return color
  }
}

/**
 * journald priorities as journalctl shows them: 0-3 (emerg..err) red, 4 (warning) yellow, 5 (notice)
 * bright, 7 (debug) dim; 6 (info) and unknown values stay plain (undefined).
 */
export function priorityColor(chalk: ChalkInstance, priority: string | undefined): ChalkInstance | undefined {
  switch (priority) {
    case '0':
    case '1':
    case '2':
    case '3':
      return chalk.red
    case '4':
      return chalk.yellow
    case '5':
      return chalk.bold
    case '7':
      return chalk.dim
    default:
      return undefined
  }
}
