/**
 * The entry point of the bundle (scripts/bundle.js, run by bin/run.js): oclif's runner, and what
 * package.json's "oclif" section names in it: the commands, the help class and the hooks.
 */
export {execute} from '@oclif/core'
export {COMMANDS} from './commands.js'
export {DcosHelp} from './help.js'
export {commandNotFound} from './hooks/command-not-found.js'
