/**
 * Every command, by oclif id: the target of oclif's `explicit` command strategy (package.json
 * "oclif".commands), so the bundle (scripts/bundle.js) holds them all and oclif finds them without a
 * directory scan or a module per command.
 */
import AuthLogin from './commands/auth/login.js'
import AuthLogout from './commands/auth/logout.js'
import ClusterAttach from './commands/cluster/attach.js'
import ClusterList from './commands/cluster/list.js'
import ClusterRemove from './commands/cluster/remove.js'
import ClusterSetup from './commands/cluster/setup.js'
import ClusterShow from './commands/cluster/show.js'
import Completion from './commands/completion.js'
import Help from './commands/help.js'
import NodeList from './commands/node/list.js'
import NodeListComponents from './commands/node/list-components.js'
import NodeLog from './commands/node/log.js'
import ServiceLog from './commands/service/log.js'
import Sim from './commands/sim.js'
import TaskList from './commands/task/list.js'
import TaskLog from './commands/task/log.js'
import TaskNames from './commands/task/names.js'

export const COMMANDS = {
  'auth:login': AuthLogin,
  'auth:logout': AuthLogout,
  'cluster:attach': ClusterAttach,
  'cluster:list': ClusterList,
  'cluster:remove': ClusterRemove,
  'cluster:setup': ClusterSetup,
  'cluster:show': ClusterShow,
  completion: Completion,
  help: Help,
  'node:list': NodeList,
  'node:list-components': NodeListComponents,
  'node:log': NodeLog,
  'service:log': ServiceLog,
  sim: Sim,
  'task:list': TaskList,
  'task:log': TaskLog,
  'task:names': TaskNames,
}
