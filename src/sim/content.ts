import type {Rng} from './random.js'

/** Realistic sandbox output: access logs, levelled app logs, UTF-8, ANSI colours, blank and very long lines. */

const PATHS = ['/', '/health', '/api/v1/items', '/api/v1/items/42', '/login', '/static/app.js', '/metrics']
const AGENTS = ['curl/7.88.1', 'Mozilla/5.0 (X11; Linux x86_64)', 'kube-probe/1.27', 'Go-http-client/1.1']
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']
const ANSI: Record<string, string> = {INFO: '\u001b[32m', DEBUG: '\u001b[36m', WARN: '\u001b[33m', ERROR: '\u001b[31m'}
const WORDS = ['request', 'handled', 'cache', 'miss', 'connection', 'pool', 'worker', 'started', 'queue', 'flushed', 'retry', 'timeout']
const UNICODE = ['café ☕ prêt', 'Größe: 42 µs', '日本語のログ行', 'emoji 🚀✅ ok', 'Ελληνικά κείμενο', 'naïve résumé']

function isoTime(ms: number): string {
  return new Date(ms).toISOString()
}

/** One stdout line for a task (no trailing newline). `n` is the line's sequence number. */
export function stdoutLine(rng: Rng, app: string, n: number, timeMs: number): string {
  const roll = rng.next()
  if (roll < 0.03) return ''
  if (roll < 0.04) return `${isoTime(timeMs)} DEBUG ${app} payload=${JSON.stringify({id: n, blob: 'x'.repeat(rng.int(2000, 6000))})}`
  if (roll < 0.1) return `${isoTime(timeMs)} INFO ${app} ${rng.pick(UNICODE)} #${n}`
  if (roll < 0.5) {
    const ip = `10.0.${rng.int(0, 3)}.${rng.int(2, 254)}`
    const status = rng.pick([200, 200, 200, 201, 304, 404, 500])
    const day = new Date(timeMs).toUTCString().slice(5, 16).replaceAll(' ', '/')
    return `${ip} - - [${day}:${new Date(timeMs).toISOString().slice(11, 19)} +0000] "GET ${rng.pick(PATHS)} HTTP/1.1" ${status} ${rng.int(0, 9000)} "-" "${rng.pick(AGENTS)}"`
  }
  const level = rng.pick(LEVELS)
  const words = Array.from({length: rng.int(3, 9)}, () => rng.pick(WORDS)).join(' ')
  if (roll < 0.6) return `${ANSI[level]}${level}\u001b[0m ${isoTime(timeMs)} [${app}] ${words} (line ${n})`
  return `${isoTime(timeMs)} ${level} [${app}] ${words} (line ${n})`
}

/** One stderr line for a task. */
export function stderrLine(rng: Rng, app: string, n: number, timeMs: number): string {
  const roll = rng.next()
  if (roll < 0.2) return `I${new Date(timeMs).toISOString().slice(5, 23).replace('T', ' ')} ${rng.int(1, 99)} exec.cpp:${rng.int(100, 999)}] Executor registered on agent`
  if (roll < 0.3) return `W${new Date(timeMs).toISOString().slice(5, 23).replace('T', ' ')} ${app} retrying (attempt ${n})`
  return `${isoTime(timeMs)} ${app}: ${Array.from({length: rng.int(2, 6)}, () => rng.pick(WORDS)).join(' ')}`
}

/** The lines Mesos' executor writes at the start of a sandbox's stderr. */
export function executorPreamble(taskId: string, sandboxDir: string): string[] {
  return [
    `I1114 22:13:20.000000  1 fetcher.cpp:562] Fetcher Info: {"cache_directory":"\\/tmp\\/mesos\\/fetch\\/nobody","items":[]}`,
    `I1114 22:13:20.100000  1 exec.cpp:162] Version: 1.11.0`,
    `I1114 22:13:20.200000  1 exec.cpp:236] Executor registered on agent`,
    `Received SUBSCRIBED event`,
    `Subscribed executor on ${sandboxDir.split('/')[8] ?? 'agent'}`,
    `Received LAUNCH event`,
    `Starting task ${taskId}`,
  ]
}

