/**
 * Waiting for a stream's next item, or for silence: what follow.ts (is the task finished?) and the task-file
 * source (did the event stream stall?) both ask. One timer per wait loop, re-armed for what is left when
 * it fires during a wait that began later, instead of a timer and an AbortController per item: a busy
 * stream delivers thousands of items a second. The timer stops when `signal` aborts.
 */

export const IDLE = Symbol('idle')

export interface Clock {
  now(): number
  /** Resolves after ms; may reject when its signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/**
 * A function that waits for `pending`, or resolves IDLE once nothing came for `idleMs()` (read at each
 * arming, so the caller may lengthen or shorten the silence it waits for).
 */
export function idleRace(idleMs: () => number, signal: AbortSignal, clock: Clock): <T>(pending: Promise<T>) => Promise<T | typeof IDLE> {
  let waitingSince = 0
  /** Resolves the current wait; a wait that already ended ignores it. */
  let wake: ((idle: typeof IDLE) => void) | undefined
  const watch = async () => {
    let delay = idleMs()
    for (;;) {
      await clock.sleep(delay, signal)
      if (signal.aborted) return
      const waited = clock.now() - waitingSince
      if (wake !== undefined && waited >= idleMs()) {
        wake(IDLE)
        wake = undefined
        delay = idleMs()
      } else delay = wake === undefined ? idleMs() : idleMs() - waited
    }
  }
  watch().catch(() => {})
  return <T>(pending: Promise<T>): Promise<T | typeof IDLE> => {
    waitingSince = clock.now()
    return new Promise<T | typeof IDLE>((resolve, reject) => {
      wake = resolve
      pending.then(resolve, reject)
    })
  }
}
