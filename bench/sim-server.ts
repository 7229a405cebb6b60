/**
 * The simulated cluster in its own process, so its CPU is never counted against the client (or the
 * harness). Driven over stdin/stdout, one JSON object a line:
 *   argv[2]: SimOptions as JSON (statePath, streamTaskCount, …); prints {"url": …} once listening.
 *   in  {"id": n, "op": "synthetic", "lines": N, "name"?: s}        out {"id": n, "result": SimTask}
 *   in  {"id": n, "op": "finish", "taskId": s}                       out {"id": n, "result": true}
 *   in  {"id": n, "op": "fault", "fault": Fault}                     out {"id": n, "result": true}
 *   in  {"id": n, "op": "tick", "taskIds": [s], "perSecond": r}      out {"id": n, "result": true}
 *       every 1/r s each task gets one line `tick <seq> <Date.now()> <taskId>` (seq from 1), so a reader
 *       can tell a lost line (a gap in seq) and the lag (arrival minus the stamped time)
 *   in  {"id": n, "op": "stop-tick"}                                 out {"id": n, "result": {lines per task}}
 * Ends (closing the sim) when stdin closes.
 */
import {createInterface} from 'node:readline'
import {startSim, type Fault, type SimOptions} from '../src/sim/index.js'

const options = JSON.parse(process.argv[2] ?? '{}') as SimOptions
const sim = await startSim(options)
process.stdout.write(`${JSON.stringify({url: sim.url})}\n`)

let ticker: NodeJS.Timeout | undefined
let ticks = 0

type Request = {id: number; op: string; [key: string]: unknown}

function handle(request: Request): unknown {
  switch (request.op) {
    case 'synthetic':
      return sim.addSyntheticTask({lines: request.lines as number, name: request.name as string | undefined})
    case 'finish':
      sim.finishTask(request.taskId as string)
      return true
    case 'fault':
      sim.inject(request.fault as Fault)
      return true
    case 'tick': {
      const taskIds = request.taskIds as string[]
      ticks = 0
      ticker = setInterval(() => {
        ticks++
        const now = Date.now()
        for (const taskId of taskIds) sim.appendLines(taskId, [`tick ${ticks} ${now} ${taskId}`])
      }, 1000 / (request.perSecond as number))
      return true
    }
    case 'stop-tick':
      clearInterval(ticker)
      return ticks
    default:
      throw new Error(`unknown op ${request.op}`)
  }
}

const input = createInterface({input: process.stdin})
input.on('line', (line) => {
  const request = JSON.parse(line) as Request
  try {
    process.stdout.write(`${JSON.stringify({id: request.id, result: handle(request)})}\n`)
  } catch (error) {
    process.stdout.write(`${JSON.stringify({id: request.id, error: (error as Error).message})}\n`)
  }
})
input.on('close', () => {
  clearInterval(ticker)
  void sim.close().then(() => process.exit(0))
})
