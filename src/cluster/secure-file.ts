import {readFile, stat} from 'node:fs/promises'
import {CliError} from '../errors.js'

/**
 * Reads a password file, private key or token file that must not be readable by anyone else: mode 0400 or 0600, as
 * the official CLI insists (pkg/fsutil ReadSecureFile). Not checked on Windows, which has no such modes.
 */
export async function readSecureFile(path: string, what: string): Promise<string> {
  let mode: number
  try {
    mode = (await stat(path)).mode & 0o777
  } catch (error) {
    throw new CliError('config', `cannot read the ${what} ${path}: ${fileError(error)}`, {cause: error})
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CliError('config', `permissions ${octal(mode)} for '${path}' are too open, expected 0400 or 0600`, {
      hint: `chmod 600 '${path}'`,
    })
  }
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new CliError('config', `cannot read the ${what} ${path}: ${fileError(error)}`, {cause: error})
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`
}

/** What went wrong reading a file, in a few words. */
export function fileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'EISDIR') return 'is a folder'
  return error instanceof Error ? error.message : String(error)
}
