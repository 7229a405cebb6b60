/**
 * `dcos-ts service log SERVICE [FILE]`: the log of a service's scheduler. Marathon and Metronome run on
 * the masters as systemd units, so theirs is the leading master's journal (node log). Any other service's
 * scheduler is a Marathon app, found by its DCOS_PACKAGE_FRAMEWORK_NAME label (also on its Mesos tasks,
 * for clusters where Marathon cannot be asked), or, for a framework registered under that name, the app
 * of the same name; its one running task is then read exactly as `task log` reads it.
 */
import {CliError} from '../errors.js'
import type {HttpClient} from '../cluster/http.js'
import type {LogWindow} from '../logs/sources/window.js'
import {fetchClusterVersion} from '../logs/transport.js'
import {fetchMasterState} from '../mesos/master.js'
import {isRecord, isRunningTask, type MasterState, type MesosTask, type TaskName} from '../mesos/state.js'
import type {OutputOptions} from '../output/choose-sink.js'
import type {Deps} from '../deps.js'
import {optionalJson} from '../cluster/optional-json.js'
import {readJournal} from '../read/journal-sources.js'
import {readTaskLogs} from '../read/task-sources.js'

export interface ServiceLogOptions {
  /** undefined lists the services in a usage error. */
  service?: string
  /** A sandbox file of the scheduler's task (default stdout); invalid for marathon and metronome. */
  file?: string
  window: LogWindow
  follow: boolean
  cursor?: string
  /** Its kind is set here: a journal for marathon and metronome, a task file otherwise. */
  output: OutputOptions
  /** The command as typed, for the resume line. */
  resumeWords: string[]
}

export const FRAMEWORK_LABEL = 'DCOS_PACKAGE_FRAMEWORK_NAME'

/** Services whose scheduler is a systemd unit on every master rather than a task. */
const MASTER_SERVICES = new Set(['marathon', 'metronome'])

export interface MarathonApp {
  id: string
  labels?: Record<string, string>
}

export async function runServiceLog(options: ServiceLogOptions, deps: Deps): Promise<void> {
  const {service, window, follow, cursor, resumeWords} = options
  if (service !== undefined && MASTER_SERVICES.has(service)) {
    if (options.file !== undefined) {
      throw new CliError('usage', `the <file> argument is invalid for ${service}`, {hint: `${service} runs on the masters as dcos-${service}.service: its log is a journal, not a file`})
    }
    const output = {...options.output, kind: 'component' as const}
    await readJournal({target: {leader: true, leaderOf: service === 'marathon' ? 'marathon' : 'mesos'}, component: `dcos-${service}.service`, filters: [], window, follow, cursor, output, resumeWords}, deps)
    return
  }
  const http = await deps.http()
  const {signal} = deps
  // Marathon's apps, the version and master state in one round trip. The app's task id prefix narrows what
  // is kept of master state (a big cluster's) from when the apps answer, which is small and comes first.
  let prefix: string | undefined
  const appsRead = fetchMarathonApps(http, signal).then((apps) => {
    const labelled = service === undefined ? [] : apps.filter((app) => app.labels?.[FRAMEWORK_LABEL] === service)
    if (labelled.length === 1) prefix = taskIdPrefix(labelled[0].id)
    return {apps, labelled}
  })
  const keep = (task: TaskName) => prefix === undefined || task.id.startsWith(prefix)
  const [{apps, labelled}, version, state] = await Promise.all([appsRead, fetchClusterVersion(http, signal), fetchMasterState(http, {signal, keep})])
  if (labelled.length > 1) {
    throw new CliError('usage', `${labelled.length} Marathon apps are labelled ${FRAMEWORK_LABEL}=${service}: ${labelled.map((app) => app.id).join(', ')}`, {
      hint: "read one app's task with `dcos-ts task log`",
    })
  }
  if (service === undefined) {
    throw new CliError('usage', 'missing SERVICE: name the service whose scheduler log to read', {hint: servicesHint(apps, state)})
  }
  // What was read before the apps answered is narrowed the same way.
  const tasks = schedulerTasks({...state, tasks: state.tasks.filter(keep)}, service, labelled[0]?.id)
  if (tasks.length === 0) throw noScheduler(service, labelled[0], apps, state)
  if (tasks.length > 1) {
    throw new CliError('usage', `service ${service} has ${tasks.length} running scheduler tasks: ${tasks.map((task) => task.id).join(', ')}`, {
      hint: 'read one with `dcos-ts task log <id>`',
    })
  }
  const output = {...options.output, kind: 'task' as const}
  const cursors = cursor === undefined ? [] : [{offset: cursor}]
  const resume = {words: resumeWords, labelled: false}
  await readTaskLogs(http, tasks, version, {file: options.file ?? 'stdout', window, follow, cursors, maxStreams: 1, intervalMs: 1000, output, resume}, deps)
}

