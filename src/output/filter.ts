/**
 * `--include REGEX` / `--exclude REGEX` (both repeatable): one predicate on the message, applied before
 * formatting in every output mode, so text, NDJSON and the live view show the same lines.
 */
import {CliError} from '../errors.js'

export type LineFilter = (message: string) => boolean

/** Compiles a repeatable regex flag; a bad pattern is a usage error naming the flag. */
export function compilePatterns(flag: string, sources: readonly string[]): RegExp[] {
  return sources.map((source) => {
    try {
      return new RegExp(source, 'u')
    } catch (error) {
      throw new CliError('usage', `--${flag} ${JSON.stringify(source)} is not a valid regular expression: ${(error as Error).message}`)
    }
  })
}

/** A RegExp with the g or y flag keeps lastIndex between test() calls and would skip matches. */
function stateless(pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern
}

function matchesAny(patterns: readonly RegExp[], text: string): boolean {
  for (const pattern of patterns) if (pattern.test(text)) return true
  return false
}

/**
 * A line passes when it matches at least one include pattern (if any are given) and no exclude pattern.
 * Undefined when there are no patterns, so callers skip the call per line altogether.
 */
export function createLineFilter(include: readonly RegExp[], exclude: readonly RegExp[]): LineFilter | undefined {
  if (include.length === 0 && exclude.length === 0) return undefined
  const includes = include.map(stateless)
  const excludes = exclude.map(stateless)
  return (message) => {
    if (includes.length > 0 && !matchesAny(includes, message)) return false
    return !matchesAny(excludes, message)
  }
}
