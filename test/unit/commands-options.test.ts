/**
 * Every command's flags and arguments, parsed by oclif's own parser in this process, mapped to the options
 * its run function takes (the command's static `options`): what a user types is what the run function
 * gets, with no process spawned. Behaviour past the mapping is tested by calling the run functions.
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {type Command, Parser} from '@oclif/core'
import {DcosCommand} from '../../src/base-command.js'
import AuthLogin from '../../src/commands/auth/login.js'
import AuthLogout from '../../src/commands/auth/logout.js'
import ClusterList from '../../src/commands/cluster/list.js'
import ClusterRemove from '../../src/commands/cluster/remove.js'
import ClusterSetup from '../../src/commands/cluster/setup.js'
import ClusterShow from '../../src/commands/cluster/show.js'
import Completion from '../../src/commands/completion.js'
import NodeList from '../../src/commands/node/list.js'
import NodeListComponents from '../../src/commands/node/list-components.js'
import NodeLog from '../../src/commands/node/log.js'
import ServiceLog from '../../src/commands/service/log.js'
import TaskList from '../../src/commands/task/list.js'
import TaskLog from '../../src/commands/task/log.js'
import TaskNames from '../../src/commands/task/names.js'
import {CliError} from '../../src/errors.js'
import type {OutputOptions} from '../../src/output/choose-sink.js'
import {taskOutput} from '../helpers/output-options.js'

type AnyCommand = typeof DcosCommand & Pick<typeof Command, 'flags' | 'args'>

async function parse(command: AnyCommand, argv: string[]) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the parser's output is what each command's options take
  return (await Parser.parse(argv, {flags: {...command.baseFlags, ...command.flags}, args: command.args, strict: true})) as any
}

/** The output options of no output flags (the CLI's own default is local time), changed by `overrides`. */
const output = (overrides: Partial<OutputOptions>): OutputOptions => taskOutput({utc: false, ...overrides})

