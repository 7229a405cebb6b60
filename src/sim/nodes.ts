import {AGENT_UNITS, MASTER_UNITS, PUBLIC_AGENT_UNITS, journalMessage, unitIdentifier} from './content.js'
import {HISTORY_END_MS, type Json, type SimTask} from './cluster-model.js'
import {Journal, type JournalEntryInput} from './journal.js'
import {Rng, hash64} from './random.js'
import type {LogNode} from './world.js'

/** The nodes running dcos-log, each with a journal holding an hour of generated unit history. */

const HISTORY_ENTRIES_PER_UNIT = 30

function seededRng(seed: number, key: string): Rng {
  return new Rng(Number.parseInt(hash64(`${seed}:${key}`).slice(0, 8), 16))
}

export function makeNode(seed: number, role: 'master' | 'agent', mesosId: string, ip: string, units: string[]): LogNode {
  const rng = seededRng(seed, mesosId)
  const journal = new Journal({
    hostname: ip,
    machineId: rng.hex(32),
    bootId: rng.hex(32),
    seqnumId: rng.hex(32),
    bootRealtimeUs: (HISTORY_END_MS - 2 * 86_400_000) * 1000,
  })
  const history: Array<[number, JournalEntryInput]> = []
  const hourAgo = HISTORY_END_MS - 3_600_000
  for (const [n, unit] of units.entries()) {
    const fields = {SYSLOG_IDENTIFIER: 'systemd', _PID: '1', UNIT: unit}
    history.push([hourAgo + n * 10, {unit: 'init.scope', message: `Started ${unitIdentifier(unit)} (${unit}).`, fields}])
  }
  const total = HISTORY_ENTRIES_PER_UNIT * units.length
  for (let n = 0; n < total; n++) {
    const unit = rng.pick(units)
    const {message, priority} = journalMessage(rng, unit)
    history.push([hourAgo + 1000 + Math.floor((n * 3_590_000) / total), {unit, message, priority, fields: {SYSLOG_IDENTIFIER: unitIdentifier(unit)}}])
  }
  history.sort((a, b) => a[0] - b[0])
  for (const [ms, input] of history) journal.add(input, ms * 1000)
  return {role, mesosId, ip, journal}
}

export function agentUnits(agent: Json): string[] {
  return agent.attributes?.public_ip === 'true' ? PUBLIC_AGENT_UNITS : AGENT_UNITS
}

export {MASTER_UNITS}

/**
 * The journald container logger (DC/OS 1.9/1.10 with logging v1): task output lines become agent journal
 * entries carrying the task's ids, which the v1 `framework/…/executor/…/container/…` routes filter on.
 */
export function journalTaskLines(node: LogNode, task: SimTask, file: string, lines: string[], realtimeUs?: number): void {
  const stream = file === 'stderr' ? 'STDERR' : 'STDOUT'
  const containerId = task.parentContainerId === undefined ? task.containerId : `${task.parentContainerId}.${task.containerId}`
  const unit = node.journal.entries.find((e) => /mesos-slave/.test(e.fields._SYSTEMD_UNIT ?? ''))?.fields._SYSTEMD_UNIT ?? 'dcos-mesos-slave.service'
  for (const line of lines) {
    node.journal.add(
      {
        unit,
        message: line,
        fields: {
          SYSLOG_IDENTIFIER: task.name || task.id,
          CONTAINER_ID: containerId,
          FRAMEWORK_ID: task.frameworkId,
          EXECUTOR_ID: task.executorId,
          AGENT_ID: task.agentId,
          STREAM: stream,
        },
      },
      realtimeUs,
    )
  }
}
