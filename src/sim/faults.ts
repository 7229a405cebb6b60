/**
 * Fault injection: each fault applies to the next requests it matches, then wears off.
 * Matching is by request tag (what kind of endpoint) or by path prefix.
 */

export type FaultMatch =
  | 'any'
  | 'stream' // any event stream
  | 'task-stream'
  | 'component-stream'
  | 'task' // task discovery and agent task routes, text or stream
  | 'discovery'
  | 'component'
  | 'state' // Mesos master state endpoints
  | 'files' // Mesos agent files API
  // The Operator API event stream (SUBSCRIBE). Only faults that name it (this, or a path prefix such as
  // '/mesos/api/v1') reach it: it runs beside the log streams a client follows, and a fault meant for
  // those ('any', 'stream', …) must not be used up on it.
  | 'subscribe'
  | (string & {}) // a path prefix, starting with '/'

export type Fault =
  | {kind: 'end-stream'; afterEvents: number; mode?: 'reset' | 'close'; match?: FaultMatch; times?: number}
  | {kind: 'stall'; ms: number; afterEvents?: number; match?: FaultMatch; times?: number}
  | {kind: 'status'; status: number; count?: number; match?: FaultMatch; body?: string}
  | {kind: 'delay'; ms: number; match?: FaultMatch; count?: number}
  | {kind: 'truncate'; match?: FaultMatch; bytes?: number; count?: number}
  | {kind: 'malformed-json'; match?: FaultMatch; count?: number}

export type FaultKind = Fault['kind']

interface ActiveFault {
  fault: Fault
  remaining: number
}

export interface RequestTags {
  path: string
  tags: ReadonlySet<string>
}

const KINDS = new Set<FaultKind>(['end-stream', 'stall', 'status', 'delay', 'truncate', 'malformed-json'])

/** Checks a fault given over HTTP; returns an error text or undefined. */
export function validateFault(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'fault must be an object'
  const fault = value as Record<string, unknown>
  if (!KINDS.has(fault.kind as FaultKind)) return `unknown fault kind ${String(fault.kind)}; known: ${[...KINDS].join(', ')}`
  for (const key of ['afterEvents', 'ms', 'status', 'count', 'times', 'bytes']) {
    if (fault[key] !== undefined && (typeof fault[key] !== 'number' || (fault[key] as number) < 0)) return `${key} must be a non-negative number`
  }
  if (fault.kind === 'status' && typeof fault.status !== 'number') return 'status fault needs a status'
  if ((fault.kind === 'stall' || fault.kind === 'delay') && typeof fault.ms !== 'number') return `${fault.kind} fault needs ms`
  if (fault.kind === 'end-stream' && typeof fault.afterEvents !== 'number') return 'end-stream fault needs afterEvents'
  return undefined
}

export class FaultBook {
  private active: ActiveFault[] = []

  add(fault: Fault): void {
    const uses = 'times' in fault ? fault.times : 'count' in fault ? fault.count : undefined
    this.active.push({fault, remaining: uses ?? 1})
  }

  clear(): void {
    this.active = []
  }

  list(): Fault[] {
    return this.active.map((a) => a.fault)
  }

  /** Takes (uses up once) the first fault of `kind` matching the request. */
  take<K extends FaultKind>(kind: K, request: RequestTags): Extract<Fault, {kind: K}> | undefined {
    const index = this.active.findIndex((a) => a.fault.kind === kind && matches(a.fault.match, request))
    if (index < 0) return undefined
    const active = this.active[index]
    if (--active.remaining <= 0) this.active.splice(index, 1)
    return active.fault as Extract<Fault, {kind: K}>
  }
}

function matches(match: FaultMatch | undefined, request: RequestTags): boolean {
  if (match === undefined || match === 'any') return request.tags.has('any')
  if (match.startsWith('/')) return request.path.startsWith(match)
  return request.tags.has(match)
}
