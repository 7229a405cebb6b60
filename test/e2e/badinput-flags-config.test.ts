/**
 * Bad input catalogue, part 1: flag misuse and bad configuration. Each case runs the built CLI the way a
 * user would and checks what the user sees: exactly one line on stderr starting `Error: ` (no stack
 * frames), nothing on stdout, and the documented exit code (EXIT_CODES). Flags are checked before
 * anything is fetched, so most cases need no cluster; the few that do read the simulated one.
 */
import assert from 'node:assert/strict'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import type {ErrorKind} from '../../src/errors.js'
import {startSim, type Sim} from '../../src/sim/index.js'
import {makeTempHome, runCli, writeClusters, SPAWNS_AT_ONCE} from '../helpers/cli.js'
import {assertOneLineError} from '../helpers/errors.js'

/** One line, `Error: ` first, no stack trace, nothing on stdout, the kind's exit code. */
/** A cluster URL where nothing listens: flags must fail before anything connects. */
const NOWHERE = 'http://127.0.0.1:9'

let sim: Sim
let webId: string
let scratch: string

before(async () => {
  sim = await startSim()
  webId = sim.tasks().find((task) => task.name === 'web' && task.state === 'TASK_RUNNING')?.id ?? ''
  scratch = await mkdtemp(join(tmpdir(), 'dcos-ts-badinput-'))
})
after(async () => {
  await sim.close()
  await rm(scratch, {recursive: true, force: true})
})

interface FlagCase {
  name: string
  args: () => string[]
  kind: ErrorKind
  message: RegExp
  /** Needs the simulated cluster (default: a URL where nothing listens). */
  cluster?: boolean
  env?: Record<string, string>
}

const task = () => webId