describe('commands map what is typed to their run function\'s options', () => {
  test('task log', async () => {
    assert.deepEqual(TaskLog.options(await parse(TaskLog, ['web'])), {
      pattern: 'web',
      file: 'stdout',
      scope: {running: true, completed: false},
      latest: undefined,
      window: {kind: 'tail', lines: 10},
      follow: false,
      cursors: [],
      maxStreams: 20,
      intervalMs: 1000,
      output: output({}),
      resume: {words: ['dcos-ts', 'task', 'log', 'web'], labelled: true},
    })
    const all = TaskLog.options(await parse(TaskLog, ['web', 'logs/app.log', '-n', '-100', '-f', '--cursor', '58380', '--all', '--max-streams', '3', '--interval', '200', '-o', 'json', '--color', 'never', '--include', 'ERR', '--no-tui']))
    assert.deepEqual(all, {
      pattern: 'web',
      file: 'logs/app.log',
      scope: {running: true, completed: true},
      latest: undefined,
      window: {kind: 'tail', lines: 100},
      follow: true,
      cursors: [{offset: '58380'}],
      maxStreams: 3,
      intervalMs: 200,
      output: output({format: 'json', color: 'never', follow: true, tui: false, include: [/ERR/u]}),
      resume: {
        words: ['dcos-ts', 'task', 'log', 'web', 'logs/app.log', '-f', '--all', '--max-streams', '3', '--interval', '200', '--output', 'json', '--color', 'never', '--include', 'ERR', '--no-tui'],
        labelled: true,
      },
    })
    assert.deepEqual(
      TaskLog.options(await parse(TaskLog, ['web', '--cursor', 'web.1=5', '--cursor', 'a=b.2=77', 'stderr'])).cursors,
      [{task: 'web.1', offset: '5'}, {task: 'a=b.2', offset: '77'}],
      'repeatable, TASK=OFFSET split at the last =, and not greedy: stderr stays the FILE',
    )
    assert.deepEqual(TaskLog.options(await parse(TaskLog, ['web', '--completed', '--lines', 'all'])).scope, {running: false, completed: true})
    assert.equal(TaskLog.options(await parse(TaskLog, ['web', '--completed', '--latest', '3'])).latest, 3)
  })

  test('node log', async () => {
    const options = NodeLog.options(await parse(NodeLog, ['S1', '--component', 'adminrouter', '--filter', 'priority:3', '--since', '2024-01-15T10:00:00Z', '--until', '2024-01-15T11:00:00Z', '-f', '-o', 'cat']))
    assert.deepEqual(options, {
      target: {mesosId: 'S1', leader: false},
      component: 'adminrouter',
      filters: [['PRIORITY', '3']],
      window: undefined,
      since: Date.UTC(2024, 0, 15, 10) * 1000,
      until: Date.UTC(2024, 0, 15, 11) * 1000,
      follow: true,
      cursor: undefined,
      output: output({format: 'cat', kind: 'component', follow: true}),
      resumeWords: ['dcos-ts', 'node', 'log', 'S1', '--component', 'adminrouter', '--filter', 'priority:3', '--until', '2024-01-15T11:00:00Z', '-f', '--output', 'cat'],
    })
    assert.deepEqual(NodeLog.options(await parse(NodeLog, ['--mesos-id', 'S2', '--all'])).window, {kind: 'all'})
    assert.deepEqual(NodeLog.options(await parse(NodeLog, ['--leader', '-n', '5'])).target, {mesosId: undefined, leader: true})
  })

  test('service log', async () => {
    assert.deepEqual(ServiceLog.options(await parse(ServiceLog, ['kafka', 'stderr', '-n', '3'])), {
      service: 'kafka',
      file: 'stderr',
      window: {kind: 'tail', lines: 3},
      follow: false,
      cursor: undefined,
      // `short` suits marathon's journal; a task file prints its lines as they are in every text format.
      output: output({format: 'short'}),
      resumeWords: ['dcos-ts', 'service', 'log', 'kafka', 'stderr'],
    })
  })

  test('task list, node list, node list-components', async () => {
    assert.deepEqual(TaskList.options(await parse(TaskList, ['web', '--all', '--json'])), {pattern: 'web', completed: false, all: true, json: true})
    assert.deepEqual(NodeList.options(await parse(NodeList, ['--json'])), {json: true})
    assert.deepEqual(NodeListComponents.options(await parse(NodeListComponents, ['S3'])), {target: {mesosId: 'S3', leader: false}, json: false})
  })

  test('cluster setup, list, remove, show; auth login, logout', async () => {
    assert.deepEqual(ClusterSetup.options(await parse(ClusterSetup, ['https://dcos.example.com', '--name', 'prod', '--insecure', '--timeout', '2.5', '--username', 'svc', '--private-key', 'key.pem'])), {
      url: 'https://dcos.example.com',
      name: 'prod',
      insecure: true,
      caFile: undefined,
      timeout: 2.5,
      username: 'svc',
      passwordFile: undefined,
      privateKey: 'key.pem',
      provider: undefined,
    })
    assert.deepEqual(ClusterList.options(await parse(ClusterList, ['--json', '--attached'])), {json: true, attached: true})
    assert.deepEqual(ClusterRemove.options(await parse(ClusterRemove, ['prod'])), {nameOrId: 'prod', all: false})
    assert.deepEqual(ClusterShow.options(await parse(ClusterShow, ['--check'])), {check: true, json: false})
    assert.deepEqual(AuthLogin.options(await parse(AuthLogin, ['--username', 'me', '--password-file', 'pw', '--cluster', 'sim'])), {
      username: 'me',
      passwordFile: 'pw',
      privateKey: undefined,
      provider: undefined,
      cluster: 'sim',
    })
    assert.deepEqual(AuthLogout.options(await parse(AuthLogout, ['--cluster', 'prod'])), {cluster: 'prod'})
  })

  test('task names; completion', async () => {
    assert.deepEqual(TaskNames.options(await parse(TaskNames, [])), {prefix: '', scope: {running: true, completed: false}, deadlineMs: 3000})
    assert.deepEqual(TaskNames.options(await parse(TaskNames, ['--all', '--', 'we'])), {prefix: 'we', scope: {running: true, completed: true}, deadlineMs: 3000})
    assert.deepEqual(TaskNames.options(await parse(TaskNames, ['--completed'])).scope, {running: false, completed: true})
    const config = {bin: 'dcos-ts', commands: [], topics: []}
    const parsed = await Parser.parse(['fish'], {args: Completion.args, strict: true})
    assert.deepEqual(Completion.options(parsed, config), {
      shell: 'fish',
      bin: 'dcos-ts',
      commands: [],
      topics: [],
      taskArgs: {'task:log': 'task', 'task:list': 'pattern'},
      taskNames: 'task:names',
      passedFlags: ['url', 'cluster', 'insecure', 'ca-file', 'token-file', 'completed', 'all'],
      fileFlags: ['ca-file', 'token-file', 'password-file', 'private-key', 'state'],
    })
    await assert.rejects(Parser.parse(['tcsh'], {args: Completion.args, strict: true}), /Expected tcsh to be one of: bash, zsh, fish/)
  })

  test('the cluster flags every command takes', async () => {
    const {flags} = await parse(TaskList, ['--url', 'https://c', '--cluster', 'prod', '--insecure', '--ca-file', 'ca.pem', '--timeout', '3', '--token-file', 'tok'])
    assert.deepEqual(DcosCommand.clusterFlags(flags), {url: 'https://c', cluster: 'prod', insecure: true, caFile: 'ca.pem', timeout: 3, tokenFile: 'tok'})
  })

  test('values the mapping refuses are usage errors, before any request', async () => {
    const usage = (error: unknown) => error instanceof CliError && error.kind === 'usage'
    await assert.rejects(async () => TaskLog.options(await parse(TaskLog, ['web', '--lines', 'abc'])), usage)
    await assert.rejects(async () => TaskLog.options(await parse(TaskLog, ['web', '--cursor', 'x1'])), usage)
    await assert.rejects(async () => NodeLog.options(await parse(NodeLog, ['--since', '1h', '--until', '2h'])), /--since 1h is after --until 2h/)
    await assert.rejects(async () => NodeLog.options(await parse(NodeLog, ['S1', '--mesos-id', 'S2'])), /name two different nodes/)
    await assert.rejects(async () => NodeLog.options(await parse(NodeLog, ['--filter', 'nocolon'])), usage)
    await assert.rejects(async () => parse(TaskList, ['--timeout', '0']), /invalid value for --timeout: expected a positive number of seconds/)
  })
})