/** Marathon's apps (id and labels only); none where the cluster does not serve Marathon to this account. */
export async function fetchMarathonApps(http: HttpClient, signal: AbortSignal): Promise<MarathonApp[]> {
  const body = await optionalJson(http, '/service/marathon/v2/apps', 'listing Marathon apps', signal)
  if (!isRecord(body) || !Array.isArray(body.apps)) return []
  return body.apps.filter(isRecord).flatMap((app) => {
    if (typeof app.id !== 'string') return []
    // Marathon omits labels on some versions and apps: an app without them is simply unlabelled.
    const labels = isRecord(app.labels) ? (app.labels as Record<string, string>) : undefined
    return [{id: app.id, labels}]
  })
}

/** Marathon task ids are the app id without its leading '/', '/' replaced by '_', then '.': /dev/kafka -> dev_kafka. */
export function taskIdPrefix(appId: string): string {
  return `${appId.replace(/^\/+/, '').replaceAll('/', '_')}.`
}

/**
 * The running tasks of the service's scheduler: those of its Marathon app (appId), or carrying its label
 * (Marathon copies app labels to tasks), or, for a framework registered under the service's name, those
 * of the Marathon app of that name.
 */
export function schedulerTasks(state: MasterState, service: string, appId: string | undefined): MesosTask[] {
  const registered = state.frameworks.some((framework) => framework.name === service && !framework.completed)
  const app = appId ?? (registered ? `/${service}` : undefined)
  const prefix = app === undefined ? undefined : taskIdPrefix(app)
  return state.tasks.filter((task) => isRunningTask(task) && ((prefix !== undefined && task.id.startsWith(prefix)) || task.labels?.[FRAMEWORK_LABEL] === service))
}

function noScheduler(service: string, app: MarathonApp | undefined, apps: MarathonApp[], state: MasterState): CliError {
  if (app !== undefined) return new CliError('not-found', `service ${service}: its Marathon app ${app.id} runs no task`, {hint: 'see the app in Marathon'})
  if (state.frameworks.some((framework) => framework.name === service && !framework.completed)) {
    return new CliError('not-found', `service ${service}: the framework is registered, but no running Marathon task is its scheduler`, {
      hint: 'a scheduler not started by Marathon has no log here; `dcos-ts task list` shows its tasks',
    })
  }
  return new CliError('not-found', `no service ${service}: no Marathon app is labelled ${FRAMEWORK_LABEL}=${service} and no framework has that name`, {
    hint: servicesHint(apps, state),
  })
}

/** The names service log takes: package framework names of Marathon apps and running frameworks. */
function servicesHint(apps: MarathonApp[], state: MasterState): string {
  const names = new Set<string>()
  for (const app of apps) if (app.labels?.[FRAMEWORK_LABEL]) names.add(app.labels[FRAMEWORK_LABEL])
  for (const framework of state.frameworks) if (!framework.completed) names.add(framework.name)
  return names.size === 0 ? 'the cluster runs no services' : `services: ${[...names].sort().join(', ')}`
}