const FLAG_CASES: FlagCase[] = [
  {name: '--lines that is not a number', args: () => ['task', 'log', task(), '--lines', 'abc'], kind: 'usage', message: /invalid value for --lines: 'abc' is not a whole number/},
  {name: '--lines with a fraction', args: () => ['task', 'log', task(), '--lines', '1.5'], kind: 'usage', message: /--lines: '1\.5' is not a whole number/},
  {name: '--lines without a value', args: () => ['task', 'log', task(), '--lines'], kind: 'usage', message: /--lines expects a value/},
  {name: 'node log --lines that is not a number', args: () => ['node', 'log', '--lines', '10x'], kind: 'usage', message: /--lines: '10x' is not a whole number/},
  // oclif says an exclusive pair twice, once each way round ("The following errors occurred: ..."): said once.
  {name: 'conflicting --completed and --all', args: () => ['task', 'log', task(), '--completed', '--all'], kind: 'usage', message: /^Error: --completed and --all cannot be used together \(see `dcos-ts task log --help`\)$/m},
  {name: 'conflicting --all and --completed on task list', args: () => ['task', 'list', '--all', '--completed'], kind: 'usage', message: /^Error: --completed and --all cannot be used together \(see `dcos-ts task list --help`\)$/m},
  {name: 'conflicting --all and --cursor on node log', args: () => ['node', 'log', '--all', '--cursor', 'x'], kind: 'usage', message: /^Error: --all and --cursor cannot be used together \(/},
  {name: 'conflicting --password-file and --private-key', args: () => ['auth', 'login', '--password-file', 'p', '--private-key', 'k'], kind: 'usage', message: /^Error: --password-file and --private-key cannot be used together \(/},
  {name: 'conflicting --url and --cluster', args: () => ['task', 'list', '--url', NOWHERE, '--cluster', 'other'], kind: 'usage', message: /--url and --cluster cannot be used together/},
  {name: 'conflicting --insecure and --ca-file', args: () => ['task', 'list', '--insecure', '--ca-file', '/dev/null'], kind: 'usage', message: /--insecure and --ca-file cannot be used together/},
  {name: 'unknown task log output format', args: () => ['task', 'log', task(), '--output', 'yaml'], kind: 'usage', message: /Expected --output=yaml to be one of: text, json/},
  {name: 'unknown node log output format', args: () => ['node', 'log', '-o', 'text'], kind: 'usage', message: /Expected --output=text to be one of: short, cat, json, json-pretty/},
  {name: 'unknown colour mode', args: () => ['task', 'log', task(), '--color', 'sometimes'], kind: 'usage', message: /Expected --color=sometimes to be one of: auto, always, never/},
  {name: 'bad --include regex', args: () => ['task', 'log', task(), '--include', '(['], kind: 'usage', message: /--include "\(\[" is not a valid regular expression/},
  {name: 'bad --exclude regex', args: () => ['node', 'log', '--exclude', '*oops'], kind: 'usage', message: /--exclude "\*oops" is not a valid regular expression/},
  {name: 'bad --since duration', args: () => ['node', 'log', '--since', 'yesterday'], kind: 'usage', message: /--since: 'yesterday' is neither a duration nor an RFC 3339 time/},
  {name: 'bad --until duration', args: () => ['node', 'log', '--since', '1h', '--until', '5parsecs'], kind: 'usage', message: /--until: '5parsecs' is neither a duration/},
  {name: 'bad --timeout', args: () => ['task', 'list', '--timeout', 'soon'], kind: 'usage', message: /--timeout: expected a positive number of seconds, got 'soon'/},
  {name: 'zero --timeout', args: () => ['task', 'list', '--timeout', '0'], kind: 'usage', message: /--timeout: expected a positive number of seconds, got '0'/},
  {name: '--max-streams below 1', args: () => ['task', 'log', task(), '--max-streams', '0'], kind: 'usage', message: /--max-streams: Expected an integer greater than or equal to 1/},
  {name: '--interval that is not a number', args: () => ['task', 'log', task(), '--interval', 'fast'], kind: 'usage', message: /--interval: Expected an integer but received: fast/},
  {name: '--filter without FIELD:VALUE', args: () => ['node', 'log', '--filter', 'nocolon'], kind: 'usage', message: /--filter "nocolon" must be KEY:VALUE/},
  {name: 'an unknown flag', args: () => ['task', 'log', task(), '--bogus'], kind: 'usage', message: /Nonexistent flag: --bogus/},
  {name: 'an extra argument', args: () => ['task', 'log', task(), 'stdout', 'extra'], kind: 'usage', message: /Unexpected argument: extra/},
  {name: '--url that is not a URL', args: () => ['task', 'list', '--url', 'not a url'], kind: 'usage', message: /'not a url' \(flag --url\) is not a URL/},
  {name: '--url that is not http(s)', args: () => ['task', 'list', '--url', 'ftp://dcos.example.com'], kind: 'usage', message: /is not an http or https URL/},
  {name: 'cluster setup without a URL', args: () => ['cluster', 'setup'], kind: 'usage', message: /Missing 1 required arg: url/},
  {name: 'cluster setup --name sim (reserved)', args: () => ['cluster', 'setup', NOWHERE, '--name', 'sim'], kind: 'usage', message: /the name 'sim' is reserved: --cluster sim is the built-in simulated cluster \(choose another --name\)/},
  {name: 'auth logout --cluster sim', args: () => ['auth', 'logout', '--cluster', 'sim'], kind: 'usage', message: /^Error: cannot log out of the built-in simulated cluster \(--cluster sim\): .*`dcos-ts sim --auth`/},
  {name: 'a bad flag of the sim command', args: () => ['sim', '--port', 'abc'], kind: 'usage', message: /^Error: invalid value for --port: Expected an integer but received: abc \(see `dcos-ts sim --help`\)$/m},
  {name: 'a flag help does not have', args: () => ['help', '--nosuch'], kind: 'usage', message: /^Error: Nonexistent flag: --nosuch \(see `dcos-ts help --help`\)$/m},
  {name: 'task log without a task lists the running ones', args: () => ['task', 'log'], kind: 'usage', message: /missing TASK: .*running tasks: .*web \(2\)/, cluster: true},
  {name: 'a bare --cursor with several matching tasks', args: () => ['task', 'log', 'web', '--cursor', '5'], kind: 'usage', message: /--cursor 5 does not say which task it resumes, and 2 tasks match \(give each as --cursor TASK=OFFSET/, cluster: true},
  {name: 'a task cursor with no task before =', args: () => ['task', 'log', 'web', '--cursor', '=5'], kind: 'usage', message: /--cursor '=5' names no task before '='/},
  {name: 'a task cursor whose offset is not one', args: () => ['task', 'log', 'web', '--cursor', 'web.1=x5'], kind: 'usage', message: /"x5" is not a task log cursor/},
  {name: 'a task cursor that is not a byte offset, before any request', args: () => ['task', 'log', 'web', '--cursor', '-5'], kind: 'usage', message: /"-5" is not a task log cursor/},
  {name: 'a cursor that is not a byte offset (files API)', args: () => ['task', 'log', task(), 'logs/app.log', '--cursor', 'abc'], kind: 'usage', message: /"abc" is not a task log cursor/, cluster: true},
]

describe('bad flags: one line, exit 2, nothing fetched', {concurrency: SPAWNS_AT_ONCE}, () => {
  for (const item of FLAG_CASES) {
    test(item.name, async () => {
      const result = await runCli(item.args(), {env: {DCOS_URL: item.cluster ? sim.url : NOWHERE, ...item.env}})
      assertOneLineError(result, item.kind, item.message, {emptyStdout: true})
    })
  }
})

describe('unknown commands: one line, exit 2, the closest command as a hint', {concurrency: SPAWNS_AT_ONCE}, () => {
  const cases: Array<{args: string[]; message: RegExp}> = [
    {args: ['nosuch'], message: /^Error: 'nosuch' is not a dcos-ts command \(see `dcos-ts --help`\)$/m},
    {args: ['tsk'], message: /'tsk' is not a dcos-ts command \(did you mean `dcos-ts task`\?\)/},
    {args: ['task', 'lgo', 'web', '--follow'], message: /'task lgo web' is not a dcos-ts command \(did you mean `dcos-ts task log`\?\)/},
    {args: ['task', 'nosuch'], message: /'task nosuch' is not a dcos-ts command \(see `dcos-ts task --help`\)/},
    // Help for no such command, asked any way.
    {args: ['help', 'nosuch'], message: /^Error: 'nosuch' is not a dcos-ts command \(see `dcos-ts --help`\)$/m},
    {args: ['nosuch', '--help'], message: /^Error: 'nosuch' is not a dcos-ts command \(see `dcos-ts --help`\)$/m},
    {args: ['help', 'task', 'lgo'], message: /'task lgo' is not a dcos-ts command \(did you mean `dcos-ts task log`\?\)/},
    {args: ['task', 'lgo', 'web', '-h'], message: /'task lgo web' is not a dcos-ts command \(did you mean `dcos-ts task log`\?\)/},
  ]
  for (const item of cases) {
    test(item.args.join(' '), async () => {
      assertOneLineError(await runCli(item.args), 'usage', item.message, {emptyStdout: true})
    })
  }
})

describe('-h is --help, as in the official CLI', {concurrency: SPAWNS_AT_ONCE}, () => {
  for (const words of [[], ['task'], ['task', 'log'], ['task', 'log', 'web', '--follow']]) {
    test(`dcos-ts ${[...words, '-h'].join(' ')}`, async () => {
      const short = await runCli([...words, '-h'])
      const long = await runCli([...words, '--help'])
      assert.equal(short.code, 0, short.stderr)
      assert.equal(short.stderr, '')
      assert.match(short.stdout, /^USAGE\n {2}\$ dcos-ts /m)
      assert.equal(short.stdout, long.stdout)
    })
  }
})

/** A HOME whose DC/OS CLI config holds one attached cluster with this dcos.toml text, written as is. */
async function homeWithToml(text: string): Promise<string> {
  const home = makeTempHome()
  const dir = join(home, '.dcos', 'clusters', 'c1')
  await mkdir(dir, {recursive: true, mode: 0o700})
  await writeFile(join(dir, 'dcos.toml'), text, {mode: 0o600})
  await writeFile(join(dir, 'attached'), '')
  return home
}

interface ConfigCase {
  name: string
  /** Returns the HOME to run in (kept, removed at the end) and extra arguments and environment. */
  setup: () => Promise<{home: string; args?: string[]; env?: Record<string, string>}>
  kind: ErrorKind
  message: RegExp
  /** Default `task list`. */
  command?: string[]
}

const CONFIG_CASES: ConfigCase[] = [
  {
    name: 'malformed dcos.toml',
    setup: async () => ({home: await homeWithToml('[core\ndcos_url = "http://x"\n')}),
    kind: 'config',
    message: /clusters\/c1\/dcos\.toml is not valid TOML: .*\(fix it, or remove the cluster: `dcos-ts cluster remove c1`\)/,
  },
  {
    name: 'dcos.toml without core.dcos_url',
    setup: async () => ({home: await homeWithToml('[core]\ntimeout = 5\n[cluster]\nname = "c1"\n')}),
    kind: 'config',
    message: /dcos\.toml has no core\.dcos_url/,
  },
  {
    name: 'core.dcos_url that is not a URL',
    setup: async () => ({home: await homeWithToml('[core]\ndcos_url = "dcos example com"\n')}),
    kind: 'config',
    message: /'dcos example com' .*core\.dcos_url\) is not a URL/,
  },
  {
    name: 'core.timeout that is not a number',
    setup: async () => ({home: await homeWithToml(`[core]\ndcos_url = "${NOWHERE}"\ntimeout = "soon"\n`)}),
    kind: 'config',
    message: /timeout 'soon' .*core\.timeout\) is not a positive number of seconds/,
  },
  {
    name: 'core.ssl_verify naming a CA bundle that does not exist',
    setup: async () => ({home: await homeWithToml(`[core]\ndcos_url = "${NOWHERE}"\nssl_verify = "/nonexistent/ca.pem"\n`)}),
    kind: 'config',
    message: /cannot read the CA bundle \/nonexistent\/ca\.pem .*no such file/,
  },
  {
    name: 'no cluster configured at all',
    setup: async () => ({home: makeTempHome()}),
    kind: 'config',
    message: /no cluster is configured \(run `dcos-ts cluster setup URL`/,
  },
  {
    name: 'DCOS_URL that is not a URL',
    setup: async () => ({home: makeTempHome(), env: {DCOS_URL: 'localhost:port'}}),
    kind: 'config',
    message: /'localhost:port' \(env DCOS_URL\) is not/,
  },
  {
    name: 'DCOS_TIMEOUT that is not a number',
    setup: async () => ({home: makeTempHome(), env: {DCOS_URL: NOWHERE, DCOS_TIMEOUT: 'forever'}}),
    kind: 'config',
    message: /timeout 'forever' \(env DCOS_TIMEOUT\) is not a positive number/,
  },
  {
    name: 'DCOS_CLUSTER naming no configured cluster',
    setup: async () => {
      const home = makeTempHome()
      await writeClusters(join(home, '.dcos'), [{id: 'c1', toml: {core: {dcos_url: NOWHERE}, cluster: {name: 'one'}}}])
      return {home, env: {DCOS_CLUSTER: 'two'}}
    },
    kind: 'config',
    message: /no configured cluster is named or has the id 'two' \(env DCOS_CLUSTER\) \(configured: one\)/,
  },
  {
    name: 'several attached clusters',
    setup: async () => {
      const home = makeTempHome()
      await writeClusters(join(home, '.dcos'), [
        {id: 'c1', toml: {core: {dcos_url: NOWHERE}, cluster: {name: 'one'}}, attached: true},
        {id: 'c2', toml: {core: {dcos_url: NOWHERE}, cluster: {name: 'two'}}, attached: true},
      ])
      return {home}
    },
    kind: 'config',
    message: /several clusters are attached: one, two/,
  },
  {
    name: '--ca-file that does not exist',
    setup: async () => ({home: makeTempHome(), args: ['--ca-file', join(scratch, 'missing-ca.pem')], env: {DCOS_URL: NOWHERE}}),
    kind: 'config',
    message: /cannot read the CA bundle .*missing-ca\.pem \(flag --ca-file\): no such file/,
  },
  {
    name: '--ca-file that holds no certificate',
    setup: async () => {
      const path = join(scratch, 'not-a-ca.pem')
      await writeFile(path, 'hello\n')
      return {home: makeTempHome(), args: ['--ca-file', path], env: {DCOS_URL: NOWHERE}}
    },
    kind: 'config',
    message: /the CA bundle .*not-a-ca\.pem \(flag --ca-file\) holds no PEM certificate/,
  },
  {
    name: '--token-file that does not exist',
    setup: async () => ({home: makeTempHome(), args: ['--token-file', join(scratch, 'missing-token')], env: {DCOS_URL: NOWHERE}}),
    kind: 'config',
    message: /cannot read the token file .*missing-token: no such file/,
  },
  {
    name: '--token-file that others can read',
    setup: async () => {
      const path = join(scratch, 'open-token')
      await writeFile(path, 'a-token\n', {mode: 0o644})
      return {home: makeTempHome(), args: ['--token-file', path], env: {DCOS_URL: NOWHERE}}
    },
    kind: 'config',
    message: /permissions 0644 for '.*open-token' are too open, expected 0400 or 0600 \(chmod 600/,
  },
  {
    name: '--token-file that is a folder (unreadable as a file)',
    setup: async () => ({home: makeTempHome(), args: ['--token-file', scratch], env: {DCOS_URL: NOWHERE}}),
    kind: 'config',
    message: /cannot read the token file .*: is a folder/,
  },
  {
    name: '--token-file that is empty',
    setup: async () => {
      const path = join(scratch, 'empty-token')
      await writeFile(path, '\n', {mode: 0o600})
      return {home: makeTempHome(), args: ['--token-file', path], env: {DCOS_URL: NOWHERE}}
    },
    kind: 'config',
    message: /the token file .*empty-token is empty/,
  },
  {
    name: 'auth login to a URL that is not a configured cluster',
    setup: async () => ({home: makeTempHome(), env: {DCOS_URL: NOWHERE}}),
    command: ['auth', 'login'],
    kind: 'config',
    message: /cannot log in to http:\/\/127\.0\.0\.1:9: it is not a configured cluster \(env DCOS_URL\)/,
  },
]

describe('bad configuration: one line, exit 3', {concurrency: SPAWNS_AT_ONCE}, () => {
  for (const item of CONFIG_CASES) {
    test(item.name, async () => {
      const {home, args = [], env = {}} = await item.setup()
      try {
        const result = await runCli([...(item.command ?? ['task', 'list']), ...args], {home, env})
        assertOneLineError(result, item.kind, item.message, {emptyStdout: true})
      } finally {
        await rm(home, {recursive: true, force: true})
      }
    })
  }
})
