import {isCliError} from '../errors.js'
import type {HttpClient} from './http.js'

/**
 * JSON from a DC/OS service that may be absent (404), switched off (5xx) or closed to this account (403):
 * undefined then, as the caller has another way. Auth and network failures still end the run.
 */
export async function optionalJson(http: HttpClient, path: string, purpose: string, signal: AbortSignal): Promise<unknown> {
  try {
    return await http.json(path, {signal, purpose})
  } catch (error) {
    if (isCliError(error) && (error.kind === 'not-found' || error.kind === 'forbidden' || error.kind === 'server' || error.kind === 'protocol')) return undefined
    throw error
  }
}