const UNIT_MESSAGES: Record<string, {identifier: string; messages: string[]}> = {
  'dcos-adminrouter.service': {identifier: 'nginx', messages: ['[notice] 42#0: signal process started', '127.0.0.1 - - "GET /mesos/master/state HTTP/1.1" 200 8123', '[warn] 42#0: *17 an upstream response is buffered to a temporary file', 'Authenticated request from uid bootstrapuser']},
  'dcos-adminrouter-agent.service': {identifier: 'nginx', messages: ['[notice] 11#0: using the "epoll" event method', '"GET /system/v1/logs/v2/task HTTP/1.1" 200', '[info] 11#0: *3 client closed connection']},
  'dcos-mesos-master.service': {identifier: 'mesos-master', messages: ['I1114 master.cpp:9181] Sending offers to framework', 'I1114 master.cpp:4172] Processing ACCEPT call for offers', 'I1114 master.cpp:11211] Updating the state of task TASK_RUNNING', 'W1114 master.cpp:2811] Agent heartbeat slow', 'I1114 http.cpp:1115] HTTP GET for /master/state from 10.0.0.1']},
  'dcos-mesos-slave.service': {identifier: 'mesos-agent', messages: ['I1114 slave.cpp:2356] Launching task for framework', 'I1114 containerizer.cpp:1396] Starting container', 'I1114 slave.cpp:5800] Handling status update TASK_RUNNING', 'I1114 gc.cpp:95] Scheduling sandbox for gc in 2days']},
  'dcos-mesos-slave-public.service': {identifier: 'mesos-agent', messages: ['I1114 slave.cpp:2356] Launching task for framework', 'I1114 slave.cpp:5800] Handling status update TASK_RUNNING']},
  'dcos-marathon.service': {identifier: 'marathon', messages: ['[2023-11-14 22:13:20,000] INFO  Received status update for task (mesosphere.marathon.core.task.update.impl.TaskStatusUpdateProcessorImpl)', 'INFO  Deployment finished', 'WARN  Offer did not match: insufficient cpus', 'INFO  Leader elected']},
  'dcos-metronome.service': {identifier: 'metronome', messages: ['INFO  Job run started', 'INFO  Job run finished: Success', 'INFO  Scheduling next run']},
  'dcos-exhibitor.service': {identifier: 'java', messages: ['INFO  com.netflix.exhibitor.core.activity.ActivityLog  Automatic Instance Management will change the server list', 'INFO  ZooKeeper Server: serving']},
  'dcos-log-master.service': {identifier: 'dcos-log', messages: ['time="2023-11-14T22:13:20Z" level=info msg="Starting dcos-log on socket"', 'level=warning msg="Token not found in request"']},
  'dcos-log-agent.service': {identifier: 'dcos-log', messages: ['time="2023-11-14T22:13:20Z" level=info msg="Starting dcos-log on socket"']},
  'dcos-net.service': {identifier: 'dcos-net', messages: ['[info] lashup gm: node joined', '[notice] dns: zone updated', '[warning] l4lb: backend unreachable']},
  'dcos-diagnostics.service': {identifier: 'dcos-diagnostics', messages: ['level=info msg="Updating health report"', 'level=info msg="Unit health check passed"']},
  'docker.service': {identifier: 'dockerd', messages: ['level=info msg="Container started"', 'level=info msg="ignoring event" module=libcontainerd']},
}

export const MASTER_UNITS = ['dcos-adminrouter.service', 'dcos-mesos-master.service', 'dcos-marathon.service', 'dcos-metronome.service', 'dcos-exhibitor.service', 'dcos-log-master.service', 'dcos-net.service', 'dcos-diagnostics.service']
export const AGENT_UNITS = ['dcos-adminrouter-agent.service', 'dcos-mesos-slave.service', 'dcos-log-agent.service', 'dcos-net.service', 'dcos-diagnostics.service', 'docker.service']
export const PUBLIC_AGENT_UNITS = ['dcos-adminrouter-agent.service', 'dcos-mesos-slave-public.service', 'dcos-log-agent.service', 'dcos-net.service', 'dcos-diagnostics.service', 'docker.service']

export function unitIdentifier(unit: string): string {
  return UNIT_MESSAGES[unit]?.identifier ?? unit.replace(/\.service$/, '')
}

/** A journal message for a unit, with a journald PRIORITY (3 err, 4 warning, 6 info). */
export function journalMessage(rng: Rng, unit: string): {message: string; priority: number} {
  const messages = UNIT_MESSAGES[unit]?.messages ?? [`${unit} heartbeat`]
  const message = rng.pick(messages)
  const priority = /\bW\d|WARN|warn/.test(message) ? 4 : rng.next() < 0.03 ? 3 : 6
  return {message, priority}
}
