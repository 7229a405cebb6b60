/**
 * What the commands hand their work to: every run function, and what a command gives one (its Deps,
 * the login prompt). Loaded when a command runs (src/load-run-functions.ts), not when the CLI starts:
 * in the build it is a bundle of its own, dist/run.cjs (scripts/bundle.js).
 */
export {runAuthLogin, runAuthLogout} from './run/auth.js'
export {runClusterAttach, runClusterList, runClusterRemove} from './run/cluster-manage.js'
export {runClusterSetup} from './run/cluster-setup.js'
export {runClusterShow} from './run/cluster-show.js'
export {createDeps} from './run/create-deps.js'
export {connector} from './run/log-in.js'
export {runNodeList, runNodeListComponents} from './run/node-list.js'
export {runNodeLog} from './run/node-log.js'
export {runServiceLog} from './run/service-log.js'
export {runTaskList} from './run/task-list.js'
export {runTaskLog} from './run/task-log.js'
export {runTaskNames} from './run/task-names.js'
