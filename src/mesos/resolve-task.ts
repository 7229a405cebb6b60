/**
 * Which tasks a TASK argument means. The stages, first one that matches anything wins:
 *
 *   1. id:        the exact task id. All tasks with that id (ids are unique only per framework), so an exact
 *                 id never also drags in `app.10`, `app.11` when `app.1` was meant.
 *   2. name:      tasks whose name is the pattern: `web` means every instance `web.<uuid>` of the app `web`
 *                 (Marathon names tasks after the app), not `webhook.<uuid>`.
 *   3. substring: tasks whose id contains the pattern (a uuid prefix, `kafka-0`), like both DC/OS CLIs.
 *   4. glob:      the pattern as a shell wildcard (`*`, `?`, `[abc]`, `[!abc]`) over the whole id, like the
 *                 Python CLI's fnmatchcase and the Go CLI's gobwas/glob (no path separators: task ids are not
 *                 paths). A tiny translation to a RegExp rather than picomatch, whose path rules (`*` stops
 *                 at `/`, leading dots, braces and extglobs) would surprise on ids with those characters.
 *
 * Matching is case-sensitive and only within the scope asked for (running by default); when nothing in scope
 * matches, the error says how many tasks outside it would, and which flag reaches them.
 */
import {CliError} from '../errors.js'
import {isRunningTask, type MasterState, type MesosTask, type TaskName} from './state.js'

export interface TaskScope {
  /** Tasks that may still run (isRunningTask). */
  running: boolean
  /** Finished tasks: completed lists, completed frameworks, terminal states. */
  completed: boolean
}

export type MatchStage = 'id' | 'name' | 'substring' | 'glob'

export interface TaskResolution {
  /** In master-state order; never empty. */
  matches: MesosTask[]
  /** How they matched: 'id' or 'name' mean the user named them exactly. */
  stage: MatchStage
}

const GLOB_CHARACTERS = /[*?[]/

export function inScope(task: MesosTask, scope: TaskScope): boolean {
  return isRunningTask(task) ? scope.running : scope.completed
}

/**
 * True when a task could match the pattern at some stage: the `keep` predicate for reading master state,
 * so that only those tasks are decoded and kept (both scopes: the error hint counts the other one).
 */
export function taskMatcher(pattern: string): (task: TaskName) => boolean {
  const glob = GLOB_CHARACTERS.test(pattern) ? globToRegExp(pattern) : undefined
  return (task) => task.id.includes(pattern) || task.name === pattern || (glob !== undefined && glob.test(task.id))
}

/** The tasks a pattern means within the scope; a 'not-found' CliError (with a hint) when there are none. */
export function resolveTasks(state: MasterState, pattern: string, scope: TaskScope): TaskResolution {
  if (pattern === '') throw new CliError('usage', 'the TASK pattern is empty', {hint: 'give a task id, name or wildcard pattern'})
  const found = matchTasks(
    state.tasks.filter((task) => inScope(task, scope)),
    pattern,
  )
  if (found !== undefined) return found
  const outside = scope.running && scope.completed ? undefined : matchTasks(state.tasks.filter((task) => !inScope(task, scope)), pattern)
  throw new CliError('not-found', `no ${scopeWord(scope)}task matches '${pattern}'`, {hint: noMatchHint(scope, outside?.matches.length ?? 0)})
}

/** The test of each stage that applies to the pattern, in order. */
function stages(pattern: string): Array<[MatchStage, (task: TaskName) => boolean]> {
  const list: Array<[MatchStage, (task: TaskName) => boolean]> = [
    ['id', (task) => task.id === pattern],
    ['name', (task) => task.name === pattern],
    ['substring', (task) => task.id.includes(pattern)],
  ]
  if (GLOB_CHARACTERS.test(pattern)) {
    const glob = globToRegExp(pattern)
    list.push(['glob', (task) => glob.test(task.id)])
  }
  return list
}

/**
 * Whether a task matches the pattern the way the resolved ones did: a task started later belongs to a
 * follow of `web` if its name is `web` (the stage was 'name'), not if only its id contains `web`.
 */
export function stageMatcher(pattern: string, stage: MatchStage): (task: TaskName) => boolean {
  const found = stages(pattern).find(([candidate]) => candidate === stage)
  return found?.[1] ?? (() => false)
}

function matchTasks(tasks: MesosTask[], pattern: string): TaskResolution | undefined {
  for (const [stage, matches] of stages(pattern)) {
    const found = tasks.filter(matches)
    if (found.length > 0) return {matches: found, stage}
  }
  return undefined
}

function scopeWord(scope: TaskScope): string {
  if (scope.running && scope.completed) return ''
  return scope.running ? 'running ' : 'completed '
}

function noMatchHint(scope: TaskScope, outside: number): string {
  const tasks = (state: string) => `${outside} ${state} task${outside === 1 ? ' matches' : 's match'}`
  if (outside > 0 && scope.running) return `${tasks('completed')}: run with --completed`
  if (outside > 0) return `${tasks('running')}: run without --completed`
  return scope.running && !scope.completed ? "'dcos-ts task list' shows the running tasks" : "'dcos-ts task list --all' shows every task"
}

/**
 * One line naming the running tasks by name, most instances first ("web (3), db, broker-0 and 12 more"),
 * for the error of a command run without TASK: names are what an operator types next.
 */
export function summarizeRunningTasks(state: MasterState, max = 8): string {
  const counts = new Map<string, number>()
  for (const task of state.tasks) {
    if (isRunningTask(task)) counts.set(task.name || task.id, (counts.get(task.name || task.id) ?? 0) + 1)
  }
  if (counts.size === 0) return 'no tasks are running'
  const names = [...counts].sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
  const shown = names.slice(0, max).map(([name, count]) => (count > 1 ? `${name} (${count})` : name))
  const more = names.length > max ? ` and ${names.length - max} more` : ''
  return `running tasks: ${shown.join(', ')}${more}`
}

/** A shell wildcard as an anchored RegExp: `*` any run, `?` one character, `[...]`/`[!...]` a set. */
export function globToRegExp(pattern: string): RegExp {
  let source = ''
  const characters = [...pattern] // code points: `?` is one character, even outside the BMP
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index]
    if (character === '*') {
      source += '.*'
    } else if (character === '?') {
      source += '.'
    } else if (character === '[') {
      const set = characterSet(characters, index)
      if (set === undefined) {
        source += '\\['
      } else {
        source += set.source
        index = set.end
      }
    } else {
      source += escapeRegExp(character)
    }
  }
  try {
    return new RegExp(`^${source}$`, 'su')
  } catch {
    throw new CliError('usage', `'${pattern}' is not a valid wildcard pattern`, {hint: 'a set like [z-a] has its range backwards'})
  }
}

/** `[...]` starting at index as a RegExp class, and the index of its `]`; undefined when it never closes. */
function characterSet(characters: string[], index: number): {source: string; end: number} | undefined {
  let at = index + 1
  const negated = characters[at] === '!' || characters[at] === '^'
  if (negated) at++
  let members = ''
  // A `]` right after the opening (or the `!`) is a member, as in fnmatch.
  for (let first = true; at < characters.length; at++, first = false) {
    const character = characters[at]
    if (character === ']' && !first) return {source: `[${negated ? '^' : ''}${members}]`, end: at}
    members += character === '-' && !first && characters[at + 1] !== ']' ? '-' : escapeClassMember(character)
  }
  return undefined
}

function escapeRegExp(character: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(character) ? `\\${character}` : character
}

function escapeClassMember(character: string): string {
  return /[\\\]^-]/.test(character) ? `\\${character}` : character
}
