/**
 * Repeats: a warm-up, then rounds in which every contender runs once in turn (baseline, then the CLI,
 * …), so a noisy stretch of the machine hits all of them rather than one.
 */
import {runMeasured, type RunResult, type RunSpec} from './process.js'

export interface Contender {
  name: string
  spec: RunSpec
  /** Throws when a run did not do what it should (wrong line count, an error exit). */
  check?: (result: RunResult) => void
}

export async function rounds(contenders: Contender[], options: {warmup: number; runs: number}): Promise<Map<string, RunResult[]>> {
  const results = new Map<string, RunResult[]>(contenders.map((c) => [c.name, []]))
  for (let round = 0; round < options.warmup + options.runs; round++) {
    for (const contender of contenders) {
      const result = await runMeasured(contender.spec)
      try {
        contender.check?.(result)
      } catch (error) {
        throw new Error(`${contender.name}: ${(error as Error).message}\nstderr: ${result.stderr.slice(0, 2000)}`)
      }
      if (round >= options.warmup) results.get(contender.name)!.push(result)
    }
  }
  return results
}

/** A check: the process exited 0 (or was stopped by the harness on purpose) and printed `lines` lines. */
export function expectLines(lines: number, stopped = false): (result: RunResult) => void {
  return (result) => {
    if (result.timedOut) throw new Error('timed out')
    if (!stopped && result.code !== 0) throw new Error(`exit code ${result.code}`)
    if (result.lines !== lines) throw new Error(`${result.lines} lines, expected ${lines}`)
  }
}
