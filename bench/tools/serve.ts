/**
 * The benchmark's cluster for looking at one case by hand (profiling): starts bench/sim-server.ts with a
 * replayed 1,000,000-line task, prints the DCOS_URL and the task id, and runs until Ctrl-C.
 *   node --import tsx bench/tools/serve.ts [lines]
 *   DCOS_URL=… node --cpu-prof bin/run.js task log --follow --lines all TASK | head -n 1000000 >/dev/null
 */
import {startSimProcess} from '../lib/sim.js'

const lines = Number(process.argv[2] ?? 1_000_000)
const sim = await startSimProcess()
const task = await sim.synthetic(lines, 'flood')
const replay = await sim.replay(task.id)
console.log(`export DCOS_URL=${sim.url} TASK=${task.id}  # sim without the front: ${sim.simUrl}; replayed: ${replay.path}`)
await new Promise<void>((resolve) => process.once('SIGINT', resolve))
await sim.close()
