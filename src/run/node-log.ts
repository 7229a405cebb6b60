/** `dcos-ts node log`: a node's journal (journal-sources.ts), as the command resolved its options. */
import type {Deps} from '../deps.js'
import {type JournalReadOptions, checkTarget, readJournal} from '../read/journal-sources.js'

export type NodeLogOptions = JournalReadOptions

export async function runNodeLog(options: NodeLogOptions, deps: Deps): Promise<void> {
  checkTarget(options.target)
  await readJournal(options, deps)
}
