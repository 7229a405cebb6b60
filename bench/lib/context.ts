/** What the cases share within one run of the suite. */
export interface BenchContext {
  /** Fewer repetitions and shorter runs: a smoke test of the harness, not numbers to keep. */
  quick: boolean
  /** A folder for generated files, removed at the end. */
  tmp: string
  /** Median wall time of `dcos-ts --version` in this run (case 3): the "startup figure" other targets add. */
  startupMs: number
}

export const reps = (context: BenchContext, full: {warmup: number; runs: number}) =>
  context.quick ? {warmup: 1, runs: Math.min(2, full.runs)} : full
